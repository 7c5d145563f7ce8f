"""Reads on cases, always within what the user may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from feedback import clock
from feedback.accounts.models import Role, User, user_windows
from feedback.cases.access import may_assign_to, visible_cases_filter
from feedback.cases.intake import normalise_tracking_no
from feedback.cases.models import (
    OPEN_STATES,
    UNANSWERED_STATES,
    Appeal,
    AppealState,
    Case,
    CaseKind,
    CaseState,
)
from feedback.clock import end_of_local_day
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.permissions import visible_units_filter, visible_windows_filter
from feedback.windows.models import Window

SEARCH_LIMIT = 100  # characters of a content search


@dataclass(frozen=True)
class CaseFilter:
    """What a case list is narrowed to; every field optional."""

    state: CaseState | None = None
    kind: CaseKind | None = None
    window: Window | None = None
    since: date | None = None  # local days, both included
    until: date | None = None
    overdue: bool = False
    mine: bool = False  # assigned to the user
    search: str = ""


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def cases_query(user: User, filters: CaseFilter = CaseFilter(), *,
                now: datetime | None = None) -> Select:
    """Cases ``user`` may see, narrowed by ``filters``, newest first."""
    now = now or clock.now()
    query = (
        select(Case)
        .where(visible_cases_filter(user))
        .options(joinedload(Case.window).joinedload(Window.org_unit), joinedload(Case.hall),
                 joinedload(Case.assignee))
        .order_by(Case.created_at.desc(), Case.id.desc())
    )
    if filters.state is not None:
        query = query.where(Case.state == filters.state)
    if filters.kind is not None:
        query = query.where(Case.kind == filters.kind)
    if filters.window is not None:
        query = query.where(Case.window_id == filters.window.id)
    if filters.since is not None:
        query = query.where(Case.created_at >= end_of_local_day(filters.since - timedelta(days=1)))
    if filters.until is not None:
        query = query.where(Case.created_at < end_of_local_day(filters.until))
    if filters.overdue:
        query = query.where(Case.state.in_(UNANSWERED_STATES), Case.due_at <= now)
    if filters.mine:
        query = query.where(Case.assignee_id == user.id)
    search = filters.search.strip()[:SEARCH_LIMIT]
    if search:
        query = query.where(or_(Case.content.ilike(_like(search), escape="\\"),
                                Case.tracking_no == normalise_tracking_no(search)))
    return query


def get_case(case_id: int) -> Case | None:
    return db.session.scalar(
        select(Case).where(Case.id == case_id)
        .options(joinedload(Case.window).joinedload(Window.org_unit), joinedload(Case.hall),
                 joinedload(Case.assignee), joinedload(Case.evaluation),
                 selectinload(Case.events), selectinload(Case.appeals))
    )


def get_appeal(appeal_id: int) -> Appeal | None:
    return db.session.get(Appeal, appeal_id)


def appeals_query(user: User, *, pending_only: bool = True) -> Select:
    """Appeals of cases ``user`` may see, oldest pending first."""
    query = (
        select(Appeal).join(Appeal.case).where(visible_cases_filter(user))
        .options(joinedload(Appeal.case).joinedload(Case.window).joinedload(Window.org_unit),
                 joinedload(Appeal.filed_by))
        .order_by(Appeal.filed_at, Appeal.id)
    )
    if pending_only:
        query = query.where(Appeal.state == AppealState.PENDING)
    return query


def count_waiting(user: User, *, now: datetime | None = None) -> dict[str, int]:
    """For the list's header: open cases the user sees, those assigned to them, overdue ones."""
    now = now or clock.now()
    base = select(func.count()).select_from(Case).where(visible_cases_filter(user))
    return {
        "open": db.session.scalar(base.where(Case.state.in_(OPEN_STATES))) or 0,
        "mine": db.session.scalar(base.where(Case.assignee_id == user.id,
                                             Case.state.in_(OPEN_STATES))) or 0,
        "overdue": db.session.scalar(base.where(Case.state.in_(UNANSWERED_STATES),
                                                Case.due_at <= now)) or 0,
    }


def assignee_choices(case: Case, actor: User) -> list[User]:
    """Whom ``actor`` may give ``case``: the window's managers, and the actor if they may
    handle it; a manager only themselves."""
    if actor.role == Role.MANAGER:
        return [actor] if may_assign_to(actor, case) else []
    people = window_managers(case.window) if case.window is not None else []
    if may_assign_to(actor, case) and all(p.id != actor.id for p in people):
        people.append(actor)
    return [p for p in people if may_assign_to(p, case)]


def open_cases(window_ids: Iterable[int], limit: int = 10) -> list[Case]:
    """Open cases of these windows for a dashboard: the nearest deadline first (overdue ones
    lead), then the oldest. No access check: pass only windows the reader may see."""
    ids = list(window_ids)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Case).where(Case.window_id.in_(ids), Case.state.in_(OPEN_STATES))
        .options(joinedload(Case.window), joinedload(Case.assignee))
        .order_by(Case.due_at.is_(None), Case.due_at, Case.created_at, Case.id)
        .limit(limit)
    ))


# --- what the forms offer ---------------------------------------------------------------------


def search_windows(user: User, text: str, limit: int = 20) -> list[Window]:
    """Active windows ``user`` may see whose name contains ``text`` or whose code is ``text``."""
    text = text.strip()[:SEARCH_LIMIT]
    if not text:
        return []
    return list(db.session.scalars(
        select(Window).join(Window.org_unit)
        .where(visible_windows_filter(user), Window.active.is_(True),
               or_(Window.name.ilike(_like(text), escape="\\"),
                   OrgUnit.name.ilike(_like(text), escape="\\"),
                   Window.code == text.lower()))
        .options(joinedload(Window.org_unit))
        .order_by(OrgUnit.path, Window.name)
        .limit(limit)
    ))


def list_halls(user: User | None = None) -> list[OrgUnit]:
    """Active service halls (those ``user`` may see; all of them for the public)."""
    query = select(OrgUnit).where(OrgUnit.kind == UnitKind.HALL, OrgUnit.active.is_(True))
    if user is not None:
        query = query.where(visible_units_filter(user))
    return list(db.session.scalars(query.order_by(OrgUnit.path)))


def hall_windows(hall: OrgUnit) -> list[Window]:
    return list(db.session.scalars(
        select(Window).where(Window.org_unit_id == hall.id, Window.active.is_(True))
        .order_by(Window.name)))


def get_hall_by_code(code: str) -> OrgUnit | None:
    return db.session.scalar(
        select(OrgUnit).where(OrgUnit.code == code.strip(), OrgUnit.kind == UnitKind.HALL,
                              OrgUnit.active.is_(True)))


def window_managers(window: Window) -> list[User]:
    """The active managers of ``window``."""
    return list(db.session.scalars(
        select(User).join(user_windows, user_windows.c.user_id == User.id)
        .where(user_windows.c.window_id == window.id, User.role == Role.MANAGER,
               User.active.is_(True))
        .order_by(User.username)
    ))


def nearest_supervisors(unit: OrgUnit) -> list[User]:
    """The supervisors of ``unit``: those whose scope is the nearest unit above (or at) it
    that has any."""
    chain = [*unit.ancestor_ids, unit.id]
    found = list(db.session.scalars(
        select(User).join(User.org_unit)
        .where(User.role == Role.SUPERVISOR, User.active.is_(True), User.org_unit_id.in_(chain))
        .options(joinedload(User.org_unit))
    ))
    if not found:
        return []
    deepest = max(u.org_unit.depth for u in found if u.org_unit is not None)
    return sorted((u for u in found if u.org_unit is not None and u.org_unit.depth == deepest),
                  key=lambda u: u.username)
