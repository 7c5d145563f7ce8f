"""A notice from an alert to verified closure: issued by a supervisor, acknowledged and
reported with an image by the window's manager, returned once, reported again, verified."""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from feedback import clock
from feedback.audit.models import AuditLog
from feedback.extensions import db
from feedback.notices.models import EvidenceFile, Notice
from feedback.notices.services import (
    acknowledge_notice,
    draft_notice,
    issue_notice,
    submit_report,
    verify_notice,
)
from feedback.notices.workflow import EventKind, IllegalMove, NoticeState
from feedback.notifications.models import Notification
from feedback.workdays.calendar import add_working_days

# A Monday in Beijing, far from any holiday.
MONDAY = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def alert_notice(province, rate) -> Notice:
    """What the alerts engine hands over: a draft with the alert and its bad reviews."""
    bad = [rate(province.window, 1), rate(province.window, 2)]
    notice = draft_notice(
        province.city_sup, target_window=province.window,
        problem="一周内差评激增：7天内收到12条差评，多为“等候时间长”。",
        requirement="增开窗口，高峰期安排引导员，每日公示等候时间。",
        evidence={"alert": 41, "evaluations": [e.id for e in bad],
                  "chart": f"/dashboard/windows/{province.window.code}"},
        source="alert", source_key="alert:41",
    )
    db.session.commit()
    return notice


def inbox(user) -> list[str]:
    return list(db.session.scalars(
        select(Notification.kind).where(Notification.user_id == user.id)
        .order_by(Notification.id)))


def audit_trail(notice: Notice) -> list[tuple[str, str]]:
    return [tuple(row) for row in db.session.execute(
        select(AuditLog.action, AuditLog.actor_name)
        .where(AuditLog.object_type == "Notice", AuditLog.object_id == str(notice.id))
        .order_by(AuditLog.id))]


def test_a_notice_from_an_alert_walks_to_verified_closure(app, province, rate, sign_in, files):
    with clock.frozen_at(MONDAY - timedelta(hours=1)):
        notice = alert_notice(province, rate)
    assert notice.state == NoticeState.DRAFT
    assert draft_notice(province.city_sup, target_window=province.window, problem="again",
                        source="alert", source_key="alert:41").id == notice.id  # idempotent
    supervisor, manager = sign_in(province.city_sup), sign_in(province.manager)
    page = f"/admin/notices/{notice.id}"
    assert manager.get(page).status_code == 403  # a draft is the supervisor's alone

    # The supervisor sends it: a number and a deadline of 15 working days.
    with clock.frozen_at(MONDAY):
        assert supervisor.post(f"{page}/issue").status_code == 302
    notice = db.session.get(Notice, notice.id)
    assert notice.state == NoticeState.ISSUED
    assert re.fullmatch(r"2026-\d{4}", notice.number)
    assert notice.due_at == add_working_days(MONDAY, 15).due_at
    assert "notice.issued" in inbox(province.manager)
    shown = supervisor.get(page).text
    assert "一周内差评激增" in shown
    assert f'href="/dashboard/windows/{province.window.code}"' in shown  # evidence links

    # The manager finds it in their list, acknowledges and reports with a photo.
    listing = manager.get("/admin/notices").text
    assert notice.title in listing
    assert manager.post(f"{page}/acknowledge").status_code == 302
    assert db.session.get(Notice, notice.id).state == NoticeState.ACKNOWLEDGED
    photo = files.png()
    response = manager.post(f"{page}/report", data={
        "measures": "已增开2号窗口，高峰期安排引导员。",
        "files": [(io.BytesIO(photo), "现场照片.png")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    notice = db.session.get(Notice, notice.id)
    assert notice.state == NoticeState.REPORTED
    stored = notice.reports[0].files[0]
    assert (stored.original_name, stored.content_type, stored.size) == (
        "现场照片.png", "image/png", len(photo))
    path = os.path.join(app.config["UPLOAD_FOLDER"], "notices", stored.stored_name)
    with open(path, "rb") as fh:
        assert fh.read() == photo
    assert "现场照片" not in stored.stored_name and "static" not in path
    assert "notice.reported" in inbox(province.city_sup)

    # The supervisor returns it once, with comments the manager then reads.
    assert supervisor.post(f"{page}/return", data={"comment": ""}).status_code == 302
    assert db.session.get(Notice, notice.id).state == NoticeState.REPORTED  # comment required
    supervisor.post(f"{page}/return", data={"comment": "请补充公示等候时间的照片。"})
    notice = db.session.get(Notice, notice.id)
    assert (notice.state, notice.return_count) == (NoticeState.RETURNED, 1)
    assert "请补充公示等候时间的照片。" in manager.get(page).text
    assert "notice.returned" in inbox(province.manager)

    # A second report, this time with a PDF, and the supervisor verifies.
    response = manager.post(f"{page}/report", data={
        "measures": "每日在大厅显示屏公示等候时间，见附件。",
        "files": [(io.BytesIO(files.pdf()), "公示记录.pdf"),
                  (io.BytesIO(files.jpeg()), "显示屏.jpg")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    assert supervisor.post(f"{page}/verify", data={"comment": "整改到位。"}).status_code == 302
    notice = db.session.get(Notice, notice.id)
    assert notice.state == NoticeState.CLOSED
    assert [r.outcome.value for r in notice.reports] == ["returned", "accepted"]
    assert len(notice.files) == 3
    assert "notice.closed" in inbox(province.manager)

    # Every step is on the timeline and in the audit log, with its author.
    assert [(e.kind, e.actor_name) for e in notice.events] == [
        (EventKind.CREATED, "cs-sup"), (EventKind.ISSUED, "cs-sup"),
        (EventKind.ACKNOWLEDGED, "wc-mgr"), (EventKind.REPORTED, "wc-mgr"),
        (EventKind.RETURNED, "cs-sup"), (EventKind.REPORTED, "wc-mgr"),
        (EventKind.VERIFIED, "cs-sup"),
    ]
    assert audit_trail(notice) == [
        ("notice.draft", "cs-sup"), ("notice.issue", "cs-sup"),
        ("notice.acknowledge", "wc-mgr"), ("notice.report", "wc-mgr"),
        ("notice.return", "cs-sup"), ("notice.report", "wc-mgr"), ("notice.verify", "cs-sup"),
    ]
    timeline = manager.get(page).text
    assert "请补充公示等候时间的照片。" in timeline and "整改到位。" in timeline


def _issued(province) -> Notice:
    notice = draft_notice(province.city_sup, target_window=province.window, problem="问题",
                          requirement="要求")
    issue_notice(province.city_sup, notice)
    db.session.commit()
    return notice


@pytest.mark.parametrize(("move", "state"), [
    ("acknowledge", NoticeState.DRAFT),
    ("report", NoticeState.ISSUED),
    ("verify", NoticeState.ISSUED),
    ("verify", NoticeState.CLOSED),
    ("acknowledge", NoticeState.CLOSED),
])
def test_illegal_moves_raise_and_change_nothing(province, files, move, state):
    notice = draft_notice(province.city_sup, target_window=province.window, problem="问题",
                          requirement="要求")
    if state != NoticeState.DRAFT:
        issue_notice(province.city_sup, notice)
    if state == NoticeState.CLOSED:
        acknowledge_notice(province.manager, notice)
        submit_report(province.manager, notice, "已整改")
        verify_notice(province.city_sup, notice)
    db.session.commit()
    events = len(notice.events)
    with pytest.raises(IllegalMove):
        if move == "acknowledge":
            notice.acknowledge(province.manager, clock.now())
        elif move == "report":
            submit_report(province.manager, notice, "措施", [("a.png", io.BytesIO(files.png()))])
        else:
            notice.verify(province.city_sup, clock.now())
    db.session.rollback()
    notice = db.session.get(Notice, notice.id)
    assert notice.state == state
    assert len(notice.events) == events
    assert db.session.scalars(select(EvidenceFile)).all() == []


def test_an_illegal_move_over_http_is_refused_with_a_message(province, sign_in):
    notice = _issued(province)
    supervisor = sign_in(province.city_sup)
    response = supervisor.post(f"/admin/notices/{notice.id}/verify", follow_redirects=True)
    assert response.status_code == 200
    assert "不能" in response.text  # "已下发的通知不能验收"
    assert db.session.get(Notice, notice.id).state == NoticeState.ISSUED


def test_the_issuing_level_verifies_not_a_supervisor_below_it(province, sign_in):
    """The county's supervisor sees the city's notice to a window below, but the city
    verifies it."""
    notice = _issued(province)
    acknowledge_notice(province.manager, notice)
    submit_report(province.manager, notice, "已整改")
    db.session.commit()
    county = sign_in(province.county_sup)
    assert county.get(f"/admin/notices/{notice.id}").status_code == 200
    assert county.post(f"/admin/notices/{notice.id}/verify").status_code == 403
    assert db.session.get(Notice, notice.id).state == NoticeState.REPORTED
    province_level = sign_in(province.province_sup)
    assert province_level.post(f"/admin/notices/{notice.id}/verify").status_code == 302
    assert db.session.get(Notice, notice.id).state == NoticeState.CLOSED


def test_supervisor_drafts_from_the_form_and_sees_errors(province, sign_in, rate):
    supervisor = sign_in(province.city_sup)
    evaluation = rate(province.window, 1)
    other = rate(province.window_b, 1)
    form = {"window": province.window.code, "problem": "窗口人员态度生硬", "requirement": "培训",
            "kind": "rectification", "source": "inspection", "inspection": "2026年3月暗访第5项",
            "evaluations": str(evaluation.id)}
    response = supervisor.post("/admin/notices/new", data={**form, "evaluations": str(other.id)})
    assert response.status_code == 200  # an evaluation of another window is refused
    assert db.session.scalars(select(Notice)).all() == []
    response = supervisor.post("/admin/notices/new", data=form)
    assert response.status_code == 302
    notice = db.session.scalars(select(Notice)).one()
    assert (notice.state, notice.deadline_days, notice.source.value) == (
        NoticeState.DRAFT, 15, "inspection")
    assert {(link.kind.value, link.ref) for link in notice.links} == {
        ("evaluation", str(evaluation.id)), ("inspection", "2026年3月暗访第5项")}
    # ... and may not address a window of another city.
    response = supervisor.post("/admin/notices/new", data={**form, "window":
                                                           province.window_b.code,
                                                           "evaluations": ""})
    assert response.status_code == 403


def test_a_draft_from_cases_triaged_for_a_deadline(province, sign_in):
    from feedback.cases.models import CaseKind, CaseSource
    from feedback.cases.workflow.services import open_case

    first = open_case(None, kind=CaseKind.COMPLAINT, source=CaseSource.HOTLINE,
                      content="窗口无人值守", window=province.window).case
    second = open_case(None, kind=CaseKind.COMPLAINT, source=CaseSource.HOTLINE,
                       content="材料要求前后不一", window=province.window).case
    elsewhere = open_case(None, kind=CaseKind.COMPLAINT, source=CaseSource.HOTLINE,
                          content="另一个城市", window=province.window_b).case
    db.session.commit()
    supervisor = sign_in(province.city_sup)
    assert supervisor.post("/admin/notices/from-cases",
                           data={"case": [first.id, elsewhere.id]}).status_code == 302
    assert db.session.scalars(select(Notice)).all() == []  # cases of two cities: refused
    response = supervisor.post("/admin/notices/from-cases", data={"case": [first.id, second.id]})
    assert response.status_code == 302
    notice = db.session.scalars(select(Notice)).one()
    assert (notice.window_id, notice.source.value) == (province.window.id, "cases")
    assert first.tracking_no in notice.problem and "材料要求前后不一" in notice.problem
    assert {link.ref for link in notice.links} == {str(first.id), str(second.id)}
    assert f'href="/admin/cases/{first.id}"' in supervisor.get(f"/admin/notices/{notice.id}").text
    # The other city's supervisor may not draft about these cases.
    other = sign_in(province.city_b_sup)
    assert other.post("/admin/notices/from-cases", data={"case": [first.id]}).status_code == 403


def test_a_draft_follows_the_units_policy_is_edited_then_frozen_once_sent(province, sign_in):
    from feedback.workdays.calendar import DeadlineKind
    from feedback.workdays.services import set_deadline_policy

    set_deadline_policy(None, province.county_a, DeadlineKind.NOTICE, 8)
    notice = draft_notice(province.city_sup, target_window=province.window, problem="问题",
                          requirement="要求")
    db.session.commit()
    assert notice.deadline_days == 8  # the county's rule applies to the hall below it
    supervisor = sign_in(province.city_sup)
    page = f"/admin/notices/{notice.id}"
    assert supervisor.get(f"{page}/edit").status_code == 200
    response = supervisor.post(f"{page}/edit", data={
        "title": "关于窗口纪律的整改通知", "problem": "问题", "requirement": "要求",
        "deadline_days": "10"})
    assert response.status_code == 302
    notice = db.session.get(Notice, notice.id)
    assert (notice.title, notice.deadline_days) == ("关于窗口纪律的整改通知", 10)
    assert notice.events[-1].kind == EventKind.EDITED
    assert supervisor.post(f"{page}/edit", data={
        "problem": "问题", "requirement": "要求", "deadline_days": "61"}).status_code == 200
    with clock.frozen_at(MONDAY):
        supervisor.post(f"{page}/issue")
    notice = db.session.get(Notice, notice.id)
    assert notice.due_at == add_working_days(MONDAY, 10).due_at
    # Sent: the text and the deadline no longer change, and it cannot be dropped.
    assert supervisor.post(f"{page}/edit", data={
        "title": "改", "problem": "改", "requirement": "改",
        "deadline_days": "1"}).status_code == 302
    supervisor.post(f"{page}/cancel", data={"reason": "不要了"})
    notice = db.session.get(Notice, notice.id)
    assert (notice.title, notice.deadline_days, notice.state) == (
        "关于窗口纪律的整改通知", 10, NoticeState.ISSUED)


def test_a_draft_is_dropped_with_a_reason(province, sign_in):
    notice = draft_notice(province.city_sup, target_window=province.window, problem="问题")
    db.session.commit()
    supervisor = sign_in(province.city_sup)
    supervisor.post(f"/admin/notices/{notice.id}/cancel", data={"reason": ""})
    assert db.session.get(Notice, notice.id).state == NoticeState.DRAFT
    supervisor.post(f"/admin/notices/{notice.id}/issue")  # no requirement yet: refused
    assert db.session.get(Notice, notice.id).state == NoticeState.DRAFT
    supervisor.post(f"/admin/notices/{notice.id}/cancel", data={"reason": "已立行立改"})
    notice = db.session.get(Notice, notice.id)
    assert notice.state == NoticeState.CANCELLED and notice.events[-1].comment == "已立行立改"


def test_a_number_taken_by_a_concurrent_issue_is_retried_not_a_500(province, rate, monkeypatch):
    """Two supervisors sending notices at the same instant read the same highest number; the
    one that commits second must get the next number, not a unique-constraint error."""
    import feedback.notices.services as services

    with clock.frozen_at(MONDAY):
        first = alert_notice(province, rate)
        issue_notice(province.city_sup, first)
        db.session.commit()
        second = draft_notice(province.city_sup, target_window=province.window,
                              problem="等候时间长", requirement="增开窗口", evidence={},
                              source="scratch")
        db.session.commit()
        real_next_number = services._next_number
        reads = []

        def stale_then_fresh(now):  # the first read is what the other transaction also read
            reads.append(now)
            return first.number if len(reads) == 1 else real_next_number(now)

        monkeypatch.setattr(services, "_next_number", stale_then_fresh)
        issue_notice(province.city_sup, second)
        db.session.commit()

    assert len(reads) == 2
    assert second.state == NoticeState.ISSUED
    assert second.number != first.number
    assert [e.kind for e in second.events].count(EventKind.ISSUED) == 1
