"""Running the periodic steps under leases, and recording how each run went.

Services here commit: a step's run is its own unit of work, outside any request. The lease is
taken and committed first (so other runners see it), the step runs, and its work, its success
record and the lease's release commit together. A step that raises is rolled back, logged and
recorded as failed; the other steps still run.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text, update

from feedback import clock
from feedback.extensions import db
from feedback.periodic.models import StepRun
from feedback.periodic.steps import STEPS, Step

log = logging.getLogger(__name__)

ERROR_MAX = 2000  # characters of a failure's message kept


def runner_id() -> str:
    """Who holds a lease: host, process and a random part (two runners in one process too)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:128]


@dataclass(frozen=True)
class Outcome:
    """What became of one step in one run."""

    step: str
    count: int | None = None  # things changed; None when it did not run or failed
    error: str | None = None  # the failure's message
    held_by: str | None = None  # not run: another runner holds its lease

    @property
    def ok(self) -> bool:
        return self.error is None and self.held_by is None


_ENSURE = text("INSERT INTO step_runs (name, failures) VALUES (:name, 0) "
               "ON CONFLICT (name) DO NOTHING")


def take_lease(step: Step, owner: str, at: datetime) -> str | None:
    """Take ``step``'s lease for ``owner`` until ``at + step.lease`` if nobody holds it (or
    the holder's lease expired) and commit; return None when taken, else the holder.

    One conditional UPDATE decides: of two runners asking at once, one changes the row."""
    db.session.execute(_ENSURE, {"name": step.name})
    taken = db.session.execute(
        update(StepRun)
        .where(StepRun.name == step.name,
               (StepRun.lease_until.is_(None)) | (StepRun.lease_until <= at))
        .values(lease_owner=owner, lease_until=at + step.lease, last_started_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    holder = None if taken else db.session.scalar(
        text("SELECT lease_owner FROM step_runs WHERE name = :name"), {"name": step.name})
    db.session.commit()
    return holder


def _finish(step: Step, owner: str, **values) -> bool:
    """Release ``owner``'s lease of ``step`` and record ``values``, in the current
    transaction; False when the lease is no longer ``owner``'s (it expired and was taken)."""
    return db.session.execute(
        update(StepRun)
        .where(StepRun.name == step.name, StepRun.lease_owner == owner)
        .values(lease_owner=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def run_step(step: Step, owner: str, now: datetime | None = None) -> Outcome:
    """Run ``step`` once if its lease can be had, at ``now`` (default: the clock's now).

    Commits the step's work with its success record and the lease's release; a step that
    raises is rolled back and its failure recorded (never raised). A run whose lease expired
    and was taken by another runner meanwhile is rolled back too: that runner does the work.
    ``now`` freezes the clock for the whole process while the step runs: pass it only from a
    single-threaded runner (``manyi sweep``).
    """
    started = clock.wall()
    holder = take_lease(step, owner, started)
    if holder is not None:
        return Outcome(step.name, held_by=holder)
    began = time.monotonic()
    try:
        if now is None:
            count = int(step.load()(clock.now()))
        else:
            with clock.frozen_at(now):
                count = int(step.load()(now))
        if not _finish(step, owner, last_success_at=clock.wall(), last_count=count,
                       last_seconds=round(time.monotonic() - began, 3), failures=0):
            db.session.rollback()
            log.warning("periodic step %r: lease lost to another runner, work rolled back",
                        step.name)
            return Outcome(step.name, error="lease lost to another runner")
        db.session.commit()
        return Outcome(step.name, count=count)
    except Exception as exc:  # a failing step must not stop the others
        db.session.rollback()
        message = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        log.exception("periodic step %r failed", step.name)
        try:
            _finish(step, owner, last_error_at=clock.wall(), last_error=message,
                    failures=StepRun.failures + 1)
            db.session.commit()
        except Exception:  # the database itself is gone: the lease expires by itself
            db.session.rollback()
            log.exception("periodic step %r: could not record the failure", step.name)
        return Outcome(step.name, error=message)


def sweep(now: datetime, steps: Iterable[Step] | None = None,
          owner: str | None = None) -> list[Outcome]:
    """Run every step once, in order, at ``now`` (aware): ``manyi sweep``.

    Each step commits on its own; one that fails is recorded and the next runs. Steps whose
    lease another runner holds (the worker, a second cron) are left to it.
    Raises ``ValueError`` for a naive ``now``.
    """
    if now.tzinfo is None:
        raise ValueError("the sweep needs an aware time")
    owner = owner or runner_id()
    return [run_step(step, owner, now) for step in (STEPS if steps is None else steps)]


def counts(outcomes: Iterable[Outcome]) -> dict[str, int]:
    """``{step name: count}`` of the steps that ran."""
    return {o.step: o.count for o in outcomes if o.count is not None}
