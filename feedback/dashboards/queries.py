"""Reads the dashboards need beside ``feedback.stats.queries``: the latest comments, the landing
pages' lists, and a subtree's pooled counts over the rollups (the headline of a subtree
dashboard, one aggregate instead of a ``window_summary`` over thousands of window ids).

Every function takes objects the caller may already see: the views check access first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, case, false, func, literal, select, true
from sqlalchemy.orm import aliased, joinedload

from feedback import clock
from feedback.accounts.models import UNIT_SCOPED, Role, User, user_windows
from feedback.clock import local_date
from feedback.evaluations.models import Evaluation
from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.stats.models import LEVEL_COLUMNS, WindowDayStats
from feedback.windows.models import Staff, Window
from surveys import LevelCounts


def today() -> date:
    """Today where the windows are (``BABEL_DEFAULT_TIMEZONE``)."""
    return local_date(clock.now())


def latest_comments(window_ids: Sequence[int], limit: int = 10) -> list[Evaluation]:
    """The newest counted evaluations of these windows that carry a comment."""
    ids = list(window_ids)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Evaluation)
        .where(Evaluation.window_id.in_(ids), Evaluation.counted, Evaluation.comment != "")
        .options(joinedload(Evaluation.staff))
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(limit)
    ))


def subtree_counts(unit: OrgUnit, start: date, end: date) -> tuple[LevelCounts, int]:
    """The counted ratings per level of every window below ``unit`` over ``start``..``end``
    (local days, both included), and the number kept but not counted (flagged, excluded)."""
    s = WindowDayStats
    row = db.session.execute(
        select(*[func.coalesce(func.sum(getattr(s, c)), 0).label(c) for c in LEVEL_COLUMNS],
               func.coalesce(func.sum(s.flagged), 0).label("flagged"))
        .join(Window, Window.id == s.window_id)
        .join(OrgUnit, OrgUnit.id == Window.org_unit_id)
        .where(OrgUnit.in_subtree(unit), s.day >= start, s.day <= end)
    ).one()
    counts = LevelCounts(very_dissatisfied=int(row.n1), dissatisfied=int(row.n2),
                         fairly_satisfied=int(row.n3), satisfied=int(row.n4),
                         very_satisfied=int(row.n5))
    return counts, int(row.flagged)


def managed_windows(user: User) -> list[Window]:
    """The windows a manager answers for, by name (inactive ones too: their history stays)."""
    if user.role != Role.MANAGER:
        return []
    return list(user.windows)


def root_units() -> list[OrgUnit]:
    """The units at the top of the tree (an administrator's starting points)."""
    return list(db.session.scalars(
        select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.name)))


def unit_path(unit: OrgUnit, top: OrgUnit | None) -> list[OrgUnit]:
    """The units from ``top`` (or the root) down to ``unit``'s parent, for breadcrumbs."""
    ids = unit.ancestor_ids
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    chain = [found[i] for i in ids if i in found]
    if top is not None and any(u.id == top.id for u in chain):
        chain = chain[[u.id for u in chain].index(top.id):]
    elif top is not None:
        chain = []
    return chain


# --- access for chart images, in one query ----------------------------------------------------
#
# A cached chart must be served in a few milliseconds, request included: loading the window,
# then the user's windows or org unit to run ``permissions.may`` would cost three queries.
# These answer "does it exist, and may this user see it" in one, by the same rules as
# ``may_view_window`` / ``may_view_unit`` (tests/dashboards compare them).

MISSING, REFUSED, ALLOWED = "missing", "refused", "allowed"


def _inside(unit, scope):
    """SQL: ``unit`` lies in ``scope``'s subtree (the range of ``OrgUnit.path_range``)."""
    upper = func.substr(scope.path, 1, func.length(scope.path) - 1).concat("0")
    return and_(unit.path >= scope.path, unit.path < upper)


def window_access(user: User, code: str) -> str:
    """``MISSING``, ``REFUSED`` or ``ALLOWED``: may ``user`` view the window ``code``."""
    if not user.is_authenticated or not user.active:
        return REFUSED
    scope = aliased(OrgUnit)
    unit = aliased(OrgUnit)
    query = select(Window.id).where(Window.code == code)
    if user.role == Role.ADMIN:
        visible = true()
    elif user.role in UNIT_SCOPED and user.org_unit_id is not None:
        query = (query.join(unit, unit.id == Window.org_unit_id)
                 .outerjoin(scope, scope.id == user.org_unit_id))
        visible = _inside(unit, scope)
    elif user.role == Role.MANAGER:
        visible = Window.id.in_(select(user_windows.c.window_id)
                                .where(user_windows.c.user_id == user.id))
    elif user.role == Role.STAFF and user.staff_id is not None:
        visible = Window.id.in_(select(Staff.window_id).where(Staff.id == user.staff_id))
    else:
        visible = false()
    row = db.session.execute(
        query.add_columns(case((visible, literal(1)), else_=literal(0)).label("visible"))
    ).first()
    if row is None:
        return MISSING
    return ALLOWED if row.visible else REFUSED


def unit_access(user: User, code: str) -> str:
    """``MISSING``, ``REFUSED`` or ``ALLOWED``: may ``user`` view the org unit ``code``."""
    if not user.is_authenticated or not user.active:
        return REFUSED
    query = select(OrgUnit.id).where(OrgUnit.code == code)
    if user.role == Role.ADMIN:
        visible = true()
    elif user.role in UNIT_SCOPED and user.org_unit_id is not None:
        scope = aliased(OrgUnit)
        query = query.outerjoin(scope, scope.id == user.org_unit_id)
        visible = _inside(OrgUnit, scope)
    else:
        visible = false()
    row = db.session.execute(
        query.add_columns(case((visible, literal(1)), else_=literal(0)).label("visible"))
    ).first()
    if row is None:
        return MISSING
    return ALLOWED if row.visible else REFUSED
