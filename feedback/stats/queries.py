"""Reads for the dashboards, rankings, alerts and the statistics API, all from the rollups.

Every function is scoped by explicit ids or an org unit: the callers check access. Days are
local dates (``BABEL_DEFAULT_TIMEZONE``) and ranges include both ends. Figures come from
:mod:`surveys.scoring` (index 0–100, shares, dimension means) and :mod:`feedback.stats.metrics`
(intervals, rolling means, the Bayesian adjustment).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import ColumnElement, Date, DateTime, Select, bindparam, cast, func, select

from feedback.clock import start_of_local_day
from feedback.dbtypes import UTCDateTime
from feedback.evaluations.models import EvaluationToken
from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.stats import metrics, setting
from feedback.stats.metrics import ZERO, Tally
from feedback.stats.models import (
    CHANNEL_COLUMNS,
    LEVEL_COLUMNS,
    DimensionDayStats,
    StaffDayStats,
    WindowDayStats,
)
from feedback.windows.models import Staff, Window
from surveys import DIMENSIONS, LevelCounts

__all__ = [
    "DayCounts",
    "MonthCell",
    "Mover",
    "Point",
    "RankedWindow",
    "StaffRow",
    "Summary",
    "UnitMonthRow",
    "daily_counts",
    "movers",
    "ranking",
    "staff_table",
    "unit_months",
    "window_series",
    "window_summary",
]

ROLLING_DAYS = 7


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """The figures of some windows over a period (counted evaluations only, unless named)."""

    window_ids: tuple[int, ...]
    start: date
    end: date
    n: int
    counts: LevelCounts
    index: float | None  # satisfaction index 0–100
    mean_level: float | None  # 1–5
    good_share: float | None  # 好评率 (levels 4–5)
    bad_share: float | None  # 差评率 (levels 1–2)
    good_share_interval: tuple[float, float] | None  # Wilson, 95 %
    index_interval: tuple[float, float] | None  # 95 %
    dimensions: dict[str, float | None]  # mean level 1–5 per dimension key
    dimension_counts: dict[str, LevelCounts]
    flagged: int  # kept but not counted (flagged, or excluded by an upheld appeal)
    verified: int  # counted evaluations bound to a transaction (一事一评)
    channels: dict[str, int]  # counted evaluations per channel value ("qr", "token", …)
    tokens_issued: int  # one-time evaluation tokens issued in the period
    token_coverage: float | None  # verified / tokens_issued; None where no token was issued


@dataclass(frozen=True)
class Point:
    """One day (``start == end``) or ISO week of a trend, with its 7-day rolling figures.

    ``rolling_*`` pool the seven days up to ``end`` (for a week: the week itself); the
    interval is the 95 % interval of the rolling index (None with fewer than two ratings).
    """

    start: date
    end: date
    n: int
    counts: LevelCounts
    index: float | None
    good_share: float | None
    bad_share: float | None
    rolling_n: int
    rolling_index: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class StaffRow:
    """A staff member's figures, or only the count while they have too few ratings."""

    staff_id: int
    name: str
    badge_no: str
    window_id: int
    active: bool
    n: int
    shown: bool  # False: fewer than the minimum ratings, figures withheld
    counts: LevelCounts | None
    index: float | None
    good_share: float | None
    bad_share: float | None


@dataclass(frozen=True)
class RankedWindow:
    """A window in a subtree ranking. ``rank`` is None for a window without ratings."""

    window_id: int
    code: str
    name: str
    org_unit_id: int
    org_unit_name: str
    n: int
    counts: LevelCounts
    index: float | None
    adjusted_index: float | None  # Bayesian: prior = the subtree's mean, weight m
    good_share: float | None
    good_share_low: float | None  # Wilson 95 %
    good_share_high: float | None
    bad_share: float | None
    rank: int | None


@dataclass(frozen=True)
class MonthCell:
    month: date  # the first day of the month
    n: int
    counts: LevelCounts
    index: float | None
    good_share: float | None
    bad_share: float | None


@dataclass(frozen=True)
class UnitMonthRow:
    """A child unit (its whole subtree) by month; ``own`` for the unit's own windows."""

    unit_id: int
    code: str
    name: str
    own: bool
    months: list[MonthCell] = field(default_factory=list)

    @property
    def total(self) -> LevelCounts:
        return metrics.to_counts(metrics.pooled(metrics.tally(cell.counts)
                                                for cell in self.months))


@dataclass(frozen=True)
class Mover:
    """A window whose index changed between two periods (``change`` = this − last)."""

    window_id: int
    code: str
    name: str
    org_unit_name: str
    this_n: int
    this_index: float
    last_n: int
    last_index: float
    change: float


@dataclass(frozen=True)
class DayCounts:
    day: date
    counts: LevelCounts
    flagged: int

    @property
    def n(self) -> int:
        return self.counts.total


# --- helpers -------------------------------------------------------------------------------------


def _levels(table) -> list:
    return [func.coalesce(func.sum(getattr(table, c)), 0).label(c) for c in LEVEL_COLUMNS]


def _tally(row) -> Tally:
    return (int(row.n1), int(row.n2), int(row.n3), int(row.n4), int(row.n5))


def _ids(window_ids: Iterable[int]) -> list[int]:
    return sorted({int(i) for i in window_ids})


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _subtree(unit: OrgUnit) -> ColumnElement[bool]:
    return OrgUnit.in_subtree(unit)


def _dimension_order(keys: Iterable[str]) -> list[str]:
    known = [d.key for d in DIMENSIONS]
    keys = set(keys)
    return [k for k in known if k in keys] + sorted(keys - set(known))


def _summary_figures(t: Tally) -> dict:
    return {
        "index": metrics.index(t),
        "good_share": metrics.good_share(t),
        "bad_share": metrics.bad_share(t),
    }


@dataclass(frozen=True)
class _Statements:
    """The window dashboard's statements, built once: building a ``select()`` costs more
    Python than running it on SQLite (window ids are an expanding parameter)."""

    summary: Select
    dimensions: Select
    tokens_issued: Select
    one_window_days: Select
    days: Select
    staff: Select
    people: Select


@cache
def _statements() -> _Statements:
    ids = bindparam("ids", expanding=True)
    start, end = bindparam("start", type_=Date), bindparam("end", type_=Date)
    s, d, st, tok = WindowDayStats, DimensionDayStats, StaffDayStats, EvaluationToken
    return _Statements(
        summary=select(
            *_levels(s),
            func.coalesce(func.sum(s.flagged), 0).label("flagged"),
            func.coalesce(func.sum(s.verified), 0).label("verified"),
            *[func.coalesce(func.sum(getattr(s, col)), 0).label(col)
              for col in CHANNEL_COLUMNS.values()],
        ).where(s.window_id.in_(ids), s.day >= start, s.day <= end),
        dimensions=select(d.dimension, *_levels(d))
        .where(d.window_id.in_(ids), d.day >= start, d.day <= end)
        .group_by(d.dimension),
        tokens_issued=select(func.count()).select_from(tok)
        .where(tok.window_id.in_(ids),
               tok.issued_at >= bindparam("since", type_=UTCDateTime),
               tok.issued_at < bindparam("until", type_=UTCDateTime)),
        one_window_days=select(s.day, s.n1, s.n2, s.n3, s.n4, s.n5)
        .where(s.window_id == bindparam("id"), s.day >= start, s.day <= end),
        days=select(s.day, *_levels(s))
        .where(s.window_id.in_(ids), s.day >= start, s.day <= end)
        .group_by(s.day),
        staff=select(st.staff_id, *_levels(st))
        .where(st.window_id.in_(ids), st.day >= start, st.day <= end)
        .group_by(st.staff_id),
        people=select(Staff.id, Staff.name, Staff.badge_no, Staff.window_id, Staff.active)
        .where((Staff.window_id.in_(ids) & Staff.active.is_(True))
               | Staff.id.in_(bindparam("rated", expanding=True)))
        .order_by(Staff.badge_no),
    )


# --- window dashboards -------------------------------------------------------------------------


def window_summary(window_ids: Sequence[int], start: date, end: date) -> Summary:
    """The figures of ``window_ids`` taken together over ``start``..``end`` (local days)."""
    ids = _ids(window_ids)
    period = {"ids": ids, "start": start, "end": end}
    totals = db.session.execute(_statements().summary, period).one()
    t = _tally(totals)
    by_dimension = {row.dimension: _tally(row)
                    for row in db.session.execute(_statements().dimensions, period)}
    keys = _dimension_order(by_dimension)
    issued = db.session.scalar(_statements().tokens_issued, {
        "ids": ids, "since": start_of_local_day(start),
        "until": start_of_local_day(end + timedelta(days=1)),
    }) or 0
    verified = int(totals.verified)
    return Summary(
        window_ids=tuple(ids), start=start, end=end, n=sum(t), counts=metrics.to_counts(t),
        mean_level=metrics.mean_level(t),
        good_share_interval=metrics.good_share_interval(t),
        index_interval=metrics.index_interval(t),
        dimensions={key: metrics.mean_level(by_dimension[key]) for key in keys},
        dimension_counts={key: metrics.to_counts(by_dimension[key]) for key in keys},
        flagged=int(totals.flagged), verified=verified,
        channels={channel.value: int(getattr(totals, col))
                  for channel, col in CHANNEL_COLUMNS.items()},
        tokens_issued=issued,
        token_coverage=min(1.0, verified / issued) if issued else None,
        **_summary_figures(t),
    )


def _daily(ids: list[int], start: date, end: date) -> dict[date, Tally]:
    if len(ids) == 1:  # one window: its primary key's range, nothing to add up
        rows = db.session.execute(_statements().one_window_days,
                                  {"id": ids[0], "start": start, "end": end})
    else:
        rows = db.session.execute(_statements().days, {"ids": ids, "start": start, "end": end})
    return {row.day: _tally(row) for row in rows}


def window_series(window_ids: Sequence[int], start: date, end: date,
                  granularity: str = "day") -> list[Point]:
    """The trend of ``window_ids`` together: one point per day (``"day"``) or ISO week
    (``"week"``, Monday to Sunday, clipped to the range), every day or week of the range
    included (``n == 0`` and ``index None`` where nobody rated).
    """
    if granularity not in ("day", "week"):
        raise ValueError(f"granularity is 'day' or 'week', got {granularity!r}")
    ids = _ids(window_ids)
    if end < start:
        return []
    lead = start - timedelta(days=ROLLING_DAYS - 1)
    by_day = _daily(ids, lead, end)
    days = _days(lead, end)
    daily = [by_day.get(day, ZERO) for day in days]
    rolled = dict(zip(days, metrics.rolling(daily, ROLLING_DAYS), strict=True))
    if granularity == "day":
        spans = [(day, day) for day in _days(start, end)]
    else:
        spans = []
        first = start
        while first <= end:
            last = min(end, first + timedelta(days=6 - first.weekday()))
            spans.append((first, last))
            first = last + timedelta(days=1)
    points = []
    for first, last in spans:
        t = (by_day.get(first, ZERO) if first == last
             else metrics.pooled(by_day.get(day, ZERO) for day in _days(first, last)))
        window = rolled[last]
        interval = metrics.index_interval(window)
        points.append(Point(
            start=first, end=last, n=sum(t), counts=metrics.to_counts(t),
            rolling_n=sum(window), rolling_index=metrics.index(window),
            low=interval[0] if interval else None, high=interval[1] if interval else None,
            **_summary_figures(t),
        ))
    return points


def staff_table(window_ids: Sequence[int], start: date, end: date,
                min_count: int | None = None) -> list[StaffRow]:
    """Every staff member of ``window_ids`` (and anyone rated there in the period), by badge.

    Figures are shown only from ``min_count`` ratings (``STAFF_MIN_RATINGS``, default 30), so
    that a few ratings do not brand anyone; below it only the count is given.
    """
    ids = _ids(window_ids)
    threshold = setting("STAFF_MIN_RATINGS") if min_count is None else min_count
    rated = {row.staff_id: _tally(row) for row in db.session.execute(
        _statements().staff, {"ids": ids, "start": start, "end": end})}
    people = db.session.execute(_statements().people, {"ids": ids, "rated": list(rated)})
    rows = []
    for person in people:
        t = rated.get(person.id, ZERO)
        n = sum(t)
        shown = n >= threshold and n > 0
        figures = _summary_figures(t) if shown else {
            "index": None, "good_share": None, "bad_share": None}
        rows.append(StaffRow(
            staff_id=person.id, name=person.name, badge_no=person.badge_no,
            window_id=person.window_id, active=person.active, n=n, shown=shown,
            counts=metrics.to_counts(t) if shown else None, **figures,
        ))
    return rows


def daily_counts(window_ids: Sequence[int], start: date, end: date) -> dict[int, list[DayCounts]]:
    """Each window's counted levels and flagged count on every day of the range (zeros too)."""
    ids = _ids(window_ids)
    s = WindowDayStats
    found: dict[int, dict[date, DayCounts]] = defaultdict(dict)
    for row in db.session.execute(
        select(s.window_id, s.day, s.n1, s.n2, s.n3, s.n4, s.n5, s.flagged)
        .where(s.window_id.in_(ids), s.day >= start, s.day <= end)
    ):
        found[row.window_id][row.day] = DayCounts(row.day, metrics.to_counts(_tally(row)),
                                                  int(row.flagged))
    days = _days(start, end) if end >= start else []
    empty = LevelCounts()
    return {
        window_id: [found[window_id].get(day) or DayCounts(day, empty, 0) for day in days]
        for window_id in ids
    }


# --- subtrees ----------------------------------------------------------------------------------


def _subtree_window_ids(unit: OrgUnit):
    """SQL: the ids of the windows in ``unit``'s subtree (one range on the units' paths)."""
    return (select(Window.id).join(OrgUnit, OrgUnit.id == Window.org_unit_id)
            .where(_subtree(unit)).scalar_subquery())


def _window_totals(unit: OrgUnit, start: date, end: date) -> dict[int, Tally]:
    s = WindowDayStats
    rows = db.session.execute(
        select(s.window_id, *_levels(s))
        .where(s.day >= start, s.day <= end, s.window_id.in_(_subtree_window_ids(unit)))
        .group_by(s.window_id)
    )
    return {row.window_id: _tally(row) for row in rows}


def _subtree_windows(unit: OrgUnit):
    return db.session.execute(
        select(Window.id, Window.code, Window.name, Window.active, OrgUnit.id.label("unit_id"),
               OrgUnit.name.label("unit_name"), OrgUnit.path.label("unit_path"))
        .join(OrgUnit, OrgUnit.id == Window.org_unit_id)
        .where(_subtree(unit))
    ).all()


def ranking(unit: OrgUnit, start: date, end: date) -> list[RankedWindow]:
    """The windows of ``unit``'s subtree ranked by their Bayesian-adjusted index.

    Each window's ratings are pooled with ``m`` (``RANKING_PRIOR_WEIGHT``, default 20) ratings
    at the subtree's mean (the mean of its rated windows' indexes, so that one busy window does
    not set the prior alone), so three perfect ratings do not outrank three thousand very good
    ones. Equal adjusted indexes share a rank; windows without ratings come last, unranked
    (inactive ones are left out unless they were rated in the period).
    """
    totals = _window_totals(unit, start, end)
    prior = metrics.mean_of_indexes(totals.values())
    weight = setting("RANKING_PRIOR_WEIGHT")
    entries = []
    for w in _subtree_windows(unit):
        t = totals.get(w.id, ZERO)
        n = sum(t)
        if not w.active and n == 0:
            continue
        adjusted = metrics.adjusted_index(t, prior, weight) if n else None
        entries.append((adjusted is None, -(adjusted or 0.0), -n, w.code, adjusted, t, w))
    entries.sort(key=lambda e: e[:4])
    ranked: list[RankedWindow] = []
    previous: tuple[float, int] | None = None
    for position, (_none, _key, _n, _code, adjusted, t, w) in enumerate(entries, start=1):
        rank = None
        if adjusted is not None:
            key = round(adjusted, 9)
            rank = previous[1] if previous is not None and previous[0] == key else position
            previous = (key, rank)
        interval = metrics.good_share_interval(t)
        ranked.append(RankedWindow(
            window_id=w.id, code=w.code, name=w.name, org_unit_id=w.unit_id,
            org_unit_name=w.unit_name, n=sum(t), counts=metrics.to_counts(t),
            adjusted_index=adjusted,
            good_share_low=interval[0] if interval else None,
            good_share_high=interval[1] if interval else None,
            rank=rank, **_summary_figures(t),
        ))
    return ranked


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def unit_months(unit: OrgUnit, months: int, end: date) -> list[UnitMonthRow]:
    """Each child unit of ``unit`` (its whole subtree) by calendar month: the ``months``
    months up to the one holding ``end`` (that one up to ``end``), oldest first. Windows
    attached to ``unit`` itself make a row of their own (``own=True``) first.
    """
    if months < 1:
        raise ValueError(f"at least one month, got {months}")
    first = _add_months(_month_start(end), -(months - 1))
    month_list = [_add_months(first, i) for i in range(months)]
    children = db.session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.path)
        .where(OrgUnit.parent_id == unit.id)
        .order_by(OrgUnit.name)
    ).all()
    owner_of: dict[int, int] = {}
    for w in _subtree_windows(unit):
        if w.unit_path == unit.path:
            owner_of[w.id] = unit.id
        else:
            owner_of[w.id] = next(c.id for c in children if w.unit_path.startswith(c.path))
    cells: dict[tuple[int, date], Tally] = {}
    for window_id, month, t in _window_months(unit, month_list, end):
        key = (owner_of[window_id], month)
        cells[key] = metrics.add(cells.get(key, ZERO), t)

    def _row(unit_id: int, code: str, name: str, own: bool) -> UnitMonthRow:
        out = []
        for month in month_list:
            t = cells.get((unit_id, month), ZERO)
            out.append(MonthCell(month=month, n=sum(t), counts=metrics.to_counts(t),
                                 **_summary_figures(t)))
        return UnitMonthRow(unit_id=unit_id, code=code, name=name, own=own, months=out)

    has_own = unit.id in owner_of.values()
    result = [_row(unit.id, unit.code, unit.name, True)] if has_own else []
    result.extend(_row(c.id, c.code, c.name, False) for c in children)
    return result


def _window_months(unit: OrgUnit, month_list: list[date], end: date):
    """``(window_id, month, tally)`` of the subtree's windows, month by month up to ``end``.

    PostgreSQL: one query grouped by month (a scan of the range and a hash aggregate). SQLite:
    one range query a month, each reading the rollups in primary-key order and adding them up
    as it goes — one query grouped by month needs a sort there, 3–5 times slower (measured on
    1,000,000 evaluations; on PostgreSQL twelve queries mean twelve scans).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        s = WindowDayStats
        # On a timestamp without time zone: the server's TimeZone cannot move the month.
        month_key = cast(func.date_trunc("month", cast(s.day, DateTime)), Date)
        rows = db.session.execute(
            select(s.window_id, month_key.label("month"), *_levels(s))
            .where(s.day >= month_list[0], s.day <= end,
                   s.window_id.in_(_subtree_window_ids(unit)))
            .group_by(s.window_id, month_key)
        )
        for row in rows:
            yield row.window_id, row.month, _tally(row)
        return
    for month in month_list:
        last_day = min(end, _add_months(month, 1) - timedelta(days=1))
        for window_id, t in _window_totals(unit, month, last_day).items():
            yield window_id, month, t


def movers(unit: OrgUnit, this: tuple[date, date], last: tuple[date, date],
           limit: int = 10) -> list[Mover]:
    """The windows of the subtree whose index moved most between ``last`` and ``this``
    (each a ``(start, end)`` pair), up or down, by the size of the change.

    Only windows with ``MOVERS_MIN_RATINGS`` (default 10) ratings in both periods take part:
    a change of three ratings is noise.
    """
    minimum = max(1, setting("MOVERS_MIN_RATINGS"))
    now_totals = _window_totals(unit, *this)
    then_totals = _window_totals(unit, *last)
    candidates = {
        wid for wid, t in now_totals.items()
        if sum(t) >= minimum and sum(then_totals.get(wid, ZERO)) >= minimum
    }
    if not candidates:
        return []
    out = []
    for w in _subtree_windows(unit):
        if w.id not in candidates:
            continue
        now_index = metrics.index(now_totals[w.id])
        then_index = metrics.index(then_totals[w.id])
        assert now_index is not None and then_index is not None
        out.append(Mover(
            window_id=w.id, code=w.code, name=w.name, org_unit_name=w.unit_name,
            this_n=sum(now_totals[w.id]), this_index=now_index,
            last_n=sum(then_totals[w.id]), last_index=then_index,
            change=now_index - then_index,
        ))
    out.sort(key=lambda m: (-abs(m.change), m.code))
    return out[:limit]
