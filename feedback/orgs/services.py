"""Writes on the organisation tree. Services flush; the request commits."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import String, case, func, literal, select, update

from feedback.accounts.models import User
from feedback.audit.services import apply_changes, record
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.orgs.models import SERVICE_CATEGORIES, OrgUnit, ServiceCategory, UnitKind

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

# Which kind of unit may sit under which.
CHILD_KINDS = {
    None: {UnitKind.PROVINCE, UnitKind.CITY},
    UnitKind.PROVINCE: {UnitKind.CITY, UnitKind.HALL},
    UnitKind.CITY: {UnitKind.COUNTY, UnitKind.HALL},
    UnitKind.COUNTY: {UnitKind.HALL},
    UnitKind.HALL: set(),
}


def create_unit(
    actor: User | None, *, code: str, name: str, kind: UnitKind, parent: OrgUnit | None
) -> OrgUnit:
    """Add a unit under ``parent`` (None: a new root).

    Raises ``ServiceError`` for a malformed or taken code, an empty name or a kind that cannot
    sit under the parent's kind. Audited as ``org_unit.create``.
    """
    code, name = code.strip(), name.strip()
    _check_code(code)
    if not name:
        raise ServiceError(_("Please enter a name."), "name")
    parent_kind = parent.kind if parent is not None else None
    if kind not in CHILD_KINDS[parent_kind]:
        raise ServiceError(_("A unit of this kind cannot sit there in the tree."), "kind")
    unit = OrgUnit(code=code, name=name, kind=kind, parent=parent,
                   depth=0 if parent is None else parent.depth + 1)
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.path = (parent.path if parent is not None else "/") + f"{unit.id}/"
    record(actor, "org_unit.create", unit, {"code": code, "name": name, "kind": kind.value,
                                            "parent": parent.code if parent else None})
    return unit


def update_unit(actor: User, unit: OrgUnit, *, name: str, active: bool) -> None:
    """Rename or (de)activate a unit. Raises ``ServiceError`` for an empty name; audited."""
    name = name.strip()
    if not name:
        raise ServiceError(_("Please enter a name."), "name")
    changes = apply_changes(unit, {"name": name, "active": active})
    if changes:
        record(actor, "org_unit.update", unit, changes)


def move_unit(actor: User, unit: OrgUnit, new_parent: OrgUnit) -> None:
    """Put ``unit`` and its subtree under ``new_parent``, rewriting their paths in one UPDATE.

    Raises ``ServiceError`` when the new parent lies inside the unit's own subtree or cannot
    hold a unit of this kind. Audited as ``org_unit.move``.
    """
    if unit.contains(new_parent):
        raise ServiceError(_("A unit cannot move under itself."), "parent")
    if unit.kind not in CHILD_KINDS[new_parent.kind]:
        raise ServiceError(_("A unit of this kind cannot sit there in the tree."), "parent")
    old_parent_code = unit.parent.code if unit.parent else None
    old_path, new_path = unit.path, new_parent.path + f"{unit.id}/"
    depth_shift = new_parent.depth + 1 - unit.depth
    low, high = OrgUnit.path_range(old_path)
    db.session.execute(
        update(OrgUnit)
        .where(OrgUnit.path >= low, OrgUnit.path < high)
        .values(
            path=literal(new_path, String) + func.substr(OrgUnit.path, len(old_path) + 1),
            depth=OrgUnit.depth + depth_shift,
            # In the same statement: a root (no parent, depth 0) would break the CHECK tying
            # the two together between two statements.
            parent_id=case((OrgUnit.id == unit.id, new_parent.id), else_=OrgUnit.parent_id),
        )
        .execution_options(synchronize_session=False)
    )
    unit.parent = new_parent
    db.session.flush()
    db.session.expire_all()
    record(actor, "org_unit.move", unit, {"parent": [old_parent_code, new_parent.code]})


def seed_categories() -> int:
    """Insert the plan's service trades that are missing; return how many were added."""
    existing = set(db.session.scalars(select(ServiceCategory.code)))
    added = 0
    for position, (code, name, name_en) in enumerate(SERVICE_CATEGORIES):
        if code not in existing:
            db.session.add(ServiceCategory(code=code, name=name, name_en=name_en,
                                           position=position))
            added += 1
    db.session.flush()
    return added


def _check_code(code: str) -> None:
    if not CODE_RE.match(code):
        raise ServiceError(
            _("A code has 1 to 32 letters, digits, dashes or underscores."), "code"
        )
    if db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise ServiceError(_("The code %(code)s is taken.", code=code), "code")
