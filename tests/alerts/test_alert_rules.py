"""The detectors as pure functions of numbers: series built by hand that fire and that don't."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from feedback.alerts.rules import (
    CUSUM_MIN_POINT,
    DEFAULT_RULES,
    AlertKind,
    Day,
    PeriodUnit,
    Point,
    RuleSet,
    baseline_share,
    binomial_tail,
    detect_burst,
    detect_cusum,
    detect_low_index,
    detect_p_chart,
    detect_silence,
    effective_rules,
    normal_tail,
    overlaps,
    week_start,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, a Wednesday


def minutes(*offsets: int) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in offsets]


# --- burst ----------------------------------------------------------------------------------


def test_burst_fires_at_the_count_within_the_hours():
    found = detect_burst(minutes(0, 10, 20, 30, 40), count=5, hours=2, tz=SHANGHAI)
    assert found is not None
    assert found.kind == AlertKind.BURST
    assert found.evidence["bad"] == 5
    assert found.evidence["first_at"] == T0.isoformat()
    assert found.period_start == found.period_end == date(2027, 3, 10)


def test_burst_needs_the_full_count():
    assert detect_burst(minutes(0, 10, 20, 30), count=5, hours=2, tz=SHANGHAI) is None


def test_burst_spread_over_more_than_the_hours_is_no_burst():
    # five bad reviews, but never five inside any two hours
    assert detect_burst(minutes(0, 40, 80, 125, 170), count=5, hours=2, tz=SHANGHAI) is None
    # exactly two hours between the first and the fifth is outside "within two hours"
    assert detect_burst(minutes(0, 30, 60, 90, 120), count=5, hours=2, tz=SHANGHAI) is None
    assert detect_burst(minutes(0, 30, 60, 90, 119), count=5, hours=2, tz=SHANGHAI) is not None


def test_burst_with_no_bad_reviews():
    assert detect_burst([], count=5, hours=2, tz=SHANGHAI) is None


def test_burst_reports_the_latest_stretch_and_any_order_of_input():
    early = minutes(0, 1, 2)
    late = minutes(600, 601, 602, 603)
    found = detect_burst(list(reversed(early + late)), count=3, hours=1, tz=SHANGHAI)
    assert found.evidence["first_at"] == late[0].isoformat()
    assert found.evidence["bad"] == 4


def test_burst_period_is_in_local_days():
    # 23:30 UTC on 9 March is 07:30 on 10 March in Shanghai
    late_evening = datetime(2027, 3, 9, 23, 30, tzinfo=UTC)
    found = detect_burst([late_evening + timedelta(minutes=m) for m in range(3)], count=3,
                         hours=1, tz=SHANGHAI)
    assert found.period_start == date(2027, 3, 10)


# --- low index ------------------------------------------------------------------------------

START, END = date(2027, 2, 9), date(2027, 3, 10)


def test_low_index_fires_under_the_threshold_with_enough_ratings():
    counts = {5: 10, 4: 10, 3: 10, 2: 5, 1: 5}  # index (1000 + 750 + 500 + 125) / 40
    found = detect_low_index(counts, threshold=70, min_ratings=30, start=START, end=END)
    assert found is not None
    assert found.evidence["index"] == pytest.approx(59.375, abs=0.01)
    assert found.evidence["n"] == 40 and found.evidence["bad"] == 10
    assert (found.period_start, found.period_end) == (START, END)


def test_low_index_needs_enough_ratings():
    counts = {1: 29}  # as bad as it gets, but too few to be sure
    assert detect_low_index(counts, threshold=70, min_ratings=30, start=START, end=END) is None


def test_low_index_at_the_threshold_does_not_fire():
    counts = {5: 20, 3: 20}  # index exactly 75
    assert detect_low_index(counts, threshold=75, min_ratings=30, start=START, end=END) is None
    assert detect_low_index(counts, threshold=75.5, min_ratings=30, start=START,
                            end=END) is not None


def test_low_index_without_ratings():
    assert detect_low_index({}, threshold=70, min_ratings=1, start=START, end=END) is None


# --- p-chart --------------------------------------------------------------------------------

TODAY = date(2027, 3, 10)


def history(days: int, n: int, bad: int) -> list[Point]:
    return [Point(n, bad)] * days


def test_p_chart_fires_above_the_upper_limit():
    # p̄ = 28 / 560 = 0.05; with n = 50 the limit is 0.05 + 3·√(0.05·0.95/50) ≈ 0.1425
    past = history(28, 20, 1)
    found = detect_p_chart(past, Point(50, 9), sigmas=3, min_history=10, min_count=10,
                           start=TODAY, end=TODAY)
    assert found is not None
    assert found.evidence["p_bar"] == 0.05
    assert found.evidence["ucl"] == pytest.approx(0.05 + 3 * math.sqrt(0.05 * 0.95 / 50), abs=1e-4)
    assert found.evidence["share"] == 0.18
    assert found.evidence["history_periods"] == 28
    # 9 or more of 50 at 5 %: about 0.076 % of the time, under the 3-sigma tail of 0.135 %
    assert found.evidence["chance"] == pytest.approx(0.000756, rel=1e-3)


def test_p_chart_above_the_limit_but_not_improbable_does_not_fire():
    # 4 of 20 is above the normal limit (19.6 %), yet happens by chance 1.6 % of the time
    found = detect_p_chart(history(28, 20, 1), Point(20, 4), sigmas=3, min_history=10,
                           min_count=10, start=TODAY, end=TODAY)
    assert found is None
    assert binomial_tail(4, 20, 0.05) == pytest.approx(0.0159, abs=1e-4)
    assert normal_tail(3) == pytest.approx(0.00135, abs=1e-5)


def test_p_chart_within_the_limit_does_not_fire():
    assert detect_p_chart(history(28, 20, 1), Point(20, 3), sigmas=3, min_history=10,
                          min_count=10, start=TODAY, end=TODAY) is None


def test_p_chart_needs_history():
    assert detect_p_chart([], Point(20, 20), sigmas=3, min_history=10, min_count=10,
                          start=TODAY, end=TODAY) is None
    # days without ratings are not history
    sparse = history(9, 20, 1) + history(19, 0, 0)
    assert detect_p_chart(sparse, Point(20, 10), sigmas=3, min_history=10, min_count=10,
                          start=TODAY, end=TODAY) is None


def test_p_chart_ignores_a_period_with_too_few_ratings():
    # 3 of 3 bad is a share of 100 %, but three ratings say little
    assert detect_p_chart(history(28, 20, 1), Point(3, 3), sigmas=3, min_history=10,
                          min_count=10, start=TODAY, end=TODAY) is None


def test_p_chart_needs_more_than_one_bad_review():
    # a history without any bad review has zero variance: one bad review must not fire
    past = history(28, 20, 0)
    assert detect_p_chart(past, Point(20, 1), sigmas=3, min_history=10, min_count=10,
                          start=TODAY, end=TODAY) is None


def test_p_chart_with_a_spotless_history_still_has_limits():
    past = history(28, 20, 0)
    p_bar, _periods, n, bad = baseline_share(past)
    assert bad == 0 and p_bar == pytest.approx(0.5 / (n + 1))
    found = detect_p_chart(past, Point(20, 2), sigmas=3, min_history=10, min_count=10,
                           start=TODAY, end=TODAY)
    assert found is not None and found.evidence["ucl"] < 0.1


def test_p_chart_when_every_past_rating_was_bad():
    assert detect_p_chart(history(28, 20, 20), Point(20, 20), sigmas=3, min_history=10,
                          min_count=10, start=TODAY, end=TODAY) is None


def test_p_chart_of_a_week():
    monday = week_start(TODAY)
    found = detect_p_chart(history(12, 140, 7), Point(100, 15), sigmas=3, min_history=8,
                           min_count=10, start=monday, end=monday + timedelta(days=6),
                           unit=PeriodUnit.WEEK)
    assert found is not None and found.evidence["unit"] == "week"
    assert (found.period_start, found.period_end) == (date(2027, 3, 8), date(2027, 3, 14))


# --- CUSUM ----------------------------------------------------------------------------------

BASELINE = history(28, 20, 1)  # p̄ = 0.05


def days(shares: list[tuple[int, int]], first: date = date(2027, 2, 24)) -> list[Day]:
    return [Day(first + timedelta(days=i), n, bad) for i, (n, bad) in enumerate(shares)]


def test_cusum_stays_quiet_on_an_in_control_series():
    assert detect_cusum(BASELINE, days([(20, 1)] * 14), k=0.5, h=4, min_history=10) is None


def test_cusum_catches_a_sustained_small_rise():
    # 10 % instead of 5 %: z ≈ 1.03 a day, too little for the p-chart (limit ≈ 19.6 %)
    series = days([(20, 1)] * 4 + [(20, 2)] * 10)
    found = detect_cusum(BASELINE, series, k=0.5, h=4, min_history=10)
    assert found is not None
    assert found.kind == AlertKind.CUSUM
    assert found.period_start == series[4].day  # the drift began on the fifth day
    assert found.period_end == series[-1].day
    assert found.evidence["statistic"] > 4
    assert found.evidence["run_bad"] == 20 and found.evidence["run_n"] == 200
    # ... and each day's share stays under the p-chart's limit
    assert all(detect_p_chart(BASELINE, Point(d.n, d.bad), sigmas=3, min_history=10,
                              min_count=10, start=d.day, end=d.day) is None for d in series)


def test_cusum_drains_after_a_one_day_spike():
    series = days([(20, 6)] + [(20, 1)] * 13)
    assert detect_cusum(BASELINE, series, k=0.5, h=4, min_history=10) is None


def test_cusum_needs_history():
    series = days([(20, 5)] * 14)
    assert detect_cusum([], series, k=0.5, h=4, min_history=10) is None
    assert detect_cusum(history(5, 20, 1), series, k=0.5, h=4, min_history=10) is None


def test_cusum_pools_days_with_few_ratings():
    # one rating a day; one of them bad. Alone that day would add z ≈ 4.4 and fire.
    series = days([(1, 0)] * 6 + [(1, 1)] + [(1, 0)] * 7)
    assert detect_cusum(BASELINE, series, k=0.5, h=4, min_history=10) is None
    unpooled = detect_cusum(BASELINE, series[:7], k=0.5, h=3.5, min_history=10, min_point=1,
                            min_expected=0)
    assert unpooled is not None  # what the pooling prevents
    assert CUSUM_MIN_POINT > 1


def test_cusum_points_of_a_quiet_window_span_several_days():
    # 4 ratings a day at p̄ = 5 %: a point every five days (20 ratings, one bad expected)
    series = days([(4, 1)] * 14)
    found = detect_cusum(BASELINE, series, k=0.5, h=4, min_history=10)
    assert found is not None
    assert [point[1] for point in found.evidence["points"]] == [20, 20]
    assert found.evidence["points"][0][0] == series[4].day.isoformat()


def test_cusum_with_a_spotless_baseline():
    spotless = history(28, 20, 0)
    assert detect_cusum(spotless, days([(20, 0)] * 14), k=0.5, h=4, min_history=10) is None
    # 5 % bad reviews at a window that had none: caught once enough ratings pooled
    assert detect_cusum(spotless, days([(100, 5)] * 14), k=0.5, h=4,
                        min_history=10) is not None


def test_cusum_ignores_a_couple_of_bad_reviews_at_a_window_almost_never_criticised():
    # none in 92 ratings, then 2 in 16: chance would give that 2 % of the time
    baseline = [Point(4, 0)] * 23
    series = days([(5, 1), (0, 0), (6, 0), (0, 0), (5, 1)])
    assert detect_cusum(baseline, series, k=0.5, h=4, min_history=10) is None


def test_cusum_when_every_baseline_rating_was_bad():
    assert detect_cusum(history(28, 20, 20), days([(20, 20)] * 14), k=0.5, h=4,
                        min_history=10) is None


# --- silence --------------------------------------------------------------------------------


def calendar(first: date, counts: list[int], *, weekends_closed: bool = True) -> list[Day]:
    out = []
    for i, n in enumerate(counts):
        day = first + timedelta(days=i)
        out.append(Day(day, n, 0, day.weekday() < 5 if weekends_closed else True))
    return out


def usual_then(silent: int, *, usual: int = 8, weeks: int = 4) -> list[Day]:
    """``weeks`` weeks from a Monday with ``usual`` ratings on working days, then
    ``silent`` days without any."""
    first = date(2027, 2, 1)  # a Monday
    counts = [usual if (first + timedelta(days=i)).weekday() < 5 else 0
              for i in range(weeks * 7)]
    return calendar(first, counts + [0] * silent)


def test_silence_fires_after_the_open_days_without_ratings():
    series = usual_then(2)  # Monday and Tuesday of the fifth week without a rating
    found = detect_silence(series, silent_days=2, min_median=5, baseline_days=28)
    assert found is not None
    assert found.kind == AlertKind.SILENCE
    # the weekend before was quiet too and belongs to the stretch, but only open days count
    assert found.period_start == date(2027, 2, 27)
    assert found.period_end == date(2027, 3, 2)
    assert found.evidence["silent_days"] == 2
    assert found.evidence["median"] == 8
    assert found.evidence["last_rated_day"] == "2027-02-26"


def test_silence_of_one_open_day_is_not_yet_silence():
    assert detect_silence(usual_then(1), silent_days=2, min_median=5, baseline_days=28) is None


def test_a_quiet_weekend_is_no_silence():
    first = date(2027, 2, 1)
    counts = [8 if (first + timedelta(days=i)).weekday() < 5 else 0 for i in range(35)]
    series = calendar(first, counts)  # ends on Sunday 7 March after a normal Friday
    assert detect_silence(series, silent_days=2, min_median=5, baseline_days=28) is None


def test_windows_open_every_day_count_every_day():
    first = date(2027, 2, 1)
    series = calendar(first, [8] * 26 + [0, 0], weekends_closed=False)
    found = detect_silence(series, silent_days=2, min_median=5, baseline_days=28)
    assert found is not None and found.evidence["calendar_days"] == 2


def test_silence_of_a_window_rarely_rated_is_no_alert():
    assert detect_silence(usual_then(5, usual=2), silent_days=2, min_median=5,
                          baseline_days=28) is None


def test_silence_without_history():
    assert detect_silence(calendar(date(2027, 2, 1), [0] * 30), silent_days=2, min_median=5,
                          baseline_days=28) is None
    assert detect_silence([], silent_days=2, min_median=5, baseline_days=28) is None


def test_silence_of_a_brand_new_window():
    # three busy days, then quiet: three days are not a usual rate yet
    series = calendar(date(2027, 3, 1), [20, 20, 20, 0, 0])
    assert detect_silence(series, silent_days=2, min_median=5, baseline_days=28) is None


def test_one_rating_breaks_the_silence():
    series = usual_then(3)
    series[-2] = series[-2]._replace(n=1)
    assert detect_silence(series, silent_days=2, min_median=5, baseline_days=28) is None


# --- rules and their inheritance ------------------------------------------------------------


def test_nearer_units_win_and_none_inherits():
    province = {"burst_count": 3, "low_index_threshold": 80.0}
    city: dict = {"burst_count": None}
    hall = {"burst_count": 7, "pchart_period": "week"}
    rules = effective_rules([province, city, hall])
    assert rules.burst_count == 7
    assert rules.low_index_threshold == 80.0
    assert rules.pchart_period == PeriodUnit.WEEK
    assert rules.burst_hours == DEFAULT_RULES.burst_hours
    assert effective_rules([province, city]).burst_count == 3
    assert effective_rules([]) == RuleSet()


def test_periods_overlap_when_they_share_a_day():
    a = (date(2027, 3, 1), date(2027, 3, 5))
    assert overlaps(*a, date(2027, 3, 5), date(2027, 3, 9))
    assert not overlaps(*a, date(2027, 3, 6), date(2027, 3, 9))
