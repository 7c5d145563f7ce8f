"""Repeat trouble: a window last in its group for N months running gets a draft 约谈 notice.

A window's group is the windows of the same service trade in the same city (市州): like is
compared with like (三比). Each month is ranked by ``feedback.stats.queries.ranking`` (the
Bayesian-adjusted index), among the windows with at least ``NOTICE_MIN_RATINGS`` counted
ratings that month, in groups of at least ``MIN_GROUP`` such windows: last of two, or last on
a handful of ratings, says nothing.

The check runs in the sweep once per finished month (an audit entry
``notice.ranking_checked`` marks the month) and drafts at most one talk per window and month
(``Notice.source_key``), so the sweep may run every few minutes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from feedback.audit.models import AuditLog
from feedback.audit.services import record
from feedback.clock import local_date
from feedback.extensions import db
from feedback.notices.models import Notice
from feedback.notices.workflow import NoticeKind, NoticeSource
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.stats.queries import ranking
from feedback.windows.models import Window

MIN_GROUP = 3
CHECKED = "notice.ranking_checked"


def months_before(today: date, count: int) -> list[tuple[date, date]]:
    """The ``count`` whole calendar months before ``today``'s month, oldest first."""
    months = []
    end = today.replace(day=1) - timedelta(days=1)
    for _month in range(count):
        start = end.replace(day=1)
        months.append((start, end))
        end = start - timedelta(days=1)
    return list(reversed(months))


def last_in_group(unit: OrgUnit, start: date, end: date, min_ratings: int) -> dict[int, float]:
    """The windows last among their trade in ``unit``'s subtree over ``start``..``end``:
    ``{window_id: index}`` (ties at the bottom are all last)."""
    ranked = [r for r in ranking(unit, start, end)
              if r.rank is not None and r.n >= min_ratings and r.adjusted_index is not None]
    if not ranked:
        return {}
    trade = dict(db.session.execute(
        select(Window.id, Window.category_id).where(Window.id.in_([r.window_id for r in ranked]))
    ).all())
    groups = defaultdict(list)
    for row in ranked:
        groups[trade[row.window_id]].append(row)
    last: dict[int, float] = {}
    for rows in groups.values():
        if len(rows) < MIN_GROUP:
            continue
        worst = min(round(r.adjusted_index, 9) for r in rows)
        last.update({r.window_id: r.index for r in rows if round(r.adjusted_index, 9) == worst})
    return last


def group_units() -> list[OrgUnit]:
    """The units whose subtrees are the groups: the cities, or the roots of a tree without."""
    cities = list(db.session.scalars(
        select(OrgUnit).where(OrgUnit.kind == UnitKind.CITY, OrgUnit.active.is_(True))
        .order_by(OrgUnit.path)))
    if cities:
        return cities
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None))))


def sweep_talks(now: datetime) -> int:
    """The sweep's step: draft the talks due this month; return how many were drafted."""
    return len(draft_talks(now))


def draft_talks(now: datetime) -> list[Notice]:
    """Draft a 约谈 notice for every window last in its group in each of the last
    ``NOTICE_REPEAT_MONTHS`` finished months; once per month (see the module's docstring)."""
    from feedback.notices.services import draft_notice

    count = int(current_app.config.get("NOTICE_REPEAT_MONTHS", 2))
    if count < 1:
        return []
    months = months_before(local_date(now), count)
    month_key = f"{months[-1][0]:%Y-%m}"
    checked = db.session.scalar(select(AuditLog.id).where(
        AuditLog.action == CHECKED, AuditLog.object_id == month_key).limit(1))
    if checked is not None:
        return []
    min_ratings = int(current_app.config.get("NOTICE_MIN_RATINGS", 30))
    drafted: list[Notice] = []
    for unit in group_units():
        streaks = [last_in_group(unit, start, end, min_ratings) for start, end in months]
        always_last = set(streaks[0]).intersection(*streaks[1:])
        for window_id in sorted(always_last):
            window = db.session.get(Window, window_id)
            key = f"ranking:{window_id}:{month_key}"
            if db.session.scalar(select(Notice.id).where(Notice.source_key == key)):
                continue
            figures = "；".join(
                _("%(month)s index %(index).1f", month=f"{start:%Y-%m}", index=streak[window_id])
                for (start, _end), streak in zip(months, streaks, strict=True))
            drafted.append(draft_notice(
                None, target_window=window, kind=NoticeKind.TALK, source=NoticeSource.RANKING,
                source_key=key, issuer_unit=unit,
                problem=_("%(name)s was last among the windows of its trade in %(unit)s for "
                          "%(n)d months running (%(figures)s).", name=window.name,
                          unit=unit.name, n=count, figures=figures),
                requirement=_("The window's manager attends a formal talk with the supervising "
                              "unit and brings a written rectification plan."),
                evidence={"chart": f"/dashboard/windows/{window.code}"},
            ))
    record(None, CHECKED, None, {"months": [f"{s:%Y-%m}" for s, _e in months],
                                 "drafted": [n.id for n in drafted]},
           object_type="month", object_id=month_key)
    return drafted
