"""The demo's alert history (a step of ``feedback.demo.loader``).

The demo's six months of ratings were never watched: this runs the detection once for every
past day, late in that day, as the periodic worker would have, so the alerts list, the
supervisors' inbox and the dashboards' markers show what the demo's weak and silent windows
raised, and when. Today is left to the sweep that ``manyi demo`` runs after loading.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import TYPE_CHECKING

from feedback import clock
from feedback.alerts.services import detect_alerts
from feedback.stats.demo import DAYS

if TYPE_CHECKING:
    from feedback.demo.loader import DemoContext

RUN_AT = time(23, 55)  # local time of each day's run


def add_alert_history(ctx: DemoContext) -> None:
    """Raise the alerts of every past day of the demo's ratings, as of that day."""
    today = clock.local_date(ctx.now)
    first = today - timedelta(days=DAYS)
    raised = 0
    for offset in range((today - first).days):
        day = first + timedelta(days=offset)
        moment = clock.start_of_local_day(day).replace(hour=RUN_AT.hour, minute=RUN_AT.minute)
        with clock.frozen_at(moment):
            raised += len(detect_alerts(moment))
    ctx.summary.counts["alerts"] = raised
