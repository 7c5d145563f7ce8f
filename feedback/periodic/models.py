"""One row per periodic step: its lease and the outcome of its latest runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from feedback.dbtypes import UTCDateTime
from feedback.extensions import db


class StepRun(db.Model):
    """A periodic step's lease (who runs it, until when) and its latest success and failure.

    Times here are wall-clock times (``feedback.clock.wall``), not the time a sweep runs the
    steps *for* (``manyi sweep --now``): a lease must expire in real time.
    """

    __tablename__ = "step_runs"
    __table_args__ = (
        CheckConstraint("(lease_owner IS NULL) = (lease_until IS NULL)", name="lease_whole"),
        CheckConstraint("failures >= 0", name="failures_counted"),
    )

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_count: Mapped[int | None] = mapped_column(Integer)
    last_seconds: Mapped[float | None] = mapped_column(Float)  # how long the last success took
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row since the last success
