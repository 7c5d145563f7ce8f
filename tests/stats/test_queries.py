"""The dashboards' queries, read from rollups kept by real submissions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from feedback.evaluations.models import Channel
from feedback.evaluations.services import issue_token
from feedback.extensions import db
from feedback.stats import queries
from feedback.stats.models import WindowDayStats
from surveys import LevelCounts
from tests.stats.conftest import utc


def put_day(window, day: date, **levels: int) -> None:
    """Rollup rows written directly: for rankings over thousands of ratings."""
    counts = {f"n{level}": 0 for level in range(1, 6)}
    counts.update(levels)
    db.session.add(WindowDayStats(window_id=window.id, day=day, flagged=0, verified=0,
                                  ch_qr=sum(counts.values()), ch_token=0, ch_device=0, ch_web=0,
                                  ch_hotline=0, ch_sms=0, **counts))
    db.session.commit()


def test_window_summary(app, rate, make_window, make_staff):
    window = make_window()
    other = make_window(hall=window.org_unit)
    rate(window, 5, at=utc(2026, 3, 1, 2), speed=5, attitude=4)
    rate(window, 4, at=utc(2026, 3, 2, 2), speed=3)
    rate(window, 1, at=utc(2026, 3, 3, 2), channel=Channel.HOTLINE)
    rate(window, 2, at=utc(2026, 3, 3, 3), flagged=True)
    rate(window, 1, at=utc(2026, 3, 5, 2))  # after the period
    rate(other, 1, at=utc(2026, 3, 2, 2))
    summary = queries.window_summary([window.id], date(2026, 3, 1), date(2026, 3, 3))
    assert summary.n == 3
    assert summary.counts == LevelCounts.from_mapping({5: 1, 4: 1, 1: 1})
    assert summary.index == pytest.approx((100 + 75 + 0) / 3)
    assert summary.good_share == pytest.approx(2 / 3)
    assert summary.bad_share == pytest.approx(1 / 3)
    assert summary.flagged == 1
    assert summary.dimensions == {"speed": 4.0, "attitude": 4.0}
    assert summary.channels["qr"] == 2 and summary.channels["hotline"] == 1
    assert summary.verified == 0 and summary.tokens_issued == 0
    assert summary.token_coverage is None
    both = queries.window_summary([window.id, other.id], date(2026, 3, 1), date(2026, 3, 31))
    assert both.n == 5
    empty = queries.window_summary([window.id], date(2025, 1, 1), date(2025, 1, 31))
    assert empty.n == 0 and empty.index is None and empty.dimensions == {}


def test_token_coverage_is_the_share_of_issued_tokens_used(app, make_window):
    from feedback import clock
    from feedback.evaluations.services import Contact, Submission, submit_evaluation
    from feedback.questionnaires.queries import current_version_ref

    window = make_window()
    with clock.frozen_at(utc(2026, 3, 2, 2)):
        tokens = [issue_token(window, f"BJ-{i}") for i in range(4)]
        version = current_version_ref(window.id, window.category_id, date(2026, 3, 2))
        submit_evaluation(window, version, {"overall": "5"}, Contact(),
                          Submission(channel=Channel.TOKEN, token=tokens[0]))
    db.session.commit()
    summary = queries.window_summary([window.id], date(2026, 3, 2), date(2026, 3, 2))
    assert (summary.verified, summary.tokens_issued, summary.token_coverage) == (1, 4, 0.25)
    assert queries.window_summary([window.id], date(2026, 3, 3), date(2026, 3, 3)) \
        .tokens_issued == 0


def test_window_series_by_day_and_week(app, rate, make_window):
    window = make_window()
    rate(window, 5, at=utc(2026, 2, 25, 2))  # before the range: in the first rolling means
    rate(window, 1, at=utc(2026, 3, 2, 2))
    rate(window, 5, at=utc(2026, 3, 2, 3))
    rate(window, 4, at=utc(2026, 3, 4, 2))
    days = queries.window_series([window.id], date(2026, 3, 1), date(2026, 3, 10))
    assert [p.start for p in days] == [date(2026, 3, 1) + timedelta(days=i) for i in range(10)]
    first, second, third = days[0], days[1], days[2]
    assert first.n == 0 and first.index is None
    assert first.rolling_n == 1 and first.rolling_index == 100.0  # 25 Feb is within 7 days
    assert second.n == 2 and second.index == 50.0
    assert second.rolling_n == 3 and second.rolling_index == pytest.approx(200 / 3)
    assert second.low is not None and second.low < second.rolling_index < second.high
    assert third.rolling_n == 3  # 25 Feb..3 March
    assert days[3].rolling_n == 3  # 26 Feb..4 March: 25 Feb has left the window
    assert days[8].rolling_n == 1  # only 4 March in 3..9 March
    weeks = queries.window_series([window.id], date(2026, 3, 1), date(2026, 3, 10), "week")
    # 1 March 2026 is a Sunday: its ISO week is clipped to one day.
    assert [(p.start, p.end) for p in weeks] == [
        (date(2026, 3, 1), date(2026, 3, 1)),
        (date(2026, 3, 2), date(2026, 3, 8)),
        (date(2026, 3, 9), date(2026, 3, 10)),
    ]
    assert [p.n for p in weeks] == [0, 3, 0]
    assert weeks[1].rolling_n == 3 and weeks[1].index == pytest.approx(175 / 3)
    with pytest.raises(ValueError):
        queries.window_series([window.id], date(2026, 3, 1), date(2026, 3, 10), "month")


def test_staff_figures_are_hidden_below_the_minimum(make_app, rate, make_window, make_staff):
    window = make_window()
    many, few = make_staff(window=window, name="李娜"), make_staff(window=window, name="王芳")
    idle = make_staff(window=window, name="赵静")
    for i in range(3):
        rate(window, 5, at=utc(2026, 3, 1, 2, i), staff=many)
    rate(window, 1, at=utc(2026, 3, 1, 3), staff=few)
    rows = {r.staff_id: r for r in queries.staff_table([window.id], date(2026, 3, 1),
                                                        date(2026, 3, 1), min_count=3)}
    assert rows[many.id].shown and rows[many.id].index == 100.0 and rows[many.id].n == 3
    assert not rows[few.id].shown and rows[few.id].n == 1
    assert rows[few.id].index is None and rows[few.id].counts is None
    assert rows[idle.id].n == 0 and not rows[idle.id].shown
    # The default minimum is STAFF_MIN_RATINGS (30).
    assert not any(r.shown for r in queries.staff_table([window.id], date(2026, 3, 1),
                                                         date(2026, 3, 1)))


def test_staff_minimum_is_configurable(make_app, make_window, make_staff):
    app = make_app(STAFF_MIN_RATINGS=1)
    with app.app_context():
        from feedback.stats import setting

        assert setting("STAFF_MIN_RATINGS") == 1


def test_ranking_is_bayesian_adjusted(app, make_unit, make_hall, make_window):
    province = make_unit("省厅")
    city = make_unit("市局", parent=province)
    county = make_unit("县局", parent=city)
    hall = make_hall(parent=county)
    perfect = make_window(hall=hall, name="三个好评")
    very_good = make_window(hall=hall, name="三千个好评")
    poor = make_window(hall=hall, name="差")
    quiet = make_window(hall=hall, name="无评价")
    outside = make_window(name="别处")  # another province
    day = date(2026, 3, 1)
    put_day(perfect, day, n5=3)
    put_day(very_good, day, n5=2400, n4=600)
    put_day(poor, day, n5=20, n2=20)
    put_day(outside, day, n5=50)
    rows = queries.ranking(province, day, day)
    assert [r.window_id for r in rows] == [very_good.id, perfect.id, poor.id, quiet.id]
    assert [r.rank for r in rows] == [1, 2, 3, None]
    top = rows[0]
    assert top.n == 3000 and top.index == 95.0
    prior = (95 + 100 + 62.5) / 3  # the mean of the rated windows' indexes
    assert rows[1].adjusted_index == pytest.approx((20 * prior + 300) / 23)
    assert rows[1].index == 100.0 and rows[1].good_share_high == 1.0
    assert rows[1].good_share_low < top.good_share_low
    assert rows[3].n == 0 and rows[3].adjusted_index is None
    assert [r.window_id for r in queries.ranking(hall, day, day)][:3] == [
        very_good.id, perfect.id, poor.id]


def test_unit_months_and_movers(app, make_unit, make_hall, make_window):
    province = make_unit("省厅")
    city_a = make_unit("甲市", parent=province)
    city_b = make_unit("乙市", parent=province)
    hall_a = make_hall(parent=make_unit("甲县", parent=city_a))
    hall_b = make_hall(parent=make_unit("乙县", parent=city_b))
    a1, a2 = make_window(hall=hall_a), make_window(hall=hall_a)
    b1 = make_window(hall=hall_b)
    put_day(a1, date(2026, 1, 15), n5=10)
    put_day(a1, date(2026, 3, 1), n1=10)
    put_day(a2, date(2026, 3, 2), n5=10)
    put_day(b1, date(2026, 2, 10), n4=12)
    put_day(b1, date(2026, 3, 20), n4=12)  # after `end`
    rows = queries.unit_months(province, 3, date(2026, 3, 15))
    assert sorted(r.name for r in rows) == ["乙市", "甲市"]
    by_name = {r.name: r for r in rows}
    assert [c.month for c in by_name["甲市"].months] == [
        date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert [c.n for c in by_name["甲市"].months] == [10, 0, 20]
    assert by_name["甲市"].months[2].index == 50.0
    assert [c.n for c in by_name["乙市"].months] == [0, 12, 0]
    assert by_name["甲市"].total.total == 30
    assert not any(r.own for r in rows)
    own = queries.unit_months(hall_a, 1, date(2026, 3, 31))
    assert len(own) == 1 and own[0].own and own[0].months[0].n == 20

    moved = queries.movers(province, (date(2026, 3, 1), date(2026, 3, 31)),
                           (date(2026, 1, 1), date(2026, 2, 28)))
    assert [(m.window_id, m.change) for m in moved] == [(a1.id, -100.0), (b1.id, 0.0)]
    assert queries.movers(province, (date(2026, 3, 1), date(2026, 3, 31)),
                          (date(2026, 1, 1), date(2026, 2, 28)), limit=1)[0].window_id == a1.id


def test_daily_counts_cover_every_day(app, rate, make_window):
    window, silent = make_window(), make_window()
    rate(window, 1, at=utc(2026, 3, 2, 2))
    rate(window, 2, at=utc(2026, 3, 2, 3), flagged=True)
    found = queries.daily_counts([window.id, silent.id], date(2026, 3, 1), date(2026, 3, 3))
    assert [d.n for d in found[window.id]] == [0, 1, 0]
    assert found[window.id][1].counts.bad == 1 and found[window.id][1].flagged == 1
    assert [d.day for d in found[silent.id]] == [date(2026, 3, 1), date(2026, 3, 2),
                                                 date(2026, 3, 3)]
    assert all(d.n == 0 for d in found[silent.id])
