"""Notices, their evidence links, reports, evidence files and timeline."""

from __future__ import annotations

import enum
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback import clock
from feedback.accounts.models import User
from feedback.dbtypes import UTCDateTime
from feedback.extensions import db
from feedback.notices.workflow import (
    OPEN,
    RUNNING,
    EventKind,
    IllegalMove,
    NoticeKind,
    NoticeSource,
    NoticeState,
    check_move,
)
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Window


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, create_constraint=True,
                values_callable=lambda e: [m.value for m in e])


class LinkKind(enum.StrEnum):
    """What a piece of linked evidence is."""

    EVALUATION = "evaluation"  # ref: evaluation id
    CASE = "case"  # ref: case id
    ALERT = "alert"  # ref: alert id
    CHART = "chart"  # ref: a path inside Manyi (a dashboard or chart)
    INSPECTION = "inspection"  # ref: the inspection's reference, label: the finding


class ReviewOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    RETURNED = "returned"


# The only evidence files accepted, told apart by their content (evidence.py).
EVIDENCE_TYPES = ("image/jpeg", "image/png", "application/pdf")


class Notice(db.Model):
    """A rectification notice 整改通知 to a window or an org unit, and where it stands.

    The transition methods (``issue`` … ``verify``) change the state or raise ``IllegalMove``
    and add the step to the timeline; the services around them check who acts, audit and
    notify.
    """

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint("deadline_days BETWEEN 1 AND 60", name="deadline_days_in_range"),
        CheckConstraint(
            "state IN ('draft', 'cancelled') OR "
            "(issued_at IS NOT NULL AND due_at IS NOT NULL AND number IS NOT NULL)",
            name="sent_has_deadline",
        ),
        CheckConstraint("state != 'closed' OR closed_at IS NOT NULL", name="closed_has_time"),
        CheckConstraint("published_at IS NULL OR issued_at IS NOT NULL",
                        name="published_was_issued"),
        CheckConstraint("escalated_at IS NULL OR overdue_at IS NOT NULL",
                        name="escalated_was_overdue"),
        CheckConstraint("return_count >= 0", name="return_count_non_negative"),
        Index("ix_notices_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)  # 2026-0007, on issue
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind), default=NoticeKind.RECTIFICATION)
    source: Mapped[NoticeSource] = mapped_column(_enum(NoticeSource),
                                                 default=NoticeSource.SCRATCH)
    # What made this notice, once: the sweep and alerts draft one notice per key, never two.
    source_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    state: Mapped[NoticeState] = mapped_column(_enum(NoticeState), default=NoticeState.DRAFT,
                                               index=True)
    # The target: a window (and its hall), or an org unit as a whole (window_id NULL).
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    # Where it was issued from: the issuer's unit (NULL for an administrator or the system).
    issuer_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    requirement: Mapped[str] = mapped_column(Text, default="")
    deadline_days: Mapped[int] = mapped_column(default=15)  # working days 工作日
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The calendar did not know every holiday up to the deadline: weekends only were counted.
    deadline_estimated: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    return_count: Mapped[int] = mapped_column(default=0)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # The public notice 通报: only this text, the target's name and the dates are published.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    public_text: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))

    window: Mapped[Window | None] = relationship()
    org_unit: Mapped[OrgUnit] = relationship(foreign_keys=[org_unit_id])
    issuer_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[issuer_unit_id])
    escalated_to: Mapped[OrgUnit | None] = relationship(foreign_keys=[escalated_to_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    follows: Mapped[Notice | None] = relationship(remote_side=[id])
    links: Mapped[list[NoticeLink]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeLink.id")
    reports: Mapped[list[NoticeReport]] = relationship(
        back_populates="notice", order_by="NoticeReport.number")
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="notice", order_by="EvidenceFile.id")
    events: Mapped[list[NoticeEvent]] = relationship(
        back_populates="notice", order_by="(NoticeEvent.at, NoticeEvent.id)")

    # --- what the notice is -----------------------------------------------------------------

    @property
    def target_name(self) -> str:
        return self.window.name if self.window is not None else self.org_unit.name

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING

    @property
    def is_overdue(self) -> bool:
        """Past its deadline and still waiting for the window or unit to act."""
        return self.overdue_at is not None and self.state in RUNNING

    @property
    def closed_on_time(self) -> bool | None:
        if self.state != NoticeState.CLOSED:
            return None
        return self.overdue_at is None

    @property
    def publishable(self) -> bool:
        """Overdue once, or a report returned and not closed since: rectification not done in
        time or not done well, which the plan says to publish 通报."""
        return (self.published_at is None and self.issued_at is not None
                and self.state != NoticeState.CANCELLED
                and (self.overdue_at is not None
                     or (self.return_count > 0 and self.state != NoticeState.CLOSED)))

    @property
    def deadline(self) -> SimpleNamespace | None:
        """What the deadline macro (``templates/macros/deadline.html``) shows."""
        if self.due_at is None:
            return None
        return SimpleNamespace(due_at=self.due_at, estimated=self.deadline_estimated,
                               working_days=self.deadline_days, uncovered_years=())

    def past_deadline(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at <= now

    @property
    def current_report(self) -> NoticeReport | None:
        return self.reports[-1] if self.reports else None

    # --- transitions: each raises IllegalMove, or changes the notice and adds a timeline row --

    def edit(self, actor: User | None, now: datetime) -> None:
        check_move(self.state, "edit")
        self._event(EventKind.EDITED, actor, now)

    def issue(self, actor: User | None, now: datetime, *, number: str, due_at: datetime,
              estimated: bool) -> None:
        self.state = check_move(self.state, "issue")
        self.number, self.issued_at, self.issued_by = number, now, actor
        self.due_at, self.deadline_estimated = due_at, estimated
        self._event(EventKind.ISSUED, actor, now)

    def cancel(self, actor: User | None, now: datetime, reason: str) -> None:
        self.state = check_move(self.state, "cancel")
        self.cancelled_at = now
        self._event(EventKind.CANCELLED, actor, now, reason)

    def acknowledge(self, actor: User | None, now: datetime) -> None:
        self.state = check_move(self.state, "acknowledge")
        self.acknowledged_at = now
        self._event(EventKind.ACKNOWLEDGED, actor, now)

    def report(self, actor: User | None, now: datetime, report: NoticeReport) -> None:
        self.state = check_move(self.state, "report")
        self.reports.append(report)
        self._event(EventKind.REPORTED, actor, now)

    def return_report(self, actor: User | None, now: datetime, comment: str) -> None:
        self.state = check_move(self.state, "return")
        self.return_count += 1
        self._review(actor, now, ReviewOutcome.RETURNED, comment)
        self._event(EventKind.RETURNED, actor, now, comment)

    def verify(self, actor: User | None, now: datetime, comment: str = "") -> None:
        self.state = check_move(self.state, "verify")
        self.closed_at = now
        self._review(actor, now, ReviewOutcome.ACCEPTED, comment)
        self._event(EventKind.VERIFIED, actor, now, comment)

    def mark_overdue(self, now: datetime) -> None:
        if self.state not in RUNNING or self.overdue_at is not None or not self.past_deadline(now):
            raise IllegalMove("overdue", self.state)
        self.overdue_at = now
        self._event(EventKind.OVERDUE, None, now)

    def escalate(self, now: datetime, to: OrgUnit | None, note: str) -> None:
        if self.overdue_at is None or self.escalated_at is not None:
            raise IllegalMove("escalate", self.state)
        self.escalated_at, self.escalated_to = now, to
        self._event(EventKind.ESCALATED, None, now, note)

    def publish(self, actor: User | None, now: datetime, public_text: str) -> None:
        if not self.publishable:
            raise IllegalMove("publish", self.state)
        self.published_at, self.public_text = now, public_text
        self._event(EventKind.PUBLISHED, actor, now)

    def _review(self, actor: User | None, now: datetime, outcome: ReviewOutcome,
                comment: str) -> None:
        report = self.current_report
        if report is None or report.reviewed_at is not None:
            raise RuntimeError("a reported notice has an unreviewed report")
        report.reviewed_at, report.reviewed_by, report.outcome = now, actor, outcome
        report.review_comment = comment

    def _event(self, kind: EventKind, actor: User | None, now: datetime, comment: str = "") -> None:
        self.events.append(NoticeEvent(
            kind=kind, at=now, actor=actor,
            actor_name=actor.username if actor is not None else "system",
            state=self.state, comment=comment or "",
        ))

    def __repr__(self) -> str:
        return f"<Notice {self.id} {self.number or 'draft'} {self.state}>"


class NoticeLink(db.Model):
    """A piece of evidence the notice rests on: an evaluation, a case, an alert, a chart."""

    __tablename__ = "notice_links"
    __table_args__ = (
        UniqueConstraint("notice_id", "kind", "ref", name="uq_notice_links_notice_kind_ref"),
        Index("ix_notice_links_kind_ref", "kind", "ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    kind: Mapped[LinkKind] = mapped_column(_enum(LinkKind))
    ref: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200), default="")

    notice: Mapped[Notice] = relationship(back_populates="links")


class NoticeReport(db.Model):
    """One report of measures taken, and the supervisor's verdict on it."""

    __tablename__ = "notice_reports"
    __table_args__ = (
        UniqueConstraint("notice_id", "number", name="uq_notice_reports_notice_number"),
        CheckConstraint("(outcome IS NULL) = (reviewed_at IS NULL)", name="outcome_when_reviewed"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    number: Mapped[int] = mapped_column()
    measures: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[ReviewOutcome | None] = mapped_column(_enum(ReviewOutcome))
    review_comment: Mapped[str] = mapped_column(Text, default="")

    notice: Mapped[Notice] = relationship(back_populates="reports")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    files: Mapped[list[EvidenceFile]] = relationship(back_populates="report",
                                                     order_by="EvidenceFile.id")


class EvidenceFile(db.Model):
    """An image or PDF attached to a report, stored under a random name outside ``static/``."""

    __tablename__ = "notice_files"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'application/pdf')",
            name="content_type_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("notice_reports.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    notice: Mapped[Notice] = relationship(back_populates="files")
    report: Mapped[NoticeReport] = relationship(back_populates="files")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class NoticeEvent(db.Model):
    """A step in the notice's timeline, with its author (``actor_id`` NULL: the system)."""

    __tablename__ = "notice_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    state: Mapped[NoticeState] = mapped_column(_enum(NoticeState))
    comment: Mapped[str] = mapped_column(Text, default="")

    notice: Mapped[Notice] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
