"""What the periodic work shows of itself: ``/healthz/ready`` and the administrators' banner."""

from __future__ import annotations

from datetime import timedelta

from feedback import clock
from feedback.accounts.models import Role
from feedback.extensions import db
from feedback.periodic.models import StepRun
from feedback.periodic.services import sweep
from feedback.periodic.steps import STEPS


def test_readiness_says_late_until_the_steps_have_run(app, client):
    before = client.get("/healthz/ready").get_json()
    assert before["status"] == "late" and before["database"] == "ok"
    assert set(before["steps"]) == {step.name for step in STEPS}
    assert all(s["late"] and s["last_success_at"] is None for s in before["steps"].values())

    assert all(outcome.ok for outcome in sweep(clock.now()))
    after = client.get("/healthz/ready").get_json()
    assert after["status"] == "ok"
    announced = after["steps"]["cases announced"]
    assert announced == {"every_seconds": 15, "last_success_at": announced["last_success_at"],
                         "last_count": 0, "late": False, "failing": False, "running": False}


def test_a_step_late_by_twice_its_cadence_is_named_to_administrators(app, client, sign_in,
                                                                     make_user, make_window):
    sweep(clock.now())
    row = db.session.get(StepRun, "cases overdue")
    row.last_success_at = clock.wall() - timedelta(minutes=3)  # every minute: late after two
    db.session.commit()
    health = client.get("/healthz/ready").get_json()
    assert health["status"] == "late"
    assert health["steps"]["cases overdue"]["late"]
    assert not health["steps"]["cases announced"]["late"]

    admin = sign_in(make_user(Role.ADMIN))
    page = admin.get("/").text
    assert "定时任务未按时运行" in page and "逾期工单升级" in page
    assert "manyi worker" in page and "manyi sweep" in page
    assert "新工单通知" not in page  # only the late one is named

    window = make_window()
    manager = sign_in(make_user(Role.MANAGER, windows=[window]))
    assert "定时任务未按时运行" not in manager.get("/").text


def test_a_failing_step_shows_on_the_banner_with_its_count(app, sign_in, make_user):
    sweep(clock.now())
    row = db.session.get(StepRun, "e-mails sent")
    row.failures, row.last_error_at, row.last_error = 3, clock.wall(), "SMTPConnectError: …"
    db.session.commit()
    page = sign_in(make_user(Role.ADMIN)).get("/").text
    assert "定时任务未按时运行" in page and "连续失败 3 次" in page
