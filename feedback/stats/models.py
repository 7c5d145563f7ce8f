"""Rollups of counted evaluations per window, staff member and dimension per local day, and
the bearer tokens of the statistics API.

The rollups are kept in the same transaction as the evaluations (``feedback.stats.rollups``)
and can always be rebuilt from them (``manyi stats rebuild``). Days are local dates
(``BABEL_DEFAULT_TIMEZONE``), the days a manager reads on a dashboard.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback import clock
from feedback.accounts.models import User
from feedback.dbtypes import UTCDateTime
from feedback.evaluations.models import Channel, EvaluationToken
from feedback.extensions import db

LEVEL_COLUMNS = ("n1", "n2", "n3", "n4", "n5")
CHANNEL_COLUMNS = {channel: f"ch_{channel.value}" for channel in Channel}


def _non_negative(*columns: str) -> CheckConstraint:
    return CheckConstraint(" AND ".join(f"{c} >= 0" for c in columns), name="counts_non_negative")


# Every read is a range of days of some windows, i.e. a range of the primary key
# (window_id, day, …). On SQLite the rows are stored in primary-key order (WITHOUT ROWID), so
# such a range is read in one pass instead of an index lookup per row: half the time measured
# on 1,000,000 evaluations (bench/dashboards.py). PostgreSQL ignores the option.
_CLUSTERED = {"sqlite_with_rowid": False}


def _count() -> Mapped[int]:
    return mapped_column(Integer, default=0, server_default="0")


class WindowDayStats(db.Model):
    """One window on one local day: the counted evaluations per level and by channel.

    ``flagged`` counts the evaluations kept but not counted (flagged by the fraud filter, or
    excluded by an upheld appeal); they are in no other column. ``verified`` counts the counted
    evaluations bound to a transaction (一事一评).
    """

    __tablename__ = "window_day_stats"
    __table_args__ = (
        _non_negative(*LEVEL_COLUMNS, "flagged", "verified", *CHANNEL_COLUMNS.values()),
        _CLUSTERED,
    )

    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"),
                                           primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    n1: Mapped[int] = _count()
    n2: Mapped[int] = _count()
    n3: Mapped[int] = _count()
    n4: Mapped[int] = _count()
    n5: Mapped[int] = _count()
    flagged: Mapped[int] = _count()
    verified: Mapped[int] = _count()
    ch_qr: Mapped[int] = _count()
    ch_token: Mapped[int] = _count()
    ch_device: Mapped[int] = _count()
    ch_web: Mapped[int] = _count()
    ch_hotline: Mapped[int] = _count()
    ch_sms: Mapped[int] = _count()


class StaffDayStats(db.Model):
    """The counted evaluations naming one staff member at one window on one local day."""

    __tablename__ = "staff_day_stats"
    __table_args__ = (_non_negative(*LEVEL_COLUMNS), _CLUSTERED)

    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"),
                                           primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"),
                                          primary_key=True)
    n1: Mapped[int] = _count()
    n2: Mapped[int] = _count()
    n3: Mapped[int] = _count()
    n4: Mapped[int] = _count()
    n5: Mapped[int] = _count()


class DimensionDayStats(db.Model):
    """The counted ratings of one dimension (e.g. ``speed`` 办事效率) of one window on one day."""

    __tablename__ = "dimension_day_stats"
    __table_args__ = (_non_negative(*LEVEL_COLUMNS), _CLUSTERED)

    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"),
                                           primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(40), primary_key=True)
    n1: Mapped[int] = _count()
    n2: Mapped[int] = _count()
    n3: Mapped[int] = _count()
    n4: Mapped[int] = _count()
    n5: Mapped[int] = _count()


class ApiToken(db.Model):
    """A bearer token of the statistics API, acting with its user's permissions.

    The token (``mst_<prefix>_<secret>``) is shown once; only its prefix (to find it) and a
    hash (to check it) are kept.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    prefix: Mapped[str] = mapped_column(String(12), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# Token coverage counts the tokens a window issued in a period: one range scan.
Index("ix_evaluation_tokens_window_issued", EvaluationToken.window_id, EvaluationToken.issued_at)
