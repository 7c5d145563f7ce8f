"""Leases of the periodic steps: one runner at a time, a dead runner's lease expires, a
failing step is recorded and does not stop the others."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from feedback import clock
from feedback.extensions import db
from feedback.notifications.models import Notification
from feedback.periodic.models import StepRun
from feedback.periodic.services import counts, run_step, sweep, take_lease
from feedback.periodic.steps import Step

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
ENTERED = threading.Event()
RELEASE = threading.Event()
RUNS: list[str] = []


def slow_step(now: datetime) -> int:
    """Holds its lease until the test lets it go."""
    RUNS.append("slow")
    ENTERED.set()
    assert RELEASE.wait(10)
    return 1


def failing_step(now: datetime) -> int:
    raise RuntimeError("the upstream platform is down")


def counting_step(now: datetime) -> int:
    RUNS.append("counting")
    return 3


def notifying_step(now: datetime) -> int:
    """Writes something the test can count, so a rolled-back run shows as nothing done."""
    from feedback.accounts.models import User

    user = db.session.scalars(select(User)).first()
    db.session.add(Notification(user_id=user.id, kind="test", subject="once", body="",
                                link="/", created_at=now))
    db.session.flush()
    return 1


def step(name: str, function: str, lease: timedelta = timedelta(minutes=10)) -> Step:
    return Step(name, name, f"{__name__}:{function}", every=timedelta(minutes=1), lease=lease)


@pytest.fixture(autouse=True)
def _reset():
    RUNS.clear()
    ENTERED.clear()
    RELEASE.clear()
    yield
    RELEASE.set()


def test_of_two_runners_racing_for_a_step_only_one_runs_it(app):
    slow = step("slow", "slow_step")
    outcomes = {}

    def runner(owner: str) -> None:
        with app.app_context():
            outcomes[owner] = run_step(slow, owner)

    first = threading.Thread(target=runner, args=("machine-a",))
    first.start()
    assert ENTERED.wait(10)  # machine a is inside the step, holding the lease
    second = threading.Thread(target=runner, args=("machine-b",))
    second.start()
    second.join(10)
    RELEASE.set()
    first.join(10)

    assert outcomes["machine-a"].count == 1 and outcomes["machine-a"].ok
    assert outcomes["machine-b"].held_by == "machine-a" and outcomes["machine-b"].count is None
    assert RUNS == ["slow"]
    row = db.session.get(StepRun, "slow")
    db.session.refresh(row)
    assert row.lease_owner is None and row.lease_until is None  # released with the work
    assert row.last_count == 1 and row.failures == 0


def test_many_runners_asking_at_once_get_the_lease_once(app):
    counting = step("counting", "counting_step")
    barrier = threading.Barrier(6)
    holders = []

    def ask(owner: str) -> None:
        with app.app_context():
            barrier.wait(10)
            holders.append(take_lease(counting, owner, clock.wall()))

    threads = [threading.Thread(target=ask, args=(f"runner-{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert holders.count(None) == 1  # one took it; five were told who holds it
    winner = db.session.scalar(select(StepRun.lease_owner).where(StepRun.name == "counting"))
    assert sorted(h for h in holders if h is not None) == [winner] * 5


def test_a_dead_runners_lease_expires_and_the_work_is_done_once(app, make_user):
    make_user()
    notifying = step("notifying", "notifying_step", lease=timedelta(minutes=5))
    # A runner took the lease and died in the step: its transaction never committed.
    at = clock.wall()
    assert take_lease(notifying, "dead-machine", at) is None
    notifying_step(NOW)
    db.session.rollback()  # the process is gone: nothing it did was committed

    # Before the lease expires nobody else runs it; after, the next runner does, once.
    assert run_step(notifying, "live-machine").held_by == "dead-machine"
    row = db.session.get(StepRun, "notifying")
    row.lease_until = at - timedelta(seconds=1)  # five minutes have passed
    db.session.commit()
    assert run_step(notifying, "live-machine").count == 1
    assert db.session.scalar(select(db.func.count()).select_from(Notification)) == 1


def test_a_run_whose_lease_was_taken_over_commits_nothing(app, make_user):
    make_user()
    notifying = step("notifying", "notifying_step")
    assert take_lease(notifying, "slow-machine", clock.wall()) is None
    # The slow machine's lease expired and another runner took it over meanwhile.
    row = db.session.get(StepRun, "notifying")
    row.lease_owner, row.lease_until = "fast-machine", clock.wall() + timedelta(minutes=10)
    db.session.commit()
    from feedback.periodic.services import _finish

    notifying_step(NOW)
    assert not _finish(notifying, "slow-machine", last_count=1)  # the check run_step makes
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Notification)) == 0


def test_a_failing_step_is_recorded_and_the_others_still_run(app):
    steps = (step("before", "counting_step"), step("broken", "failing_step"),
             step("after", "counting_step"))
    outcomes = sweep(NOW, steps)
    assert [o.ok for o in outcomes] == [True, False, True]
    assert "upstream platform is down" in outcomes[1].error
    assert counts(outcomes) == {"before": 3, "after": 3}
    assert RUNS == ["counting", "counting"]

    broken = db.session.get(StepRun, "broken")
    assert broken.failures == 1 and "RuntimeError" in broken.last_error
    assert broken.last_success_at is None and broken.lease_owner is None
    sweep(NOW, steps)
    db.session.refresh(broken)
    assert broken.failures == 2  # in a row


def test_sweep_exits_non_zero_when_a_step_fails(app, runner, monkeypatch):
    from feedback.periodic import services

    broken = (step("broken", "failing_step"), step("fine", "counting_step"))
    monkeypatch.setattr(services, "STEPS", broken)
    result = runner.invoke(args=["sweep", "--now", "2026-06-10T18:00+08:00"])
    assert result.exit_code == 1
    assert "broken: FAILED: RuntimeError: the upstream platform is down" in result.output
    assert "fine: 3" in result.output
