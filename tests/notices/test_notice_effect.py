"""Did it work: satisfaction before issue against after closure, markers for the trend chart,
relapses, and what supervisors see across their subtree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from feedback import clock
from feedback.extensions import db
from feedback.notices.effect import BETTER, before_after, relapses, subtree_effect
from feedback.notices.models import Notice
from feedback.notices.queries import notice_markers, overview
from feedback.notices.services import (
    acknowledge_notice,
    draft_follow_up,
    draft_notice,
    issue_notice,
    mark_overdue_notices,
    submit_report,
    verify_notice,
)

ISSUED = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 1 June, 10:00 in Beijing
CLOSED = datetime(2026, 6, 12, 8, 0, tzinfo=UTC)  # 12 June, 16:00
LATER = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)  # every period after closing is over


def closed_notice(province, *, overdue: bool = False) -> Notice:
    with clock.frozen_at(ISSUED):
        notice = draft_notice(province.city_sup, target_window=province.window,
                              problem="差评多", requirement="整改")
        issue_notice(province.city_sup, notice)
        acknowledge_notice(province.manager, notice)
    if overdue:
        mark_overdue_notices(notice.due_at + timedelta(hours=1))
    with clock.frozen_at(CLOSED if not overdue else notice.due_at + timedelta(days=2)):
        submit_report(province.manager, notice, "已整改")
        verify_notice(province.city_sup, notice)
    db.session.commit()
    return notice


@pytest.fixture
def ratings_around(province, rate):
    """Poor ratings in the 30 days before issue, good ones in the 30 days after closure,
    and one before the 30 days that only the 60- and 90-day periods count."""
    for day in range(1, 11):
        rate(province.window, 2, at=ISSUED - timedelta(days=day))
    rate(province.window, 1, at=ISSUED - timedelta(days=45))
    for day in range(1, 11):
        rate(province.window, 5, at=CLOSED + timedelta(days=day))
    rate(province.window_b, 1, at=CLOSED + timedelta(days=3))  # another window: not counted


def test_before_and_after_at_30_60_and_90_days(province, ratings_around):
    notice = closed_notice(province)
    effect = before_after(notice, today=LATER.date())
    thirty, sixty, ninety = effect.rows
    assert (thirty.days, sixty.days, ninety.days) == (30, 60, 90)
    assert (thirty.before.n, thirty.before.index) == (10, 25.0)
    assert (sixty.before.n, ninety.before.n) == (11, 11)
    assert (thirty.after.n, thirty.after.index) == (10, 100.0)
    assert thirty.change == 75.0 and thirty.verdict == BETTER and thirty.complete
    assert thirty.before.index_interval is not None


def test_a_period_still_running_says_so(province, ratings_around):
    notice = closed_notice(province)
    effect = before_after(notice, today=(CLOSED + timedelta(days=40)).date())
    thirty, sixty, _ninety = effect.rows
    assert thirty.complete and not sixty.complete
    assert sixty.after.n == 10  # what there is so far
    assert before_after(notice, today=CLOSED.date()).rows[0].after is None  # nothing yet


def test_the_comparison_renders_on_the_notice_and_the_overview(province, ratings_around,
                                                                 sign_in):
    notice = closed_notice(province)
    with clock.frozen_at(LATER):
        page = sign_in(province.city_sup).get(f"/admin/notices/{notice.id}").text
        assert "整改是否见效" in page
        assert "25.0" in page and "100.0" in page and "+75.0" in page and "明显好转" in page
        manager_page = sign_in(province.manager).get(f"/admin/notices/{notice.id}").text
        assert "+75.0" in manager_page
        summary = sign_in(province.city_sup).get("/admin/notices/overview").text
    assert "100%" in summary  # closed on time
    assert "明显好转1份" in summary
    assert notice.number in summary


def test_on_time_rate_counts_notices_that_passed_their_deadline(province):
    closed_notice(province)
    closed_notice(province, overdue=True)
    figures = overview(province.city_sup)
    assert (figures.issued, figures.closed, figures.closed_on_time) == (2, 2, 1)
    assert figures.on_time_rate == 0.5
    assert overview(province.city_b_sup).issued == 0
    assert subtree_effect(province.city_b_sup).effects == []


def test_markers_for_the_trend_chart(province):
    notice = closed_notice(province)
    markers = notice_markers([province.window.id], date(2026, 5, 1), date(2026, 6, 30))
    assert markers == [(date(2026, 6, 1), f"整改通知 {notice.number} 下发"),
                       (date(2026, 6, 12), f"整改通知 {notice.number} 办结")]
    assert notice_markers([province.window.id], date(2026, 6, 5), date(2026, 6, 30)) == [
        (date(2026, 6, 12), f"整改通知 {notice.number} 办结")]
    assert notice_markers([province.neighbour.id], date(2026, 5, 1), date(2026, 6, 30)) == []
    # A notice to the whole hall marks every window in it.
    with clock.frozen_at(ISSUED):
        hall_notice = draft_notice(province.city_sup, target_unit=province.hall_a,
                                   problem="大厅秩序", requirement="整改")
        issue_notice(province.city_sup, hall_notice)
    db.session.commit()
    assert (date(2026, 6, 1), f"整改通知 {hall_notice.number} 下发") in notice_markers(
        [province.neighbour.id], date(2026, 5, 1), date(2026, 6, 30))


def test_relapse_when_the_window_falls_back_below_the_threshold(app, province, rate):
    notice = closed_notice(province)
    app.config["NOTICE_MIN_RATINGS"] = 5
    now = CLOSED + timedelta(days=40)
    for day in range(1, 8):
        rate(province.window, 5, at=CLOSED + timedelta(days=day))
    assert relapses(now) == []  # good after closure
    for day in range(20, 35):
        rate(province.window, 2, at=CLOSED + timedelta(days=day))
    found = relapses(now)
    assert [r.notice.id for r in found] == [notice.id]
    assert found[0].summary.index < 80 and found[0].threshold == 80.0
    assert relapses(now, threshold_for=lambda _n: 10.0) == []
    assert relapses(now, min_ratings=100) == []
    # A follow-up is drafted once, and the relapse is then dealt with.
    follow = draft_follow_up(province.city_sup, notice)
    assert draft_follow_up(province.city_sup, notice).id == follow.id
    assert (follow.state.value, follow.follows_id, follow.window_id) == (
        "draft", notice.id, province.window.id)
    assert relapses(now) == []
