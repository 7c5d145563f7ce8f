"""Administrators' calendar entries and the deadline policies of org units."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback import clock
from feedback.accounts.models import User
from feedback.dbtypes import UTCDateTime
from feedback.extensions import db
from feedback.orgs.models import OrgUnit


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, create_constraint=True,
                values_callable=lambda e: [m.value for m in e])


class DeadlineKind(enum.StrEnum):
    """What a deadline is for; each kind has its own number of working days."""

    CASE_ANSWER = "case_answer"  # answering a case (complaint, bad review): default 5
    NOTICE = "notice"  # carrying out a rectification notice 整改通知: default 15


# The range a policy may set, in working days (also a CHECK constraint).
MIN_WORKING_DAYS, MAX_WORKING_DAYS = 1, 60


class CalendarDay(db.Model):
    """An administrator's decision about one day: a holiday (休) or a make-up working day (班).

    It overrides the ``chinese-calendar`` package, and a year without the package's data
    counts as known as soon as it has entries: enter a year's whole arrangement at once.
    """

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working_day: Mapped[bool]
    name: Mapped[str] = mapped_column(String(60), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    entered_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CalendarDay {self.day} {'班' if self.is_working_day else '休'} {self.name}>"


class DeadlinePolicy(db.Model):
    """An org unit's number of working days for one kind of deadline, for it and below it."""

    __tablename__ = "deadline_policies"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "kind", name="uq_deadline_policies_unit_kind"),
        CheckConstraint(f"working_days BETWEEN {MIN_WORKING_DAYS} AND {MAX_WORKING_DAYS}",
                        name="working_days_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique (org_unit_id, kind) index serves lookups by unit: no index of its own.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    kind: Mapped[DeadlineKind] = mapped_column(_enum(DeadlineKind))
    working_days: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    org_unit: Mapped[OrgUnit] = relationship()
    updated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<DeadlinePolicy {self.org_unit_id} {self.kind} {self.working_days}>"
