"""Reads on the organisation tree."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from feedback.accounts.models import User
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, ServiceCategory
from feedback.permissions import visible_units_filter


def get_unit_by_code(code: str) -> OrgUnit | None:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code.strip()))


def resolve_unit(code: str | None, field: str = "org_unit") -> OrgUnit | None:
    """The unit with this code, None for an empty code; ``ServiceError`` for an unknown one."""
    if not code or not code.strip():
        return None
    unit = get_unit_by_code(code)
    if unit is None:
        raise ServiceError(_("There is no organisation unit with code %(code)s.", code=code), field)
    return unit


def resolve_category(category_id: int | None, field: str = "category") -> ServiceCategory:
    """The service trade with this id; ``ServiceError`` when there is none."""
    category = db.session.get(ServiceCategory, category_id) if category_id else None
    if category is None:
        raise ServiceError(_("Please choose a service trade."), field)
    return category


def list_visible_units(user: User) -> list[OrgUnit]:
    """The units ``user`` may see, in tree order (a parent before its children)."""
    return list(
        db.session.scalars(select(OrgUnit).where(visible_units_filter(user)).order_by(OrgUnit.path))
    )


def list_subtree(root: OrgUnit) -> list[OrgUnit]:
    return list(
        db.session.scalars(select(OrgUnit).where(OrgUnit.in_subtree(root)).order_by(OrgUnit.path))
    )


def count_subtree(root: OrgUnit) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OrgUnit).where(OrgUnit.in_subtree(root))
    ) or 0


def list_categories() -> list[ServiceCategory]:
    return list(db.session.scalars(select(ServiceCategory).order_by(ServiceCategory.position)))
