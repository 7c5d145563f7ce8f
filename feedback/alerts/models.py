"""Stored alerts and the alert rules of org units."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback import clock
from feedback.accounts.models import User
from feedback.alerts.rules import RULE_BOUNDS, RULE_FIELDS, AlertKind, PeriodUnit
from feedback.dbtypes import UTCDateTime
from feedback.extensions import db
from feedback.notices.models import Notice
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Window


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, create_constraint=True,
                values_callable=lambda e: [m.value for m in e])


class AlertStatus(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    NOTICE_DRAFTED = "notice_drafted"


class IllegalTransition(Exception):
    """An alert cannot move from its status to the one asked for."""


class Alert(db.Model):
    """A statistical alert on one window for one period, with the numbers that raised it.

    One alert per window, kind and period: the detection does not raise a second alert for
    a period overlapping an earlier one of the same kind, whatever became of the first.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("window_id", "kind", "period_start",
                         name="uq_alerts_window_kind_period"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        CheckConstraint(
            "(status = 'dismissed') = (dismissed_at IS NOT NULL AND dismiss_reason IS NOT NULL)",
            name="dismissal_has_reason",
        ),
        CheckConstraint("(status = 'notice_drafted') = (notice_drafted_at IS NOT NULL)",
                        name="notice_drafted_when_stated"),
        Index("ix_alerts_status_detected", "status", "detected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id"))
    kind: Mapped[AlertKind] = mapped_column(_enum(AlertKind))
    status: Mapped[AlertStatus] = mapped_column(_enum(AlertStatus), default=AlertStatus.OPEN)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    # The numbers that raised it: counts, limits, the statistic (see feedback/alerts/rules.py).
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    # The draft rectification notice made from this alert.
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("notices.id", ondelete="SET NULL"), index=True)
    notice_drafted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_drafted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    window: Mapped[Window] = relationship()
    dismissed_by: Mapped[User | None] = relationship(foreign_keys=[dismissed_by_id])
    notice_drafted_by: Mapped[User | None] = relationship(foreign_keys=[notice_drafted_by_id])
    notice: Mapped[Notice | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN

    def dismiss(self, user: User | None, reason: str, now: datetime) -> None:
        """open → dismissed, with the reason; raises ``IllegalTransition`` otherwise."""
        if self.status != AlertStatus.OPEN:
            raise IllegalTransition(f"cannot dismiss a {self.status} alert")
        if not reason.strip():
            raise ValueError("a dismissal needs a reason")
        self.status = AlertStatus.DISMISSED
        self.dismissed_at = now
        self.dismissed_by_id = getattr(user, "id", None)
        self.dismiss_reason = reason.strip()

    def attach_notice(self, notice_id: int, user: User | None, now: datetime) -> None:
        """open → notice_drafted, linking the draft notice; ``IllegalTransition`` otherwise."""
        if self.status != AlertStatus.OPEN:
            raise IllegalTransition(f"cannot draft a notice from a {self.status} alert")
        self.status = AlertStatus.NOTICE_DRAFTED
        self.notice_id = notice_id
        self.notice_drafted_at = now
        self.notice_drafted_by_id = getattr(user, "id", None)

    def __repr__(self) -> str:
        return f"<Alert {self.id} {self.kind} window={self.window_id} {self.period_start}>"


def _bounds_checks() -> list[CheckConstraint]:
    checks = []
    for name, bounds in RULE_BOUNDS.items():
        checks.append(CheckConstraint(
            f"{name} IS NULL OR ({name} >= {bounds.low:g} AND {name} <= {bounds.high:g})",
            name=f"{name}_in_range",
        ))
    return checks


class AlertRule(db.Model):
    """One org unit's alert settings. ``NULL`` inherits from the unit above (and, at the
    root, from :data:`feedback.alerts.rules.DEFAULT_RULES`)."""

    __tablename__ = "alert_rules"
    __table_args__ = tuple(_bounds_checks())

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), unique=True)

    burst_enabled: Mapped[bool | None]
    burst_count: Mapped[int | None]
    burst_hours: Mapped[int | None]

    low_index_enabled: Mapped[bool | None]
    low_index_threshold: Mapped[float | None] = mapped_column(Float)
    low_index_min_ratings: Mapped[int | None]
    low_index_days: Mapped[int | None]

    pchart_enabled: Mapped[bool | None]
    pchart_period: Mapped[PeriodUnit | None] = mapped_column(_enum(PeriodUnit))
    pchart_sigmas: Mapped[float | None] = mapped_column(Float)
    pchart_history: Mapped[int | None]
    pchart_min_history: Mapped[int | None]
    pchart_min_count: Mapped[int | None]

    cusum_enabled: Mapped[bool | None]
    cusum_k: Mapped[float | None] = mapped_column(Float)
    cusum_h: Mapped[float | None] = mapped_column(Float)
    cusum_days: Mapped[int | None]
    cusum_history_days: Mapped[int | None]
    cusum_min_history: Mapped[int | None]

    silence_enabled: Mapped[bool | None]
    silence_days: Mapped[int | None]
    silence_min_median: Mapped[float | None] = mapped_column(Float)
    silence_working_days: Mapped[bool | None]
    silence_baseline_days: Mapped[int | None]

    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    org_unit: Mapped[OrgUnit] = relationship()

    def settings(self) -> dict[str, Any]:
        """``{setting: value}`` of the values this unit sets (``None`` ones left out)."""
        values = {name: getattr(self, name) for name in RULE_FIELDS}
        return {name: value for name, value in values.items() if value is not None}

    def __repr__(self) -> str:
        return f"<AlertRule unit={self.org_unit_id}>"

