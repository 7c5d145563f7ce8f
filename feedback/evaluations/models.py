"""Evaluations and what issues or submits them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from feedback import clock
from feedback.dbtypes import UTCDateTime
from feedback.extensions import db
from feedback.questionnaires.models import SurveyVersion
from feedback.windows.models import Staff, Window


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, create_constraint=True,
                values_callable=lambda e: [m.value for m in e])


class Channel(enum.StrEnum):
    """How an evaluation reached Manyi."""

    QR = "qr"  # the window's desk-card QR code
    TOKEN = "token"  # noqa: S105  (a channel, not a secret) a one-transaction token printed on the receipt (一事一评)
    DEVICE = "device"  # a rating device 评价器 at the window, through the API
    WEB = "web"
    HOTLINE = "hotline"
    SMS = "sms"


class FlagStatus(enum.StrEnum):
    COUNTED = "counted"
    FLAGGED = "flagged"  # kept, but left out of statistics until a supervisor restores it
    RESTORED = "restored"  # flagged once, then restored by a supervisor
    EXCLUDED = "excluded"  # a manager's appeal (申诉复核) upheld by a supervisor: kept, not counted


# The statuses that count in statistics; every other status is kept but left out.
COUNTED_STATUSES = (FlagStatus.COUNTED, FlagStatus.RESTORED)


class FlagReason(enum.StrEnum):
    REPEAT = "repeat"  # the same browser rated the same window again too soon
    BURST = "burst"  # too many evaluations from one address in a short time
    STAFF_SESSION = "staff_session"  # submitted from a signed-in staff session
    APPEAL = "appeal"  # excluded by an upheld appeal


class Evaluation(db.Model):
    """One citizen's rating of one visit (一次一评), with its answers and channel."""

    __tablename__ = "evaluations"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_in_scale"),
        CheckConstraint(
            "(flag_status = 'counted') = (flag_reason IS NULL) OR flag_status = 'restored'",
            name="flag_reason_matches_status",
        ),
        CheckConstraint("wants_reply = false OR phone_cipher IS NOT NULL",
                        name="reply_needs_phone"),
        Index("ix_evaluations_window_created", "window_id", "created_at"),
        Index("ix_evaluations_client_window", "client_hash", "window_id", "created_at"),
        Index("ix_evaluations_address_created", "address_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    level: Mapped[int] = mapped_column(SmallInteger)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    # Contact data: encrypted at rest; only the masked form is ever shown without a reveal.
    phone_cipher: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str | None] = mapped_column(String(16))
    wants_reply: Mapped[bool] = mapped_column(default=False)
    tracking_no: Mapped[str | None] = mapped_column(String(24), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # One-time form nonce: a double tap or a resubmitted form stores one evaluation.
    nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_tokens.id"),
                                                 unique=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    verified: Mapped[bool] = mapped_column(default=False)  # bound to a real transaction
    client_hash: Mapped[str | None] = mapped_column(String(32))
    address_hash: Mapped[str | None] = mapped_column(String(32))
    flag_status: Mapped[FlagStatus] = mapped_column(_enum(FlagStatus),
                                                    default=FlagStatus.COUNTED, index=True)
    flag_reason: Mapped[FlagReason | None] = mapped_column(_enum(FlagReason))

    window: Mapped[Window] = relationship()
    staff: Mapped[Staff | None] = relationship()
    survey_version: Mapped[SurveyVersion] = relationship()
    token: Mapped[EvaluationToken | None] = relationship()

    @hybrid_property
    def counted(self) -> bool:
        """Whether this evaluation counts in statistics (in SQL: ``Evaluation.counted``)."""
        return self.flag_status in COUNTED_STATUSES

    @counted.inplace.expression
    @classmethod
    def _counted_expression(cls) -> ColumnElement[bool]:
        return cls.flag_status.in_([s.value for s in COUNTED_STATUSES])


class EvaluationToken(db.Model):
    """A one-time evaluation token bound to a transaction number 办件号 and a window."""

    __tablename__ = "evaluation_tokens"
    __table_args__ = (
        Index("uq_evaluation_tokens_window_transaction", "window_id", "transaction_no",
              unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id"))
    transaction_no: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))

    window: Mapped[Window] = relationship()

    def state(self, now: datetime | None = None) -> str:
        now = now or clock.now()
        if self.used_at is not None:
            return "used"
        if self.expires_at <= now:
            return "expired"
        return "open"


device_windows = Table(
    "device_windows",
    db.metadata,
    Column("device_id", ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True),
    Column("window_id", ForeignKey("windows.id", ondelete="CASCADE"), primary_key=True),
)


class Device(db.Model):
    """A rating device 评价器 or queuing system, authenticated by a key scoped to its windows."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # The key is shown once; only its prefix (to find it) and a hash (to check it) are kept.
    key_prefix: Mapped[str] = mapped_column(String(12), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    windows: Mapped[list[Window]] = relationship(secondary=device_windows)
