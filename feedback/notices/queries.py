"""Reads on notices, always within what the user may see (or public fields only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from feedback.accounts.models import User
from feedback.clock import end_of_local_day, local_date
from feedback.extensions import db
from feedback.notices.access import visible_notices_filter
from feedback.notices.models import EvidenceFile, LinkKind, Notice, NoticeLink
from feedback.notices.workflow import RUNNING, NoticeState
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Window


def get_notice(notice_id: int) -> Notice | None:
    return db.session.get(Notice, notice_id)


def get_file(notice: Notice, file_id: int) -> EvidenceFile | None:
    """An evidence file of ``notice`` (None for a file of another notice)."""
    found = db.session.get(EvidenceFile, file_id)
    return found if found is not None and found.notice_id == notice.id else None


def notices_query(
    user: User,
    *,
    state: str | None = None,
    overdue: bool = False,
    window: Window | None = None,
    unit: OrgUnit | None = None,
    search: str | None = None,
) -> Select:
    """Notices ``user`` may see, the most urgent first: running ones by deadline, then the
    rest newest first. ``state`` is a ``NoticeState`` value or ``"open"``."""
    query = (
        select(Notice)
        .join(OrgUnit, OrgUnit.id == Notice.org_unit_id)
        .where(visible_notices_filter(user))
        .options(joinedload(Notice.window), joinedload(Notice.org_unit))
        .order_by(_urgency(), Notice.due_at.is_(None), Notice.due_at.asc(),
                  Notice.created_at.desc(), Notice.id.desc())
    )
    if state == "open":
        query = query.where(Notice.state.in_([s.value for s in RUNNING | {NoticeState.REPORTED}]))
    elif state:
        query = query.where(Notice.state == NoticeState(state))
    if overdue:
        query = query.where(Notice.overdue_at.is_not(None),
                            Notice.state.in_([s.value for s in RUNNING]))
    if window is not None:
        query = query.where(Notice.window_id == window.id)
    if unit is not None:
        query = query.where(OrgUnit.in_subtree(unit))
    if search and search.strip():
        pattern = f"%{search.strip()}%"
        query = query.where(or_(Notice.title.ilike(pattern), Notice.problem.ilike(pattern),
                                Notice.number == search.strip()))
    return query


def _urgency():
    """Running notices first (the window must act), then reported ones (the supervisor
    must), then drafts, then the rest."""
    return case(
        (Notice.state.in_([s.value for s in RUNNING]), 0),
        (Notice.state == NoticeState.REPORTED, 1),
        (Notice.state == NoticeState.DRAFT, 2),
        else_=3,
    )


def notices_linking(kind: LinkKind | str, ref: int | str) -> list[Notice]:
    """The notices that link this evidence (a case, an alert …), oldest first. No scope:
    the caller shows them only to users who may see them."""
    return list(db.session.scalars(
        select(Notice).join(NoticeLink).where(NoticeLink.kind == LinkKind(kind),
                                              NoticeLink.ref == str(ref))
        .order_by(Notice.id)))


def published_notices(limit: int = 100) -> list[Notice]:
    """The public notices 通报, newest first (their public fields only may be shown)."""
    return list(db.session.scalars(
        select(Notice).where(Notice.published_at.is_not(None))
        .options(joinedload(Notice.window), joinedload(Notice.org_unit))
        .order_by(Notice.published_at.desc(), Notice.id.desc()).limit(limit)))


def notice_markers(window_ids: list[int] | tuple[int, ...], start: date,
                   end: date) -> list[tuple[date, str]]:
    """Markers for a trend chart of ``window_ids``: the local days notices to those windows
    (or to units holding them) were issued and closed within ``start``..``end``, labelled
    ``"整改 2026-0007"``-style in the current language, in date order."""
    from flask_babel import gettext as _

    ids = sorted({int(i) for i in window_ids})
    if not ids or end < start:
        return []
    unit_paths = list(db.session.scalars(
        select(OrgUnit.path).join(Window, Window.org_unit_id == OrgUnit.id)
        .where(Window.id.in_(ids)).distinct()))
    # A notice to a unit concerns every window below it: the unit is an ancestor of theirs.
    ancestor_ids = {int(part) for path in unit_paths for part in path.strip("/").split("/")}
    low = _start_of(start)
    high = end_of_local_day(end)
    notices = db.session.scalars(
        select(Notice).where(
            or_(Notice.window_id.in_(ids),
                Notice.window_id.is_(None) & Notice.org_unit_id.in_(ancestor_ids)),
            or_(Notice.issued_at.between(low, high), Notice.closed_at.between(low, high)),
        ).order_by(Notice.issued_at)
    )
    markers: list[tuple[date, str]] = []
    for notice in notices:
        if notice.issued_at is not None and low <= notice.issued_at < high:
            markers.append((local_date(notice.issued_at),
                            _("Notice %(number)s issued", number=notice.number)))
        if notice.closed_at is not None and low <= notice.closed_at < high:
            markers.append((local_date(notice.closed_at),
                            _("Notice %(number)s closed", number=notice.number)))
    return sorted(markers, key=lambda m: m[0])


def _start_of(day: date) -> datetime:
    return end_of_local_day(day - timedelta(days=1))


def with_details(notice_id: int) -> Notice | None:
    return db.session.scalar(
        select(Notice).where(Notice.id == notice_id)
        .options(selectinload(Notice.reports), selectinload(Notice.files),
                 selectinload(Notice.events), selectinload(Notice.links)))


@dataclass(frozen=True)
class Overview:
    """Notices of a subtree: how many, closed on time, overdue now."""

    issued: int
    open: int
    closed: int
    closed_on_time: int
    overdue: list[Notice]
    escalated_here: list[Notice]

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed if self.closed else None


def overview(user: User, unit: OrgUnit | None = None) -> Overview:
    """What a supervisor (or an administrator) sees across the notices they may see."""
    scope = visible_notices_filter(user)
    base = select(Notice).join(OrgUnit, OrgUnit.id == Notice.org_unit_id).where(
        scope, Notice.issued_at.is_not(None))
    if unit is not None:
        base = base.where(OrgUnit.in_subtree(unit))
    sub = base.subquery()

    def count(*where) -> int:
        return db.session.scalar(select(func.count()).select_from(sub).where(*where)) or 0

    open_states = [s.value for s in RUNNING | {NoticeState.REPORTED}]
    overdue = list(db.session.scalars(
        base.where(Notice.overdue_at.is_not(None),
                   Notice.state.in_([s.value for s in RUNNING]))
        .options(joinedload(Notice.window), joinedload(Notice.org_unit))
        .order_by(Notice.due_at)))
    escalated_here = []
    if user.org_unit_id is not None:
        escalated_here = [n for n in overdue if n.escalated_to_id == user.org_unit_id]
    return Overview(
        issued=count(),
        open=count(sub.c.state.in_(open_states)),
        closed=count(sub.c.state == NoticeState.CLOSED.value),
        closed_on_time=count(sub.c.state == NoticeState.CLOSED.value,
                             sub.c.overdue_at.is_(None)),
        overdue=overdue,
        escalated_here=escalated_here,
    )


# --- the public page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    """An org unit's best and worst windows of a period, among those with enough ratings."""

    unit: OrgUnit
    best: list
    worst: list
    eligible: int


def last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def best_and_worst(start: date, end: date, min_ratings: int, size: int = 3) -> list[Board]:
    """Per city (or root unit without cities): its ``size`` best and worst windows over
    ``start``..``end`` by the Bayesian-adjusted index, only windows with ``min_ratings``
    counted ratings, only units with at least two such windows. Public fields only."""
    from feedback.notices.repeat import group_units
    from feedback.stats.queries import ranking

    boards = []
    for unit in group_units():
        rows = [r for r in ranking(unit, start, end)
                if r.rank is not None and r.n >= min_ratings]
        if len(rows) < 2:
            continue
        half = min(size, len(rows) // 2)
        boards.append(Board(unit=unit, best=rows[:half], worst=list(reversed(rows[-half:])),
                            eligible=len(rows)))
    return boards
