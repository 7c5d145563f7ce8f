"""Did it work? Satisfaction before a notice was issued against after it was closed.

For every closed notice and each of 30, 60 and 90 days: the counted ratings of its windows
in the days before the issue day, and in the days after the closing day, with their index,
count and 95 % intervals (``feedback.stats``). A change is called clear only when the two
intervals do not overlap; a period still running is shown as such.

``relapses(now)`` lists closed notices whose windows fell back below a threshold since:
the alerts surface them and suggest a follow-up notice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from feedback import clock
from feedback.accounts.models import User
from feedback.clock import local_date
from feedback.extensions import db
from feedback.notices.access import visible_notices_filter
from feedback.notices.models import Notice
from feedback.notices.workflow import NoticeState
from feedback.orgs.models import OrgUnit
from feedback.stats.queries import Summary, window_summary
from feedback.windows.models import Window

PERIODS = (30, 60, 90)
BETTER, WORSE, UNCLEAR = "better", "worse", "unclear"


@dataclass(frozen=True)
class EffectRow:
    days: int
    before: Summary
    after: Summary | None  # None: the period after closing has not begun
    complete: bool  # the period after closing is over

    @property
    def change(self) -> float | None:
        if self.after is None or self.before.index is None or self.after.index is None:
            return None
        return self.after.index - self.before.index

    @property
    def verdict(self) -> str:
        """``better`` or ``worse`` when the 95 % intervals do not overlap, else ``unclear``."""
        if self.after is None or not self.before.index_interval or not self.after.index_interval:
            return UNCLEAR
        (b_low, b_high), (a_low, a_high) = self.before.index_interval, self.after.index_interval
        if a_low > b_high:
            return BETTER
        if a_high < b_low:
            return WORSE
        return UNCLEAR


@dataclass(frozen=True)
class Effect:
    notice: Notice
    window_ids: tuple[int, ...]
    rows: list[EffectRow]

    def row(self, days: int) -> EffectRow | None:
        return next((r for r in self.rows if r.days == days), None)


def target_windows(notice: Notice) -> tuple[int, ...]:
    """The windows a notice concerns: its window, or every window in its unit's subtree."""
    if notice.window_id is not None:
        return (notice.window_id,)
    return tuple(db.session.scalars(
        select(Window.id).join(OrgUnit, OrgUnit.id == Window.org_unit_id)
        .where(OrgUnit.in_subtree(notice.org_unit)).order_by(Window.id)))


def before_after(notice: Notice, today: date | None = None) -> Effect | None:
    """The before/after comparison of a closed notice (None for any other)."""
    if notice.state != NoticeState.CLOSED or notice.issued_at is None or notice.closed_at is None:
        return None
    today = today or local_date(clock.now())
    ids = target_windows(notice)
    issued, closed = local_date(notice.issued_at), local_date(notice.closed_at)
    yesterday = today - timedelta(days=1)
    rows = []
    for days in PERIODS:
        before = window_summary(ids, issued - timedelta(days=days), issued - timedelta(days=1))
        first, last = closed + timedelta(days=1), closed + timedelta(days=days)
        after = window_summary(ids, first, min(last, yesterday)) if first <= yesterday else None
        rows.append(EffectRow(days, before, after, complete=last <= yesterday))
    return Effect(notice, ids, rows)


@dataclass(frozen=True)
class SubtreeEffect:
    """Closed notices of a scope with their 30-day effect."""

    effects: list[Effect]
    better: int
    worse: int
    unclear: int
    mean_change: float | None  # over the notices with a complete 30-day comparison


def subtree_effect(user: User, unit: OrgUnit | None = None, limit: int = 50) -> SubtreeEffect:
    """The effect of the latest closed notices ``user`` may see (narrowed to ``unit``)."""
    query = (select(Notice).join(OrgUnit, OrgUnit.id == Notice.org_unit_id)
             .where(visible_notices_filter(user), Notice.state == NoticeState.CLOSED)
             .order_by(Notice.closed_at.desc()).limit(limit))
    if unit is not None:
        query = query.where(OrgUnit.in_subtree(unit))
    effects = [e for e in (before_after(n) for n in db.session.scalars(query)) if e]
    first = [e.row(PERIODS[0]) for e in effects]
    verdicts = [r.verdict for r in first if r is not None and r.complete]
    changes = [r.change for r in first if r is not None and r.complete and r.change is not None]
    return SubtreeEffect(
        effects=effects,
        better=verdicts.count(BETTER), worse=verdicts.count(WORSE),
        unclear=verdicts.count(UNCLEAR),
        mean_change=sum(changes) / len(changes) if changes else None,
    )


@dataclass(frozen=True)
class Relapse:
    """A closed notice whose windows fell back below ``threshold`` after it was closed."""

    notice: Notice
    window_ids: tuple[int, ...]
    summary: Summary
    threshold: float


def relapses(
    now: datetime | None = None,
    *,
    threshold_for: Callable[[Notice], float | None] | None = None,
    days: int = 30,
    min_ratings: int | None = None,
) -> list[Relapse]:
    """Closed notices (closed within ``NOTICE_RELAPSE_DAYS``, default 180) whose windows'
    index over the last ``days`` local days after closing is below the threshold, with at
    least ``min_ratings`` counted ratings (``NOTICE_MIN_RATINGS``, default 30).

    The threshold is ``threshold_for(notice)`` (e.g. the alert rule of the window's unit),
    else ``NOTICE_RELAPSE_INDEX`` (default 80). Notices already followed up are left out.
    """
    now = now or clock.now()
    config = current_app.config
    minimum = int(config.get("NOTICE_MIN_RATINGS", 30) if min_ratings is None else min_ratings)
    horizon = now - timedelta(days=int(config.get("NOTICE_RELAPSE_DAYS", 180)))
    followed = select(Notice.follows_id).where(Notice.follows_id.is_not(None))
    closed = db.session.scalars(
        select(Notice).where(Notice.state == NoticeState.CLOSED, Notice.closed_at >= horizon,
                             Notice.id.notin_(followed))
        .order_by(Notice.closed_at))
    today = local_date(now)
    found = []
    for notice in closed:
        threshold = threshold_for(notice) if threshold_for is not None else None
        if threshold is None:
            threshold = float(config.get("NOTICE_RELAPSE_INDEX", 80))
        start = max(local_date(notice.closed_at) + timedelta(days=1), today - timedelta(days=days))
        end = today - timedelta(days=1)
        if start > end:
            continue
        ids = target_windows(notice)
        summary = window_summary(ids, start, end)
        if summary.n >= minimum and summary.index is not None and summary.index < threshold:
            found.append(Relapse(notice, ids, summary, threshold))
    return found
