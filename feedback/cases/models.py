"""Cases, their timeline and appeals.

A case's life is a small state machine. Its moves are methods of ``Case`` that check the state
and raise ``IllegalTransition`` on an illegal move; the services around them (in
``feedback.cases.workflow.services``) check who may move it, write the timeline row and the
audit record, set deadlines and notify people.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback import clock
from feedback.accounts.models import User
from feedback.dbtypes import UTCDateTime
from feedback.errors import ServiceError
from feedback.evaluations.models import Device, Evaluation
from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Window
from feedback.workdays.calendar import Deadline


def _enum(cls: type[enum.Enum], name: str | None = None) -> Enum:
    """As in ``feedback.evaluations.models``; ``name`` tells two columns of one enum apart (their
    CHECK constraints are named after it, and PostgreSQL wants unique names per table)."""
    return Enum(cls, name=name or cls.__name__.lower(), native_enum=False, length=16,
                create_constraint=True, values_callable=lambda e: [m.value for m in e])


class CaseKind(enum.StrEnum):
    BAD_REVIEW = "bad_review"  # 差评: from an evaluation rated 不满意 or 非常不满意
    COMPLAINT = "complaint"  # 投诉
    SUGGESTION = "suggestion"  # 建议 (also a comment that asks for a reply)
    PRAISE = "praise"  # 表扬


class CaseSource(enum.StrEnum):
    EVALUATION = "evaluation"  # the rating form or a rating device
    SUGGESTION_BOX = "suggestion_box"  # 意见箱, the public page
    HOTLINE = "hotline"  # 12319/12345, entered by an operator
    API = "api"  # another intake system, through /api/v1/cases


class CaseState(enum.StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    VERIFIED = "verified"
    ANSWERED = "answered"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"


# States in which the citizen is still waiting for an answer: the deadline runs.
UNANSWERED_STATES = (CaseState.NEW, CaseState.ASSIGNED, CaseState.VERIFIED)
OPEN_STATES = (*UNANSWERED_STATES, CaseState.ANSWERED, CaseState.FOLLOWED_UP)


class Triage(enum.StrEnum):
    """What verification decided must happen."""

    FIX_NOW = "fix_now"  # 立行立改
    FIX_BY_DEADLINE = "fix_by_deadline"  # 限期整改 (a rectification notice)
    EXPLAIN = "explain"  # 解释说明: no basis, explain to the citizen


class Verdict(enum.StrEnum):
    """The citizen's verdict on the handling (回访)."""

    SATISFIED = "satisfied"  # 满意
    FAIRLY_SATISFIED = "fairly_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意: reopens the case


class VerdictSource(enum.StrEnum):
    CALLBACK = "callback"  # staff called the citizen back and entered the verdict
    CITIZEN = "citizen"  # the citizen gave it on the lookup page


class EventKind(enum.StrEnum):
    ASSIGNED = "assigned"
    VERIFIED = "verified"
    ANSWERED = "answered"
    FOLLOWED_UP = "followed_up"
    REOPENED = "reopened"
    CLOSED = "closed"
    OVERDUE = "overdue"
    APPEALED = "appealed"
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_REJECTED = "appeal_rejected"


# What the citizen sees of the timeline at /track (the rest is internal).
PUBLIC_EVENTS = frozenset({EventKind.ASSIGNED, EventKind.ANSWERED, EventKind.FOLLOWED_UP,
                           EventKind.REOPENED, EventKind.CLOSED})


class AppealState(enum.StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"


class AppealGrounds(enum.StrEnum):
    MALICIOUS = "malicious"  # 恶意差评
    MISTAKEN = "mistaken"  # 误评: the wrong window, the wrong level, not about the service


class IllegalTransition(ServiceError):
    """A move the case's state does not allow; nothing was changed."""


class Case(db.Model):
    """A bad review, complaint, suggestion or praise that needs handling, with its tracking no."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("(window_id IS NULL) != (hall_id IS NULL)", name="window_or_hall"),
        CheckConstraint("kind != 'bad_review' OR evaluation_id IS NOT NULL",
                        name="bad_review_has_evaluation"),
        CheckConstraint(
            "(founded IS NULL AND triage IS NULL)"
            " OR (founded = true AND triage IN ('fix_now', 'fix_by_deadline'))"
            " OR (founded = false AND triage = 'explain')",
            name="triage_matches_finding",
        ),
        CheckConstraint("(verdict IS NULL) = (verdict_source IS NULL)", name="verdict_has_source"),
        CheckConstraint("(state = 'closed') = (closed_at IS NOT NULL)", name="closed_has_time"),
        CheckConstraint("state = 'new' OR state = 'closed' OR assignee_id IS NOT NULL"
                        " OR kind = 'praise'", name="handled_cases_have_assignee"),
        CheckConstraint("reopen_count >= 0", name="reopen_count_non_negative"),
        Index("ix_cases_state_due", "state", "due_at"),
        Index("ix_cases_window_created", "window_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The number the citizen quotes; a bad review's case has its evaluation's number.
    tracking_no: Mapped[str] = mapped_column(String(24), unique=True)
    # keyed hash of "<tracking no>:<second factor>" (last four phone digits, or a code shown once)
    access_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[CaseKind] = mapped_column(_enum(CaseKind))
    source: Mapped[CaseSource] = mapped_column(_enum(CaseSource))
    state: Mapped[CaseState] = mapped_column(_enum(CaseState), default=CaseState.NEW)
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id"), unique=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    # A case about a service hall as a whole (no window): the hall's org unit.
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    content: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)  # a bad review's reason codes
    # Contact data: encrypted at rest, shown masked, every reveal audited.
    phone_cipher: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str | None] = mapped_column(String(16))
    # One-time form nonce (suggestion box) or "api:<device>:<client_ref>": a retry stores one.
    nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))

    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The answer deadline in working days; set by the sweep for cases opened on the hot path.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_start: Mapped[datetime | None] = mapped_column(UTCDateTime)  # counted from here
    deadline_days: Mapped[int | None] = mapped_column(SmallInteger)
    deadline_estimated: Mapped[bool] = mapped_column(default=False)  # weekends only somewhere
    deadline_uncovered: Mapped[str] = mapped_column(String(64), default="")  # "2031 2032"
    # When the window's managers were told about the case (the sweep tells the rest).
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    founded: Mapped[bool | None] = mapped_column()
    finding: Mapped[str] = mapped_column(Text, default="")
    triage: Mapped[Triage | None] = mapped_column(_enum(Triage))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reply: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_on_time: Mapped[bool | None] = mapped_column()  # the first answer, by the deadline

    verdict: Mapped[Verdict | None] = mapped_column(_enum(Verdict))  # the latest verdict
    verdict_source: Mapped[VerdictSource | None] = mapped_column(_enum(VerdictSource))
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the first callback

    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue: Mapped[bool] = mapped_column(default=False)  # marked (and escalated) by the sweep
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(default=0)

    evaluation: Mapped[Evaluation | None] = relationship()
    window: Mapped[Window | None] = relationship()
    hall: Mapped[OrgUnit | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    device: Mapped[Device | None] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan")
    appeals: Mapped[list[Appeal]] = relationship(
        back_populates="case", order_by="Appeal.id", cascade="all, delete-orphan")

    # --- where the case belongs ------------------------------------------------------------

    @property
    def unit(self) -> OrgUnit:
        """The org unit responsible: the window's hall, or the hall the case is about."""
        return self.window.org_unit if self.window is not None else self.hall  # type: ignore[return-value]

    @property
    def place_name(self) -> str:
        if self.window is not None:
            return f"{self.window.org_unit.name} · {self.window.name}"
        return self.hall.name if self.hall is not None else ""

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    @property
    def awaiting_answer(self) -> bool:
        return self.state in UNANSWERED_STATES

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Past its answer deadline without an answer (whether or not the sweep marked it)."""
        now = now or clock.now()
        return self.awaiting_answer and self.due_at is not None and self.due_at <= now

    @property
    def deadline(self) -> Deadline | None:
        """The answer deadline as ``feedback.workdays`` gives it (for the deadline macro)."""
        if self.due_at is None:
            return None
        years = tuple(int(year) for year in self.deadline_uncovered.split())
        return Deadline(self.due_at, self.deadline_days or 0, self.deadline_estimated, years)

    @property
    def named(self) -> bool:
        """The citizen left a phone number: they get a callback (实名差评必回访)."""
        return self.phone_cipher is not None

    @property
    def pending_appeal(self) -> Appeal | None:
        return next((a for a in self.appeals if a.state == AppealState.PENDING), None)

    # --- moves -------------------------------------------------------------------------------

    def _require(self, allowed: tuple[CaseState, ...], message: str) -> None:
        if self.state not in allowed:
            raise IllegalTransition(message)

    def assign(self, assignee: User, now: datetime) -> None:
        """new → assigned; an assigned or verified case can be handed to someone else."""
        self._require((CaseState.NEW, CaseState.ASSIGNED, CaseState.VERIFIED),
                      _("Only a case that has not been answered yet can be assigned."))
        if self.assignee_id == assignee.id and self.state != CaseState.NEW:
            raise IllegalTransition(_("The case is assigned to %(name)s already.",
                                      name=assignee.display_name or assignee.username))
        self.assignee = assignee
        self.assignee_id = assignee.id
        self.assigned_at = now
        if self.state == CaseState.NEW:
            self.state = CaseState.ASSIGNED

    def verify(self, founded: bool, finding: str, triage: Triage, now: datetime) -> None:
        """assigned → verified: whether the complaint is founded, what was found, what next."""
        self._require((CaseState.ASSIGNED,), _("Only an assigned case can be verified."))
        finding = finding.strip()
        if not finding:
            raise ServiceError(_("Please write down what the verification found."), "finding")
        if founded and triage == Triage.EXPLAIN:
            raise ServiceError(_("A founded complaint must be fixed, at once or by a deadline."),
                               "triage")
        if not founded and triage != Triage.EXPLAIN:
            raise ServiceError(_("An unfounded complaint is answered with an explanation."),
                               "triage")
        self.founded, self.finding, self.triage = founded, finding, triage
        self.verified_at = now
        self.state = CaseState.VERIFIED

    def answer(self, reply: str, now: datetime) -> None:
        """verified → answered: the reply the citizen reads at /track."""
        self._require((CaseState.VERIFIED,), _("Only a verified case can be answered."))
        reply = reply.strip()
        if not reply:
            raise ServiceError(_("Please write the reply to the citizen."), "reply")
        self.reply = reply
        self.answered_at = now
        if self.first_answered_at is None:
            self.first_answered_at = now
            self.answered_on_time = self.due_at is None or now <= self.due_at
        self.state = CaseState.ANSWERED

    def follow_up(self, verdict: Verdict, source: VerdictSource, now: datetime) -> None:
        """answered → followed up, with the citizen's verdict on the handling."""
        self._require((CaseState.ANSWERED,),
                      _("A verdict can be given only once the case has been answered."))
        self.verdict, self.verdict_source = verdict, source
        self.followed_up_at = now
        if source == VerdictSource.CALLBACK and self.called_back_at is None:
            self.called_back_at = now
        self.state = CaseState.FOLLOWED_UP

    def reopen(self, now: datetime) -> None:
        """followed up with 不满意 → assigned again, with a new deadline to come."""
        if self.state != CaseState.FOLLOWED_UP or self.verdict != Verdict.DISSATISFIED:
            raise IllegalTransition(_("Only a case the citizen was dissatisfied with reopens."))
        self.state = CaseState.ASSIGNED if self.assignee_id is not None else CaseState.NEW
        self.reopen_count += 1
        self.overdue, self.overdue_at = False, None
        self.due_at = None

    def close(self, now: datetime) -> None:
        """followed up → closed. An anonymous case (nobody to call back) closes once answered;
        praise needs no handling and closes at any time."""
        allowed = [CaseState.FOLLOWED_UP]
        if not self.named:
            allowed.append(CaseState.ANSWERED)
        if self.kind == CaseKind.PRAISE:
            allowed.extend(OPEN_STATES)
        if self.state not in allowed:
            if self.state == CaseState.ANSWERED:
                raise IllegalTransition(
                    _("The citizen left a phone number: record the callback before closing."))
            raise IllegalTransition(_("Only a followed-up case can be closed."))
        if self.state == CaseState.FOLLOWED_UP and self.verdict == Verdict.DISSATISFIED:
            raise IllegalTransition(_("A case the citizen was dissatisfied with reopens instead."))
        self.state = CaseState.CLOSED
        self.closed_at = now

    def mark_overdue(self, now: datetime) -> None:
        """Past the deadline without an answer: marked once (escalation follows)."""
        if not self.is_overdue(now):
            raise IllegalTransition(_("The case is not past its deadline."))
        if self.overdue:
            raise IllegalTransition(_("The case is marked overdue already."))
        self.overdue, self.overdue_at = True, now

    def __repr__(self) -> str:
        return f"<Case {self.tracking_no} {self.kind} {self.state}>"


class CaseEvent(db.Model):
    """One move in a case's timeline: who, when, from which state to which, and a note."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept as text too: the timeline reads right after a user is renamed; "" for the citizen
    # or the system.
    actor_name: Mapped[str] = mapped_column(String(80), default="")
    from_state: Mapped[CaseState | None] = mapped_column(_enum(CaseState, "from_state"))
    to_state: Mapped[CaseState | None] = mapped_column(_enum(CaseState, "to_state"))
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def public(self) -> bool:
        return self.kind in PUBLIC_EVENTS


class Appeal(db.Model):
    """申诉复核: a manager asks that a bad review not count; a supervisor decides."""

    __tablename__ = "case_appeals"
    __table_args__ = (
        CheckConstraint("(state = 'pending') = (decided_at IS NULL)", name="decided_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    state: Mapped[AppealState] = mapped_column(_enum(AppealState), default=AppealState.PENDING,
                                               index=True)
    grounds: Mapped[AppealGrounds] = mapped_column(_enum(AppealGrounds))
    evidence: Mapped[str] = mapped_column(Text)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="appeals")
    evaluation: Mapped[Evaluation] = relationship()
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def decide(self, upheld: bool, decider: User | None, note: str, now: datetime) -> None:
        """``decider`` None: the system (the demo data); people always decide as themselves."""
        if self.state != AppealState.PENDING:
            raise IllegalTransition(_("This appeal has been decided already."))
        self.state = AppealState.UPHELD if upheld else AppealState.REJECTED
        self.decided_by = decider
        self.decided_by_id = decider.id if decider is not None else None
        self.decided_at = now
        self.decision_note = note.strip()
