"""``manyi sweep`` (every step once, for cron) and ``manyi worker`` (every step at its cadence)."""

from __future__ import annotations

import logging
import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from feedback import clock


def _parse_now(now_text: str | None) -> datetime:
    if not now_text:
        return clock.now()
    try:
        now = datetime.fromisoformat(now_text)
    except ValueError:
        raise click.BadParameter("an ISO 8601 time, e.g. 2027-05-06T09:00+08:00",
                                 param_hint="--now") from None
    if now.tzinfo is None:
        raise click.BadParameter("give the time with its offset (+08:00 or Z)",
                                 param_hint="--now")
    return now


@click.command("sweep")
@click.option("--now", "now_text", metavar="ISO-8601",
              help="Run as if it were this time (with its offset, e.g. 2027-05-06T09:00+08:00).")
@with_appcontext
def sweep_command(now_text: str | None) -> None:
    """Run every periodic step once: deadlines, overdue cases and notices, alerts, e-mail.

    For cron (every minute) where ``manyi worker`` does not run; steps the worker is running
    are left to it. One transaction per step; prints the counts and exits with status 1 if a
    step failed (the others still ran)."""
    from feedback.periodic.services import sweep

    failed = False
    for outcome in sweep(_parse_now(now_text)):
        if outcome.held_by is not None:
            click.echo(f"{outcome.step}: running elsewhere ({outcome.held_by})")
        elif outcome.error is not None:
            failed = True
            click.echo(f"{outcome.step}: FAILED: {outcome.error}", err=True)
        else:
            click.echo(f"{outcome.step}: {outcome.count}")
    if failed:
        sys.exit(1)


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run every periodic step at its own cadence until stopped (Ctrl-C or SIGTERM).

    ``make run`` starts it beside the web server. Several workers (on several machines) may
    run: each step runs in one of them at a time."""
    from feedback.periodic.steps import STEPS
    from feedback.periodic.worker import run_worker

    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s [worker] %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    click.echo("Periodic steps: " + "; ".join(
        f"{s.name} every {s.every}" + (f" and daily at {s.daily_at:%H:%M}" if s.daily_at else "")
        for s in STEPS))
    run_worker(current_app._get_current_object())
