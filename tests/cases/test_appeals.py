"""申诉复核: an upheld appeal keeps the evaluation but takes it out of the statistics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback import clock
from feedback.audit.models import AuditLog
from feedback.cases.models import AppealState
from feedback.clock import local_date
from feedback.errors import ServiceError
from feedback.evaluations.models import Evaluation, FlagReason, FlagStatus
from feedback.extensions import db
from feedback.stats.queries import window_summary
from tests.cases.support import case_by_number, rate, shown


def bad_review(app, world):
    thanks = rate(app.test_client(), world.window_a, overall="1", comment="恶意差评")
    return case_by_number(shown(thanks.text, "tracking-no"))


def summary(window):
    today = local_date(clock.now())
    return window_summary([window.id], today - timedelta(days=1), today + timedelta(days=1))


def appeal_and_decide(world, sign_in, case, decision: str):
    manager = sign_in(world.manager_a)
    response = manager.post(f"/admin/cases/{case.id}/appeal", data={
        "grounds": "malicious", "evidence": "叫号记录显示该群众当天未在本窗口办理业务"})
    assert response.status_code == 302, response.text
    appeal = case_by_number(case.tracking_no).pending_appeal
    response = sign_in(world.supervisor).post(f"/admin/appeals/{appeal.id}/decide", data={
        "decision": decision, "note": "经核实"})
    assert response.status_code == 302, response.text
    db.session.expire_all()
    return appeal


def test_upheld_appeal_keeps_the_evaluation_but_stops_counting_it(app, world, sign_in):
    case = bad_review(app, world)
    rate(app.test_client(), world.window_a, overall="5")
    before = summary(world.window_a)
    assert before.n == 2 and before.counts[1] == 1

    appeal = appeal_and_decide(world, sign_in, case, "uphold")

    evaluation = db.session.get(Evaluation, case.evaluation_id)
    assert evaluation is not None and evaluation.comment == "恶意差评"  # stored, not deleted
    assert (evaluation.flag_status, evaluation.flag_reason) == (FlagStatus.EXCLUDED,
                                                                FlagReason.APPEAL)
    assert db.session.scalar(select(func.count()).select_from(Evaluation).where(
        Evaluation.counted)) == 1
    after = summary(world.window_a)
    assert after.n == 1 and after.counts[1] == 0 and after.flagged == 1
    assert appeal.state == AppealState.UPHELD and appeal.decided_by_id == world.supervisor.id

    audit = {(e.action, e.actor_name) for e in db.session.scalars(select(AuditLog))}
    assert ("evaluation.exclude", "sup-wc") in audit
    assert ("case.appeal_upheld", "sup-wc") in audit
    assert ("case.appealed", "mgr-a") in audit
    page = sign_in(world.manager_a).get(f"/admin/cases/{case.id}")
    assert "申诉成立" in page.text


def test_rejected_appeal_keeps_counting(app, world, sign_in):
    case = bad_review(app, world)
    appeal_and_decide(world, sign_in, case, "reject")
    evaluation = db.session.get(Evaluation, case.evaluation_id)
    assert evaluation.flag_status == FlagStatus.COUNTED
    assert summary(world.window_a).counts[1] == 1


def test_one_pending_appeal_at_a_time_and_none_after_exclusion(app, world, sign_in):
    from feedback.cases.models import AppealGrounds
    from feedback.cases.workflow.services import file_appeal

    case = bad_review(app, world)
    file_appeal(world.manager_a, case, AppealGrounds.MISTAKEN, "评错窗口")
    with pytest.raises(ServiceError):
        file_appeal(world.manager_a, case, AppealGrounds.MISTAKEN, "再申诉一次")
    db.session.commit()
    appeal_and_decide_directly(world, case)
    with pytest.raises(ServiceError):
        file_appeal(world.manager_a, case, AppealGrounds.MISTAKEN, "已经排除了")


def appeal_and_decide_directly(world, case):
    from feedback.cases.workflow.services import decide_appeal

    decide_appeal(world.supervisor, case.pending_appeal, upheld=True, note="成立")
    db.session.commit()


def test_nobody_decides_their_own_appeal(app, world):
    from feedback.cases.models import AppealGrounds
    from feedback.cases.workflow.services import decide_appeal, file_appeal

    case = bad_review(app, world)
    appeal = file_appeal(world.admin, case, AppealGrounds.MALICIOUS, "证据")
    with pytest.raises(ServiceError):
        decide_appeal(world.admin, appeal, upheld=True, note="自己批准")
    assert appeal.state == AppealState.PENDING


def test_only_bad_reviews_are_appealed(app, world, sign_in):
    from feedback.cases.models import CaseKind, CaseSource
    from feedback.cases.workflow.services import open_case

    complaint = open_case(world.operator, kind=CaseKind.COMPLAINT, source=CaseSource.HOTLINE,
                          content="投诉", window=world.window_a).case
    db.session.commit()
    response = sign_in(world.manager_a).post(f"/admin/cases/{complaint.id}/appeal",
                                             data={"grounds": "malicious", "evidence": "x"})
    assert response.status_code == 403
