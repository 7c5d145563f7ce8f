"""Reads: how each periodic step has been doing (``/healthz/ready``, the administrators'
banner)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from feedback import clock
from feedback.extensions import db
from feedback.periodic.models import StepRun
from feedback.periodic.steps import STEPS, Step


@dataclass(frozen=True)
class StepStatus:
    step: Step
    last_success_at: datetime | None
    last_count: int | None
    last_error_at: datetime | None
    last_error: str | None
    failures: int  # in a row, since the last success
    running: bool  # a runner holds an unexpired lease now
    late: bool  # no success within twice its cadence (or never)

    @property
    def failing(self) -> bool:
        return self.failures > 0


def step_statuses(at: datetime | None = None) -> list[StepStatus]:
    """Every step of ``STEPS`` in order, with its latest runs as of ``at`` (default: now)."""
    at = at or clock.wall()
    rows = {row.name: row for row in db.session.scalars(select(StepRun))}
    statuses = []
    for step in STEPS:
        row = rows.get(step.name)
        success = row.last_success_at if row else None
        statuses.append(StepStatus(
            step=step,
            last_success_at=success,
            last_count=row.last_count if row else None,
            last_error_at=row.last_error_at if row else None,
            last_error=row.last_error if row else None,
            failures=row.failures if row else 0,
            running=bool(row and row.lease_until and row.lease_until > at),
            late=success is None or at - success > step.late_after,
        ))
    return statuses


def troubled_steps(at: datetime | None = None) -> list[StepStatus]:
    """The steps that are late or whose last run failed: what the administrators' banner
    names."""
    return [s for s in step_statuses(at) if s.late or s.failing]
