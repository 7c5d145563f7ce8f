"""``manyi worker``: runs every periodic step at its own cadence, with APScheduler.

``make run`` starts it beside gunicorn (``Procfile``, run by honcho). Any number of workers
may run, on any number of machines: the steps' leases let one of them run each step at a time.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from feedback.periodic.services import run_step, runner_id
from feedback.periodic.steps import STEPS, Step

log = logging.getLogger(__name__)

# A slow step (alerts over thousands of windows) must not hold up the announcement of new
# cases every few seconds; three threads, each step at most once at a time.
THREADS = 3


def _run(app: Flask, step: Step, owner: str) -> None:
    with app.app_context():
        outcome = run_step(step, owner)
    if outcome.error is not None:
        log.error("%s: failed: %s", step.name, outcome.error)
    elif outcome.count:
        log.info("%s: %d", step.name, outcome.count)


def build_scheduler(app: Flask, steps: Iterable[Step] = STEPS,
                    owner: str | None = None) -> BackgroundScheduler:
    """A scheduler (not started) with a job per step: every ``step.every``, at once on start,
    and at ``step.daily_at`` local time where a step has one."""
    zone = app.config["BABEL_DEFAULT_TIMEZONE"]
    owner = owner or runner_id()
    scheduler = BackgroundScheduler(
        timezone=zone,
        executors={"default": ThreadPoolExecutor(THREADS)},
        # A run missed while the machine slept is run once, not once per missed period.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    for step in steps:
        scheduler.add_job(_run, IntervalTrigger(seconds=step.every.total_seconds(), timezone=zone),
                          args=(app, step, owner), id=step.name, name=step.name,
                          next_run_time=datetime.now(scheduler.timezone))
        if step.daily_at is not None:
            scheduler.add_job(_run, CronTrigger(hour=step.daily_at.hour,
                                                minute=step.daily_at.minute, timezone=zone),
                              args=(app, step, owner), id=f"{step.name} (daily)",
                              name=f"{step.name} (daily)")
    return scheduler


def run_worker(app: Flask, stop: threading.Event | None = None,
               steps: Iterable[Step] = STEPS) -> None:
    """Run the steps until ``stop`` is set, or until SIGINT or SIGTERM when called from the
    main thread; a step running then finishes (or rolls back) before this returns."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    scheduler = build_scheduler(app, steps)
    scheduler.start()
    log.info("periodic worker started: %s", ", ".join(
        f"{job.name} every {job.trigger}" for job in scheduler.get_jobs()))
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        log.info("periodic worker stopped")
