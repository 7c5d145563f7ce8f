"""A bad review from the rating form reaches the window's manager by itself: its deadline is
counted in the rating's own transaction, and the periodic worker tells the manager within
seconds, with no sweep run by hand."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from feedback.extensions import db
from feedback.notifications.models import Notification
from feedback.periodic.worker import run_worker
from feedback.workdays.calendar import DeadlineKind
from feedback.workdays.queries import deadline_for
from tests.cases.support import case_by_number, rate, shown


def test_the_worker_tells_the_manager_of_a_bad_review_within_seconds(app, world):
    """Two workers run (two app servers): the manager is told once."""
    tracking_no = shown(rate(app.test_client(), world.window_a, overall="1",
                             comment="等了两个小时").text, "tracking-no")
    case = case_by_number(tracking_no)
    # The deadline is there from the start, as the unit's policy and the calendar give it.
    expected = deadline_for(world.hall, DeadlineKind.CASE_ANSWER, case.created_at)
    assert case.due_at == expected.due_at and case.deadline_days == 5
    assert case.announced_at is None

    stop = threading.Event()
    workers = [threading.Thread(target=run_worker, args=(app, stop), daemon=True)
               for _ in range(2)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    try:
        told = []
        while time.monotonic() - started < 20 and not told:
            time.sleep(0.2)
            db.session.rollback()
            told = db.session.scalars(select(Notification).where(
                Notification.kind == "case.new")).all()
        time.sleep(1)  # time for a second announcement, were there one
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
    assert not any(worker.is_alive() for worker in workers)  # stopping a worker stops it
    db.session.rollback()
    told = db.session.scalars(select(Notification).where(Notification.kind == "case.new")).all()
    assert [n.user_id for n in told] == [world.manager_a.id]
    assert tracking_no in told[0].subject
    assert case_by_number(tracking_no).announced_at is not None
