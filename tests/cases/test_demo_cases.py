"""The demo province holds cases in every state, on the demo windows, made by the system."""

from __future__ import annotations

from sqlalchemy import select

from feedback.accounts.models import User
from feedback.audit.models import AuditLog
from feedback.cases.models import AppealState, Case, CaseState
from feedback.demo.data import DEMO_PASSWORD
from feedback.extensions import db


def test_demo_has_cases_in_every_state(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "12 cases" in result.output
    cases = db.session.scalars(select(Case)).all()
    assert {c.state for c in cases} == set(CaseState)
    assert any(c.overdue for c in cases) and any(c.reopen_count for c in cases)
    assert {a.state for c in cases for a in c.appeals} == {AppealState.PENDING,
                                                           AppealState.UPHELD}
    assert all(c.due_at is not None and c.announced_at is not None for c in cases)
    case_actions = {e.actor_name for e in db.session.scalars(
        select(AuditLog).where(AuditLog.action.like("case.%")))}
    assert case_actions == {"system"}

    manager = db.session.scalar(select(User).where(User.username == "manager"))
    mine = {w.id for w in manager.windows}
    client.post("/login", data={"username": "manager", "password": DEMO_PASSWORD})
    page = client.get("/admin/cases")
    for case in cases:
        assert (case.tracking_no in page.text) == (case.window_id in mine
                                                   or case.assignee_id == manager.id)
