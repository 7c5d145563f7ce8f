"""A notice past its deadline under ``manyi sweep --now``: overdue, escalated to the next
supervisor up, published as a 通报 without personal data; the sweep changes nothing twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from feedback import clock
from feedback.audit.models import AuditLog
from feedback.extensions import db
from feedback.notices.models import Notice, NoticeEvent
from feedback.notices.services import acknowledge_notice, draft_notice, issue_notice
from feedback.notices.workflow import EventKind, NoticeState
from feedback.notifications.models import Notification
from feedback.workdays.calendar import deadline_last_day
from feedback.workdays.services import enter_calendar_days

ISSUED = datetime(2026, 4, 7, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Beijing, after 清明


def issued_notice(province, *, issuer=None, **extra) -> Notice:
    with clock.frozen_at(ISSUED):
        notice = draft_notice(issuer or province.city_sup, target_window=province.window,
                              problem="内部核查：工作人员张伟多次迟到，群众电话13812345678投诉。",
                              requirement="严格考勤，公示监督电话。", **extra)
        issue_notice(issuer or province.city_sup, notice)
    db.session.commit()
    return notice


def sweep(runner, moment: datetime) -> str:
    result = runner.invoke(args=["sweep", "--now", moment.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def kinds_for(user) -> list[str]:
    return list(db.session.scalars(
        select(Notification.kind).where(Notification.user_id == user.id)))


def test_overdue_notice_escalates_once_and_is_published(app, runner, province, sign_in):
    notice = issued_notice(province)
    with clock.frozen_at(ISSUED):
        acknowledge_notice(province.manager, notice)
    db.session.commit()
    due = notice.due_at

    assert "notices overdue: 0" in sweep(runner, due - timedelta(minutes=1))
    assert db.session.get(Notice, notice.id).overdue_at is None

    assert "notices overdue: 1" in sweep(runner, due + timedelta(hours=2))
    notice = db.session.get(Notice, notice.id)
    assert notice.overdue_at == due + timedelta(hours=2)
    assert notice.is_overdue and notice.state == NoticeState.ACKNOWLEDGED
    # The issuer is the city: the next supervisor up is the province's.
    assert notice.escalated_to_id == province.province.id
    assert "notice.escalated" in kinds_for(province.province_sup)
    assert "notice.overdue" in kinds_for(province.manager)
    assert "notice.overdue" in kinds_for(province.city_sup)
    assert "notice.escalated" not in kinds_for(province.city_b_sup)
    assert [e.kind for e in notice.events][-2:] == [EventKind.OVERDUE, EventKind.ESCALATED]
    assert notice.events[-1].actor_id is None  # the system did it

    # Running again, later, changes nothing.
    events = db.session.scalar(select(func.count()).select_from(NoticeEvent))
    notes = db.session.scalar(select(func.count()).select_from(Notification))
    audits = db.session.scalar(select(func.count()).select_from(AuditLog))
    assert "notices overdue: 0" in sweep(runner, due + timedelta(days=3))
    assert db.session.scalar(select(func.count()).select_from(NoticeEvent)) == events
    assert db.session.scalar(select(func.count()).select_from(Notification)) == notes
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) >= audits

    # The escalation shows on the province's overview.
    province_page = sign_in(province.province_sup).get("/admin/notices/overview").text
    assert notice.title in province_page
    assert "已上报至您督办" in province_page

    # The supervisor publishes it, but not with personal data in the text.
    supervisor = sign_in(province.city_sup)
    page = f"/admin/notices/{notice.id}/publish"
    for text in ("望城区不动产登记窗口张伟整改不力。", "联系电话13812345678。",
                 "工号CS-0001整改不力。", "身份证430102199001011234。"):
        supervisor.post(page, data={"public_text": text})
        assert db.session.get(Notice, notice.id).published_at is None, text
    public_text = "不动产登记窗口未在期限内完成整改通知要求的整改，予以通报。"
    assert supervisor.post(page, data={"public_text": public_text}).status_code == 302
    notice = db.session.get(Notice, notice.id)
    assert notice.published_at is not None and notice.public_text == public_text
    # Published once only.
    supervisor.post(page, data={"public_text": "再次发布"})
    assert db.session.get(Notice, notice.id).public_text == public_text

    anonymous = app.test_client()
    public = anonymous.get("/notices")
    assert public.status_code == 200
    assert public_text in public.text and notice.number in public.text
    assert "逾期未整改" in public.text
    for private in ("张伟", "13812345678", "内部核查", "严格考勤", "wc-mgr", "cs-sup"):
        assert private not in public.text


def test_a_reported_notice_is_not_overdue_and_drafts_are_not_publishable(
        app, runner, province, sign_in):
    """The window did its part in time: waiting for verification is not the window's delay."""
    from feedback.notices.services import submit_report

    notice = issued_notice(province)
    with clock.frozen_at(ISSUED + timedelta(days=1)):
        acknowledge_notice(province.manager, notice)
        submit_report(province.manager, notice, "已整改")
    db.session.commit()
    sweep(runner, notice.due_at + timedelta(days=1))
    notice = db.session.get(Notice, notice.id)
    assert notice.overdue_at is None and not notice.publishable
    response = sign_in(province.city_sup).post(f"/admin/notices/{notice.id}/publish",
                                               data={"public_text": "通报"})
    assert response.status_code == 302
    assert db.session.get(Notice, notice.id).published_at is None


def test_escalation_from_the_top_goes_to_the_administrators(app, runner, province):
    notice = issued_notice(province, issuer=province.province_sup)
    sweep(runner, notice.due_at + timedelta(seconds=1))
    notice = db.session.get(Notice, notice.id)
    assert notice.escalated_at is not None and notice.escalated_to_id is None
    assert "notice.escalated" in kinds_for(province.admin)


def test_an_estimated_notice_deadline_is_counted_again_once_the_year_is_entered(
        app, runner, province):
    issued = datetime(2027, 1, 28, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Beijing
    with clock.frozen_at(issued):
        notice = draft_notice(province.city_sup, target_window=province.window,
                              problem="排队时间过长。", requirement="增开窗口。", deadline_days=10)
        issue_notice(province.city_sup, notice)
    db.session.commit()
    assert notice.deadline_estimated
    assert deadline_last_day(notice.due_at) == date(2027, 2, 11)  # ten weekdays on

    enter_calendar_days(province.admin, "2027-02-06..2027-02-12 春节 休")
    db.session.commit()
    output = sweep(runner, issued + timedelta(days=15))  # Fri 12 Feb: past the estimate
    assert "notice deadlines recounted: 1" in output
    assert "notices overdue: 0" in output
    notice = db.session.get(Notice, notice.id)
    # Fri 29 Jan, Mon 1 … Fri 5 Feb (6), the holiday week, Mon 15 … Thu 18 (10).
    assert deadline_last_day(notice.due_at) == date(2027, 2, 18)
    assert not notice.deadline_estimated and notice.overdue_at is None
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "notice.deadline_recounted")) == 1
