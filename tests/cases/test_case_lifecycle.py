"""Issue 4's "done when", end to end: a bad review from the QR form becomes a case in the right
manager's list, walks to closed with a callback, reopens on 不满意, goes overdue by the
working-day calendar under ``manyi sweep --now``, and the citizen follows it at ``/track``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, select

from feedback import clock
from feedback.audit.models import AuditLog
from feedback.cases.models import Case, CaseEvent, CaseKind, CaseSource, CaseState, EventKind
from feedback.evaluations.models import Evaluation
from feedback.extensions import db
from feedback.notifications.models import Notification
from tests.cases.support import case_by_number, rate, shown, tracking_numbers

BEIJING = timezone(timedelta(hours=8))


APOLOGY = "已向当事人致歉，并对窗口人员进行了批评教育。"


def walk_to_answered(client, case: Case, reply: str = APOLOGY):
    assert client.post(f"/admin/cases/{case.id}/take").status_code == 302
    response = client.post(f"/admin/cases/{case.id}/verify", data={
        "founded": "yes", "finding": "调取录像，工作人员态度生硬属实。", "triage": "fix_now"})
    assert response.status_code == 302, response.text
    response = client.post(f"/admin/cases/{case.id}/answer", data={"reply": reply})
    assert response.status_code == 302, response.text


def test_bad_review_walks_to_closed_with_a_callback_and_the_citizen_follows_it(
        app, world, sign_in):
    citizen = app.test_client()
    thanks = rate(citizen, world.window_a, overall="1", reasons=["attitude", "slow"],
                  comment="窗口人员态度很差，等了一个小时", phone="13812345678", consent="yes")
    tracking_no = shown(thanks.text, "tracking-no")
    assert tracking_no and "手机号码后四位" in thanks.text

    case = case_by_number(tracking_no)
    evaluation = db.session.scalars(select(Evaluation)).one()
    assert (case.kind, case.source, case.state) == (CaseKind.BAD_REVIEW, CaseSource.EVALUATION,
                                                    CaseState.NEW)
    assert case.evaluation_id == evaluation.id and case.window_id == world.window_a.id
    assert case.reasons == ["attitude", "slow"]
    assert case.content == "窗口人员态度很差，等了一个小时"
    assert case.phone_masked == "138****5678" and "13812345678" not in case.phone_cipher

    # In manager A's list, not in manager B's, and manager B may not open it.
    manager_a, manager_b = sign_in(world.manager_a), sign_in(world.manager_b)
    assert tracking_no in tracking_numbers(manager_a.get("/admin/cases").text)
    assert tracking_no not in tracking_numbers(manager_b.get("/admin/cases").text)
    assert manager_b.get(f"/admin/cases/{case.id}").status_code == 403
    page = manager_a.get(f"/admin/cases/{case.id}")
    assert page.status_code == 200 and "态度差" in page.text

    walk_to_answered(manager_a, case)
    assert case_by_number(tracking_no).state == CaseState.ANSWERED

    # The citizen reads the reply with the tracking number and their phone's last four digits.
    lookup = citizen.post("/track", data={"tracking_no": tracking_no.lower(), "factor": "5678"})
    assert lookup.status_code == 302
    mine = citizen.get(lookup.headers["Location"])
    assert "已向当事人致歉" in mine.text

    # The operator calls back: satisfied; the manager closes the case.
    operator = sign_in(world.operator)
    response = operator.post(f"/admin/cases/{case.id}/callback",
                             data={"verdict": "satisfied", "note": "群众表示满意"})
    assert response.status_code == 302, response.text
    assert manager_a.post(f"/admin/cases/{case.id}/close", data={}).status_code == 302

    case = case_by_number(tracking_no)
    assert case.state == CaseState.CLOSED and case.called_back_at is not None
    assert [e.kind for e in case.events] == [EventKind.ASSIGNED, EventKind.VERIFIED,
                                             EventKind.ANSWERED, EventKind.FOLLOWED_UP,
                                             EventKind.CLOSED]
    audited = set(db.session.scalars(select(AuditLog.action).where(
        AuditLog.object_type == "Case", AuditLog.object_id == str(case.id))))
    assert {"case.assigned", "case.verified", "case.answered", "case.followed_up",
            "case.closed"} <= audited
    assert "已办结" in citizen.get(f"/track/{tracking_no}").text


def test_dissatisfied_verdict_reopens_with_a_new_deadline(app, world, sign_in):
    citizen = app.test_client()
    with clock.frozen_at(datetime(2025, 9, 1, 2, 0, tzinfo=UTC)):
        tracking_no = shown(rate(citizen, world.window_a, overall="2", comment="材料要求说不清",
                                 phone="13900001111", consent="yes").text, "tracking-no")
        manager = sign_in(world.manager_a)
        case = case_by_number(tracking_no)
        walk_to_answered(manager, case)
        first_due = case_by_number(tracking_no).due_at
    with clock.frozen_at(datetime(2025, 9, 10, 2, 0, tzinfo=UTC)):
        citizen.post("/track", data={"tracking_no": tracking_no, "factor": "1111"})
        response = citizen.post(f"/track/{tracking_no}/verdict",
                                data={"verdict": "dissatisfied", "note": "问题没有解决"})
        assert response.status_code == 302

    case = case_by_number(tracking_no)
    assert case.state == CaseState.ASSIGNED and case.reopen_count == 1
    assert case.verdict == "dissatisfied" and case.verdict_source == "citizen"
    assert case.due_at > first_due  # counted again from the reopening
    assert [e.kind for e in case.events][-2:] == [EventKind.FOLLOWED_UP, EventKind.REOPENED]
    # The assignee and the supervisors hear of it.
    told = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "case.reopened")))
    assert {world.manager_a.id, world.supervisor.id} <= told
    # It goes round again and can close after a satisfied callback.
    walk_again = sign_in(world.manager_a)
    walk_again.post(f"/admin/cases/{case.id}/verify", data={
        "founded": "yes", "finding": "再次核实", "triage": "fix_by_deadline"})
    walk_again.post(f"/admin/cases/{case.id}/answer", data={"reply": "已限期整改完毕"})
    walk_again.post(f"/admin/cases/{case.id}/callback", data={"verdict": "fairly_satisfied"})
    assert walk_again.post(f"/admin/cases/{case.id}/close").status_code == 302
    assert case_by_number(tracking_no).state == CaseState.CLOSED


def sweep(runner, when: datetime) -> str:
    result = runner.invoke(args=["sweep", "--now", when.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_case_goes_overdue_by_working_days_under_manyi_sweep(app, runner, world, sign_in):
    # Opened on 30 September 2025, before the National Day holiday (1–8 October, with the
    # make-up working Saturday 11 October): 5 working days end on Tuesday 14 October.
    # Counting weekends only would have ended on 7 October.
    opened = datetime(2025, 9, 30, 10, 0, tzinfo=BEIJING)
    with clock.frozen_at(opened):
        tracking_no = shown(rate(app.test_client(), world.window_a, overall="1").text,
                            "tracking-no")
    # The deadline is counted in the rating's own transaction, holidays included.
    case = case_by_number(tracking_no)
    assert case.due_at == datetime(2025, 10, 15, 0, 0, tzinfo=BEIJING)
    assert case.deadline_days == 5 and not case.deadline_estimated
    assert case.deadline_start == opened

    output = sweep(runner, opened + timedelta(minutes=5))
    assert "cases announced: 1" in output and "cases overdue: 0" in output
    assert case_by_number(tracking_no).due_at == datetime(2025, 10, 15, 0, 0, tzinfo=BEIJING)
    managers_told = db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "case.new")).all()
    assert managers_told == [world.manager_a.id]

    assert "cases overdue: 0" in sweep(runner, datetime(2025, 10, 8, 12, 0, tzinfo=BEIJING))
    assert "cases overdue: 0" in sweep(runner, datetime(2025, 10, 14, 23, 0, tzinfo=BEIJING))
    assert not case_by_number(tracking_no).overdue

    output = sweep(runner, datetime(2025, 10, 15, 0, 30, tzinfo=BEIJING))
    assert "cases overdue: 1" in output
    case = case_by_number(tracking_no)
    assert case.overdue and case.overdue_at == datetime(2025, 10, 15, 0, 30, tzinfo=BEIJING)
    escalated = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "case.overdue")))
    # The nearest supervisors (the county's), not the province's, and the window's manager.
    assert escalated == {world.supervisor.id, world.manager_a.id}
    overdue_events = [e for e in case.events if e.kind == EventKind.OVERDUE]
    assert len(overdue_events) == 1 and overdue_events[0].details["escalated_to"] == ["sup-wc"]

    # Idempotent: a second run marks nothing and tells nobody again.
    assert "cases overdue: 0" in sweep(runner, datetime(2025, 10, 15, 1, 0, tzinfo=BEIJING))
    assert db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.kind == EventKind.OVERDUE)) == 1

    # The manager's overdue filter shows it; answering late is recorded as late.
    manager = sign_in(world.manager_a)
    with clock.frozen_at(datetime(2025, 10, 15, 9, 0, tzinfo=BEIJING)):
        assert tracking_no in tracking_numbers(manager.get("/admin/cases?overdue=1").text)
        walk_to_answered(manager, case)
    assert case_by_number(tracking_no).answered_on_time is False


def test_wrong_combinations_reveal_nothing(app, world):
    citizen = app.test_client()
    thanks = rate(citizen, world.window_a, overall="1", comment="没有留电话")
    tracking_no, code = shown(thanks.text, "tracking-no"), shown(thanks.text, "access-code")
    assert code and len(code) == 6

    stranger = app.test_client()
    wrong_code = stranger.post("/track", data={"tracking_no": tracking_no,
                                               "factor": f"{(int(code) + 1) % 10**6:06d}"})
    unknown = stranger.post("/track", data={"tracking_no": "20990101-ZZZZZZ", "factor": code})
    assert wrong_code.status_code == unknown.status_code == 422
    assert wrong_code.text.replace("20990101-ZZZZZZ", tracking_no) == unknown.text.replace(
        "20990101-ZZZZZZ", tracking_no)
    assert "没有留电话" not in wrong_code.text
    # Without a successful lookup the case page sends back to the form.
    assert stranger.get(f"/track/{tracking_no}").status_code == 302
    assert stranger.post(f"/track/{tracking_no}/verdict",
                         data={"verdict": "dissatisfied"}).status_code == 302

    found = stranger.post("/track", data={"tracking_no": tracking_no, "factor": code})
    assert found.status_code == 302
    assert "没有留电话" in stranger.get(f"/track/{tracking_no}").text


def test_a_double_tap_on_a_bad_review_opens_one_case_and_shows_the_same_code(app, world):
    import re

    from tests.cases.support import form_url

    citizen = app.test_client()
    page = citizen.get(form_url(world.window_a))
    data = {"nonce": re.search(r'name="nonce" value="([^"]+)"', page.text).group(1),
            "overall": "1"}
    first = citizen.post(form_url(world.window_a), data=data)
    second = citizen.post(form_url(world.window_a), data=data)  # the page the browser shows
    assert shown(first.text, "access-code") == shown(second.text, "access-code")
    assert shown(first.text, "tracking-no") == shown(second.text, "tracking-no")
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1
    assert citizen.post("/track", data={"tracking_no": shown(second.text, "tracking-no"),
                                        "factor": shown(second.text, "access-code")}
                        ).status_code == 302


def test_a_good_rating_that_asks_for_a_reply_is_a_suggestion_case(app, world):
    thanks = rate(app.test_client(), world.window_b, overall="4", comment="能否延长午间服务？",
                  phone="13600001234", consent="yes", wants_reply="yes")
    case = case_by_number(shown(thanks.text, "tracking-no"))
    assert case.kind == CaseKind.SUGGESTION and case.content == "能否延长午间服务？"
    assert shown(thanks.text, "access-code") is None


def test_a_case_to_fix_by_a_deadline_drafts_a_rectification_notice(app, world, sign_in):
    from feedback.notices.models import Notice

    case = case_by_number(shown(rate(app.test_client(), world.window_a, overall="1",
                                     comment="三次都没办成").text, "tracking-no"))
    manager = sign_in(world.manager_a)
    manager.post(f"/admin/cases/{case.id}/take")
    manager.post(f"/admin/cases/{case.id}/verify", data={
        "founded": "yes", "finding": "流程设计不合理", "triage": "fix_by_deadline"})
    assert "起草整改通知" not in manager.get(f"/admin/cases/{case.id}").text
    supervisor = sign_in(world.supervisor)
    assert "起草整改通知" in supervisor.get(f"/admin/cases/{case.id}").text
    response = supervisor.post("/admin/notices/from-cases", data={"case": str(case.id)})
    assert response.status_code == 302, response.text
    notice = db.session.scalars(select(Notice)).one()
    assert notice.window_id == world.window_a.id and case.tracking_no in notice.problem
