"""The periodic steps, in the order a sweep runs them, with the cadence the worker keeps.

Adding a step is one entry here: a name (printed by ``manyi sweep``, shown by
``/healthz/ready``), the dotted path of a function ``(now: datetime) -> int`` (imported when
it runs, so this module imports no domain), how often it runs, and optionally a local time of
day after which it also runs once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l

StepFunction = Callable[[datetime], int]


@dataclass(frozen=True)
class Step:
    name: str  # printed by ``manyi sweep`` and the worker's log, a key of ``/healthz/ready``
    label: str  # for people (the administrators' banner), translated
    path: str  # "package.module:function"
    every: timedelta
    daily_at: time | None = None  # local time; the worker also runs the step then
    lease: timedelta = timedelta(minutes=10)  # longer than a run ever takes

    def load(self) -> StepFunction:
        module, _sep, name = self.path.partition(":")
        return getattr(importlib.import_module(module), name)

    @property
    def late_after(self) -> timedelta:
        """How long after its last success the step counts as late: twice its cadence."""
        return 2 * self.every


SECOND, MINUTE, HOUR = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1)

STEPS: tuple[Step, ...] = (
    # First: deadlines counted by weekends only are counted again once the year is entered.
    Step("case deadlines recounted", _l("Case deadlines recounted"),
         "feedback.cases.workflow.services:refresh_estimated_deadlines",
         every=10 * MINUTE),
    Step("notice deadlines recounted", _l("Notice deadlines recounted"),
         "feedback.notices.services:refresh_estimated_deadlines",
         every=10 * MINUTE),
    # A bad review from the rating form reaches its window's managers within seconds.
    Step("cases announced", _l("New cases announced"),
         "feedback.cases.workflow.services:announce_new_cases",
         every=15 * SECOND),
    Step("cases overdue", _l("Overdue cases escalated"),
         "feedback.cases.workflow.services:mark_overdue_cases", every=MINUTE),
    Step("notices overdue", _l("Overdue notices escalated"),
         "feedback.notices.services:mark_overdue_notices", every=MINUTE),
    Step("talk notices drafted", _l("Talk notices drafted"),
         "feedback.notices.repeat:sweep_talks", every=HOUR,
         daily_at=time(0, 10)),
    # Hourly on the day so far, and once just after local midnight on the complete day before.
    Step("alerts raised", _l("Alerts raised"),
         "feedback.alerts.services:sweep_step", every=HOUR,
         daily_at=time(0, 5), lease=30 * MINUTE),
    Step("chart cache pruned", _l("Chart cache pruned"),
         "feedback.charts.cache:prune_step", every=24 * HOUR),
    # Last, after every step that writes inbox messages: retries what could not be sent.
    Step("e-mails sent", _l("E-mails sent"),
         "feedback.notifications.services:send_pending", every=MINUTE),
)

BY_NAME = {step.name: step for step in STEPS}
