"""Repeat trouble: last among its trade in its city two months running → a draft 约谈."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from feedback.extensions import db
from feedback.notices.models import Notice
from feedback.notices.workflow import NoticeKind, NoticeSource, NoticeState
from feedback.notifications.models import Notification

APRIL, MAY = datetime(2026, 4, 15, 2, tzinfo=UTC), datetime(2026, 5, 15, 2, tzinfo=UTC)
JUNE = datetime(2026, 6, 3, 1, tzinfo=UTC)


def ratings(rate, window, level: int, at: datetime, n: int = 4) -> None:
    for _ in range(n):
        rate(window, level, at=at)


def sweep(runner, moment: datetime) -> str:
    result = runner.invoke(args=["sweep", "--now", moment.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_last_two_months_running_drafts_one_talk(app, runner, province, make_window, rate):
    app.config["NOTICE_MIN_RATINGS"] = 3
    third = make_window(hall=province.hall_a, name="档案查询窗口")
    for month in (APRIL, MAY):
        ratings(rate, province.window, 2, month)
        ratings(rate, province.neighbour, 5, month)
        ratings(rate, third, 4 if month == APRIL else 3, month)
    ratings(rate, province.window_b, 1, MAY)  # alone in city B: no group to be last in

    assert "talk notices drafted: 1" in sweep(runner, JUNE)
    talk = db.session.scalars(select(Notice)).one()
    assert (talk.kind, talk.source, talk.state) == (
        NoticeKind.TALK, NoticeSource.RANKING, NoticeState.DRAFT)
    assert talk.window_id == province.window.id
    assert talk.issuer_unit_id == province.city_a.id
    assert "连续2个月排名末位" in talk.problem and "2026-04" in talk.problem
    assert talk.title == "关于约谈不动产登记窗口的通知"
    kinds = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == province.city_sup.id)).all()
    assert "notice.drafted" in kinds

    # Idempotent: the same month is checked once, the same window drafted once.
    assert "talk notices drafted: 0" in sweep(runner, JUNE.replace(hour=9))
    assert len(db.session.scalars(select(Notice)).all()) == 1


def test_last_in_one_month_only_drafts_nothing(app, runner, province, make_window, rate):
    app.config["NOTICE_MIN_RATINGS"] = 3
    third = make_window(hall=province.hall_a, name="档案查询窗口")
    ratings(rate, province.window, 2, APRIL)
    ratings(rate, province.window, 5, MAY)
    for month in (APRIL, MAY):
        ratings(rate, province.neighbour, 4, month)
        ratings(rate, third, 3, month)
    assert "talk notices drafted: 0" in sweep(runner, JUNE)
    assert db.session.scalars(select(Notice)).all() == []


def test_too_few_ratings_brand_nobody(app, runner, province, make_window, rate):
    third = make_window(hall=province.hall_a, name="档案查询窗口")
    for month in (APRIL, MAY):  # 4 ratings each, below the default 30
        ratings(rate, province.window, 1, month)
        ratings(rate, province.neighbour, 5, month)
        ratings(rate, third, 5, month)
    assert "talk notices drafted: 0" in sweep(runner, JUNE)
