"""The periodic sweep: each domain's step that moves things past their deadlines.

``manyi sweep`` runs it (from cron every few minutes; ``--now`` for tests and catching up).
Every step takes the time, changes what is due, returns how many things it changed, and is
idempotent: running the sweep twice changes nothing the second time. Each step runs in its
own transaction, so a failing step leaves the earlier ones done.

Adding a step is one line in ``STEPS``: a name for the printed count, and the dotted path of
a function ``(now: datetime) -> int`` (imported when the sweep runs, so this module imports no
domain).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime

from feedback import clock
from feedback.extensions import db

Step = Callable[[datetime], int]

STEPS: tuple[tuple[str, str], ...] = (
    # First: deadlines counted by weekends only are counted again once the year is entered.
    ("case deadlines recounted", "feedback.cases.workflow.services:refresh_estimated_deadlines"),
    ("notice deadlines recounted", "feedback.notices.services:refresh_estimated_deadlines"),
    ("cases announced", "feedback.cases.workflow.services:announce_new_cases"),
    ("cases overdue", "feedback.cases.workflow.services:mark_overdue_cases"),
    ("notices overdue", "feedback.notices.services:mark_overdue_notices"),
    ("talk notices drafted", "feedback.notices.repeat:sweep_talks"),
    ("alerts raised", "feedback.alerts.services:sweep_step"),
    # Last, after every step that writes inbox messages: retries what could not be sent.
    ("e-mails sent", "feedback.notifications.services:send_pending"),
)


def _load(path: str) -> Step:
    module, _sep, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def run(now: datetime, steps: tuple[tuple[str, str], ...] = STEPS) -> dict[str, int]:
    """Run every step in order at ``now`` (aware), committing after each; return the counts.

    The clock reads ``now`` meanwhile, so what the steps write carries that time. A step that
    raises is rolled back and the exception propagates (the earlier steps stay committed).
    """
    if now.tzinfo is None:
        raise ValueError("the sweep needs an aware time")
    counts: dict[str, int] = {}
    with clock.frozen_at(now):
        for name, path in steps:
            try:
                counts[name] = int(_load(path)(now))
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
    return counts
