"""Statistical alerts as pure functions of numbers: no Flask, no database.

Every detector takes plain counts (ratings ``n`` and bad reviews ``bad`` per day or per period,
or the times of bad reviews) and the parameters of an org unit's :class:`RuleSet`, and answers
a :class:`Finding` (the period it covers and the evidence numbers) or ``None``. The services
feed them from the database and store what they find; the tests feed them constructed series.

A bad review (差评) is a rating of level 1 or 2 (:func:`surveys.is_bad`). Shares are
``bad / n``. The detectors:

``burst``
    At least ``burst_count`` bad reviews at one window within ``burst_hours`` hours.
``low_index``
    Satisfaction index (0..100) of the last ``low_index_days`` days below
    ``low_index_threshold``, with at least ``low_index_min_ratings`` ratings.
``p_chart``
    Shewhart p-chart. From the window's own history (the ``pchart_history`` periods before the
    current one) ``p̄ = Σ bad / Σ n``; the current period (today, or this ISO week) with ``n``
    ratings has the upper limit ``UCL = p̄ + z · √(p̄ (1 − p̄) / n)`` with ``z = pchart_sigmas``
    (3: a false alarm about once in 740 in-control periods). Fires when the current share is
    above the UCL. Needs ``pchart_min_history`` earlier periods with ratings, at least
    ``pchart_min_count`` ratings in the current period and at least two bad reviews in it.
    The limit rests on the normal approximation, poor where ``n·p̄`` is small (20 ratings at
    p̄ = 5 %: four bad reviews pass the limit, yet happen by chance 1.6 % of the time, not
    0.135 %); so a point above it fires only if the exact binomial probability of that many
    bad reviews, ``P(X ≥ bad | n, p̄)``, is also below the normal tail of ``z`` (0.135 %).
``cusum``
    Standardised upper CUSUM on the daily bad-review share, for a sustained drift too small
    for the p-chart. ``p̄`` comes from the ``cusum_history_days`` days before the monitored
    ``cusum_days`` days (complete days, up to yesterday). For each monitored point with ``n``
    ratings and share ``p``: ``z = (p − p̄) / √(p̄ (1 − p̄) / n)`` and
    ``S = max(0, S_prev + z − k)``, starting at ``S = 0``. ``k`` (``cusum_k``, in standard
    deviations, default 0.5) is the slack: half the shift worth detecting (one standard
    deviation); daily noise below it drains away. ``h`` (``cusum_h``, default 4) is the
    decision interval: the alert fires while ``S > h``. With k = 0.5 and h = 4 an in-control
    series raises a false alarm about once in 170 points, and a one-sigma shift is caught
    after about 8 points. Consecutive days are pooled into one point until it holds at least
    :data:`CUSUM_MIN_POINT` ratings and expects at least :data:`CUSUM_MIN_EXPECTED` bad
    review (``n·p̄ ≥ 1``), so that a single rating cannot swing ``S``: at p̄ = 5 % a window
    with 20 ratings a day has daily points, one with 4 a day a point every five days, and a
    window almost never criticised is watched over correspondingly longer stretches (large
    jumps there are the p-chart's).
``silence``
    A window that usually gets ratings (median daily count on its open days over the
    ``silence_baseline_days`` days before ≥ ``silence_min_median``, with at least
    :data:`SILENCE_MIN_BASELINE` open days in that baseline) got none on its last
    ``silence_days`` open days: the QR code may have been removed, or ratings suppressed.
    Open days are working days (``silence_working_days``) or every day.

Zero variance: where the history holds no bad review at all (``p̄ = 0``) the limits would
collapse to zero and any single bad review would fire; ``p̄`` is then estimated as
``0.5 / (Σ n + 1)`` (half a bad review's worth), and the binomial check (p-chart) and the
pooling (CUSUM) keep a handful of bad reviews from looking like a shift.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from surveys import level_to_index

# The smallest number of bad reviews a p-chart point needs before it may fire.
PCHART_MIN_BAD = 2
# Days with fewer ratings are pooled with the following days into one CUSUM point ...
CUSUM_MIN_POINT = 5
# ... and so are days until a point expects this many bad reviews (n·p̄), for the normal
# approximation behind the standardised share to hold.
CUSUM_MIN_EXPECTED = 1.0
# Open days a silence baseline needs: a window rated on two days is not "usually" rated.
SILENCE_MIN_BASELINE = 5


class AlertKind(enum.StrEnum):
    BURST = "burst"  # 差评集中出现
    LOW_INDEX = "low_index"  # 满意度指数偏低
    P_CHART = "p_chart"  # 差评率显著上升
    CUSUM = "cusum"  # 差评率持续漂移
    SILENCE = "silence"  # 评价突然中断
    RELAPSE = "relapse"  # 整改后回落 (a closed notice's window fell back)


class PeriodUnit(enum.StrEnum):
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True)
class Finding:
    """What a detector found: the period it covers (local days, inclusive) and the numbers."""

    kind: AlertKind
    period_start: date
    period_end: date
    evidence: dict[str, Any] = field(default_factory=dict)


class Point(NamedTuple):
    """Ratings ``n`` and bad reviews ``bad`` in one day or period."""

    n: int
    bad: int


class Day(NamedTuple):
    """One calendar day of a window: its date, ratings, bad reviews, and whether it is open."""

    day: date
    n: int
    bad: int = 0
    open: bool = True


# --- the rules of an org unit ---------------------------------------------------------------


@dataclass(frozen=True)
class RuleSet:
    """The parameters of every detector. The defaults apply where no org unit sets a value."""

    burst_enabled: bool = True
    burst_count: int = 5
    burst_hours: int = 2

    low_index_enabled: bool = True
    low_index_threshold: float = 70.0
    low_index_min_ratings: int = 30
    low_index_days: int = 30

    pchart_enabled: bool = True
    pchart_period: PeriodUnit = PeriodUnit.DAY
    pchart_sigmas: float = 3.0
    pchart_history: int = 28
    pchart_min_history: int = 10
    pchart_min_count: int = 10

    cusum_enabled: bool = True
    cusum_k: float = 0.5
    cusum_h: float = 4.0
    cusum_days: int = 14
    cusum_history_days: int = 28
    cusum_min_history: int = 10

    silence_enabled: bool = True
    silence_days: int = 2
    silence_min_median: float = 5.0
    silence_working_days: bool = True
    silence_baseline_days: int = 28

    def merged(self, overrides: Mapping[str, Any]) -> RuleSet:
        """These rules with the non-``None`` values of ``overrides`` (one unit's settings)."""
        values = {k: v for k, v in overrides.items() if v is not None and k in RULE_FIELDS}
        if "pchart_period" in values:
            values["pchart_period"] = PeriodUnit(values["pchart_period"])
        return dataclasses.replace(self, **values) if values else self


class Bounds(NamedTuple):
    low: float
    high: float


# Limits of each numeric setting (inclusive): the rules form, the services and the database
# CHECK constraints all read them from here.
RULE_BOUNDS: dict[str, Bounds] = {
    "burst_count": Bounds(2, 1000),
    "burst_hours": Bounds(1, 72),
    "low_index_threshold": Bounds(1, 100),
    "low_index_min_ratings": Bounds(1, 100_000),
    "low_index_days": Bounds(1, 365),
    "pchart_sigmas": Bounds(1, 6),
    "pchart_history": Bounds(3, 365),
    "pchart_min_history": Bounds(2, 365),
    "pchart_min_count": Bounds(1, 10_000),
    "cusum_k": Bounds(0, 3),
    "cusum_h": Bounds(0.5, 20),
    "cusum_days": Bounds(2, 90),
    "cusum_history_days": Bounds(7, 365),
    "cusum_min_history": Bounds(2, 365),
    "silence_days": Bounds(1, 30),
    "silence_min_median": Bounds(1, 10_000),
    "silence_baseline_days": Bounds(7, 365),
}
RULE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(RuleSet))
ENABLE_FIELDS: dict[AlertKind, str] = {
    AlertKind.BURST: "burst_enabled",
    AlertKind.LOW_INDEX: "low_index_enabled",
    AlertKind.P_CHART: "pchart_enabled",
    AlertKind.CUSUM: "cusum_enabled",
    AlertKind.SILENCE: "silence_enabled",
}
DEFAULT_RULES = RuleSet()


def effective_rules(chain: Iterable[Mapping[str, Any]], base: RuleSet = DEFAULT_RULES) -> RuleSet:
    """The rules that apply at a unit: ``base`` overridden by each unit's settings in
    ``chain``, from the root of the tree down to the unit (nearer units win)."""
    rules = base
    for overrides in chain:
        rules = rules.merged(overrides)
    return rules


def check_value(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be the setting ``name`` (English, for logs), or None if it can."""
    bounds = RULE_BOUNDS.get(name)
    if value is None or bounds is None:
        return None
    if not bounds.low <= value <= bounds.high:
        return f"{name} must lie between {bounds.low:g} and {bounds.high:g}"
    return None


# --- helpers --------------------------------------------------------------------------------


def _rounded(value: float, digits: int = 4) -> float:
    return round(float(value), digits)


def baseline_share(points: Iterable[Point]) -> tuple[float, int, int, int]:
    """``(p̄, periods with ratings, Σ n, Σ bad)`` of a history; p̄ never exactly 0."""
    periods = total = bad = 0
    for point in points:
        if point.n > 0:
            periods += 1
            total += point.n
            bad += point.bad
    if total == 0:
        return 0.0, 0, 0, 0
    p_bar = bad / total if bad else 0.5 / (total + 1)
    return p_bar, periods, total, bad


def _standardised(p: float, p_bar: float, n: int) -> float:
    return (p - p_bar) / math.sqrt(p_bar * (1 - p_bar) / n)


def normal_tail(z: float) -> float:
    """``P(Z > z)`` for a standard normal ``Z`` (0.00135 for z = 3)."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def binomial_tail(k: int, n: int, p: float) -> float:
    """``P(X ≥ k)`` for ``X ~ Binomial(n, p)``, summed in log space (exact for small tails)."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
             + i * log_p + (n - i) * log_q for i in range(k, n + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


# --- the detectors --------------------------------------------------------------------------


def detect_burst(bad_times: Sequence[datetime], *, count: int, hours: int,
                 tz: tzinfo) -> Finding | None:
    """The latest ``hours``-long stretch holding at least ``count`` bad reviews, if any.

    ``bad_times`` are the times of one window's bad reviews (any order). The finding covers
    every bad review in the ``hours`` before the last one of the latest such stretch.
    """
    if count < 1 or hours <= 0:
        raise ValueError("a burst needs count >= 1 and hours > 0")
    times = sorted(bad_times)
    span = timedelta(hours=hours)
    start = 0
    latest: tuple[int, int] | None = None
    for end, moment in enumerate(times):
        while moment - times[start] >= span:
            start += 1
        if end - start + 1 >= count:
            latest = (start, end)
    if latest is None:
        return None
    first, last = times[latest[0]], times[latest[1]]
    return Finding(
        AlertKind.BURST,
        first.astimezone(tz).date(),
        last.astimezone(tz).date(),
        {"bad": latest[1] - latest[0] + 1, "count": count, "hours": hours,
         "first_at": first.isoformat(), "last_at": last.isoformat()},
    )


def detect_low_index(counts: Mapping[int, int], *, threshold: float, min_ratings: int,
                     start: date, end: date) -> Finding | None:
    """Index of ``counts`` (ratings per level 1..5, ``start``..``end``) under ``threshold``
    with at least ``min_ratings`` ratings. The index is :func:`surveys.satisfaction_index`'s,
    computed without building its counts object (the sweep asks for every window)."""
    counts = {int(level): int(n) for level, n in counts.items() if n}
    total = sum(counts.values())
    if total == 0 or total < min_ratings:
        return None
    index = sum(level_to_index(level) * n for level, n in counts.items()) / total
    if index >= threshold:
        return None
    bad = counts.get(1, 0) + counts.get(2, 0)
    return Finding(
        AlertKind.LOW_INDEX, start, end,
        {"index": _rounded(index, 2), "threshold": threshold, "n": total,
         "min_ratings": min_ratings, "bad": bad, "bad_share": _rounded(bad / total),
         "counts": {str(level): counts.get(level, 0) for level in (5, 4, 3, 2, 1)}},
    )


def detect_p_chart(history: Sequence[Point], current: Point, *, sigmas: float,
                   min_history: int, min_count: int, start: date, end: date,
                   unit: PeriodUnit = PeriodUnit.DAY) -> Finding | None:
    """The current period's bad-review share above ``p̄ + sigmas·√(p̄(1−p̄)/n)``.

    ``history`` holds the earlier periods (any order; periods without ratings are ignored).
    """
    p_bar, periods, history_n, history_bad = baseline_share(history)
    n, bad = current
    if periods < min_history or n < max(min_count, 1) or bad < PCHART_MIN_BAD:
        return None
    sigma = math.sqrt(p_bar * (1 - p_bar) / n)
    ucl = p_bar + sigmas * sigma
    share = bad / n
    if share <= ucl:
        return None
    chance = binomial_tail(bad, n, p_bar)
    if chance >= normal_tail(sigmas):
        return None
    return Finding(
        AlertKind.P_CHART, start, end,
        {"unit": unit.value, "n": n, "bad": bad, "share": _rounded(share),
         "p_bar": _rounded(p_bar, 5), "sigma": _rounded(sigma, 5), "ucl": _rounded(ucl),
         "sigmas": sigmas, "z": _rounded((share - p_bar) / sigma, 2) if sigma else None,
         "chance": float(f"{chance:.3g}"),
         "history_periods": periods, "history_n": history_n, "history_bad": history_bad},
    )


def detect_cusum(baseline: Sequence[Point], monitored: Sequence[Day], *, k: float, h: float,
                 min_history: int, min_point: int = CUSUM_MIN_POINT,
                 min_expected: float = CUSUM_MIN_EXPECTED) -> Finding | None:
    """A drift upward of the bad-review share: the upper CUSUM of ``monitored`` above ``h``.

    ``baseline`` gives ``p̄`` (days without ratings are ignored); ``monitored`` are the
    consecutive days watched, oldest first. The finding's period is the current run: from
    the first day after ``S`` last stood at 0 to the last monitored day.
    """
    p_bar, periods, base_n, base_bad = baseline_share(baseline)
    if periods < min_history or not monitored or p_bar >= 1:
        return None
    s = 0.0
    run_start: date | None = None
    run: list[list[Any]] = []
    pool_n = pool_bad = 0
    pool_start: date | None = None
    for day in monitored:
        if pool_start is None:
            pool_start = day.day
        pool_n += day.n
        pool_bad += day.bad
        if pool_n < max(min_point, 1) or pool_n * p_bar < min_expected:
            continue
        z = _standardised(pool_bad / pool_n, p_bar, pool_n)
        s = max(0.0, s + z - k)
        if s == 0.0:
            run_start, run = None, []
        else:
            if run_start is None:
                run_start = pool_start
            run.append([day.day.isoformat(), pool_n, pool_bad, _rounded(z, 3), _rounded(s, 3)])
        pool_n = pool_bad = 0
        pool_start = None
    if s <= h or run_start is None:
        return None
    return Finding(
        AlertKind.CUSUM, run_start, monitored[-1].day,
        {"statistic": _rounded(s, 3), "k": k, "h": h, "p_bar": _rounded(p_bar, 5),
         "baseline_days": periods, "baseline_n": base_n, "baseline_bad": base_bad,
         "run_n": sum(point[1] for point in run), "run_bad": sum(point[2] for point in run),
         "points": run},
    )


def detect_silence(days: Sequence[Day], *, silent_days: int, min_median: float,
                   baseline_days: int) -> Finding | None:
    """No rating on the last ``silent_days`` open days of a window that usually gets some.

    ``days`` are consecutive complete days, oldest first (up to yesterday). Only open days
    count towards the silence and the baseline median; a rating on any day breaks silence.
    """
    if silent_days < 1:
        raise ValueError("silent_days must be at least 1")
    quiet = 0
    while quiet < len(days) and days[len(days) - 1 - quiet].n == 0:
        quiet += 1
    stretch = days[len(days) - quiet:] if quiet else []
    open_quiet = sum(1 for d in stretch if d.open)
    if open_quiet < silent_days:
        return None
    before = days[: len(days) - quiet]
    if not before:
        return None
    first_baseline = before[-1].day - timedelta(days=baseline_days - 1)
    baseline = [d.n for d in before if d.day >= first_baseline and d.open]
    if len(baseline) < SILENCE_MIN_BASELINE:
        return None
    median = statistics.median(baseline)
    if median < min_median:
        return None
    return Finding(
        AlertKind.SILENCE, stretch[0].day, stretch[-1].day,
        {"silent_days": open_quiet, "calendar_days": len(stretch), "days": silent_days,
         "median": _rounded(median, 2), "min_median": min_median,
         "baseline_days": len(baseline), "baseline_from": first_baseline.isoformat(),
         "last_rated_day": before[-1].day.isoformat()},
    )


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether two periods of days (inclusive) share a day."""
    return a_start <= b_end and b_start <= a_end


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())
