"""Writes on cases: opening them, every move of their life, appeals, and the sweep's steps.

Each move goes through the ``Case`` method that checks the state (``IllegalTransition`` on an
illegal move), then writes a ``CaseEvent`` timeline row and an audit record, sets deadlines
and tells the people who must act (``feedback.notifications``). Services flush, never commit;
views check who may act (``feedback.cases.access``) before calling them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from feedback import clock, crypto
from feedback.accounts.models import Role, User
from feedback.audit.services import record
from feedback.cases.access import may_assign_to
from feedback.cases.intake import (
    access_hash,
    factor_matches,
    new_access_code,
    normalise_tracking_no,
    second_factor,
)
from feedback.cases.models import (
    UNANSWERED_STATES,
    Appeal,
    AppealGrounds,
    AppealState,
    Case,
    CaseEvent,
    CaseKind,
    CaseSource,
    CaseState,
    EventKind,
    IllegalTransition,
    Triage,
    Verdict,
    VerdictSource,
)
from feedback.cases.queries import nearest_supervisors, window_managers
from feedback.errors import ServiceError
from feedback.evaluations.models import Device, Evaluation, FlagReason, FlagStatus
from feedback.evaluations.services import PHONE_RE, new_tracking_no
from feedback.extensions import db
from feedback.notifications.services import notify
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.stats import rollups
from feedback.windows.models import Window
from feedback.workdays.calendar import Deadline, DeadlineKind, add_working_days
from feedback.workdays.queries import deadline_for

if TYPE_CHECKING:
    from collections.abc import Iterable

CONTENT_LIMIT = 2000
TEXT_LIMIT = 4000
TRACKING_RE = re.compile(r"^\d{8}-[0-9A-Z]{6}$")


# --- helpers ----------------------------------------------------------------------------------


def case_link(case: Case) -> str:
    """The case page's local path, with or without a request (the sweep has none)."""
    if has_request_context():
        return url_for("cases.show", case_id=case.id)
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build("cases.show", {"case_id": case.id})


def _event(case: Case, kind: EventKind, actor: User | None, from_state: CaseState | None,
           note: str = "", details: dict[str, Any] | None = None) -> CaseEvent:
    """The timeline row and the audit record of one move."""
    event = CaseEvent(
        case=case, kind=kind, at=clock.now(), actor=actor,
        actor_name=_name(actor) if actor is not None else "",
        from_state=from_state, to_state=case.state, note=note.strip(), details=details,
    )
    db.session.add(event)
    changes: dict[str, Any] = {"tracking_no": case.tracking_no}
    if from_state != case.state:
        changes["state"] = [from_state.value if from_state else None, case.state.value]
    if note.strip():
        changes["note"] = note.strip()
    if details:
        changes.update(details)
    record(actor, f"case.{kind.value}", case, changes)
    return event


def _name(user: User) -> str:
    return user.display_name or user.username


def _text(value: str | None, field: str, limit: int, *, required: bool = True,
          message: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(message or _("This field is required."), field)
    if len(value) > limit:
        raise ServiceError(_("At most %(n)d characters.", n=limit), field)
    return value


def responsible(case: Case) -> list[User]:
    """Who is told about a case: its assignee, else the window's managers, else the
    supervisors of its hall."""
    if case.assignee is not None and case.assignee.active:
        return [case.assignee]
    if case.window is not None and (managers := window_managers(case.window)):
        return managers
    return nearest_supervisors(case.unit)


def _notify(recipients: Iterable[User], kind: str, case: Case, subject, body: str = "") -> None:
    notify(list(recipients), kind, case, case_link(case), subject, body)


def set_deadline(case: Case, start: datetime) -> None:
    """The answer deadline in working days from ``start``, by the policy of the case's unit."""
    deadline = deadline_for(case.unit, DeadlineKind.CASE_ANSWER, start)
    case.deadline_start = start
    _keep_deadline(case, deadline)


def _keep_deadline(case: Case, deadline: Deadline) -> None:
    case.due_at = deadline.due_at
    case.deadline_days = deadline.working_days
    case.deadline_estimated = deadline.estimated
    case.deadline_uncovered = " ".join(str(y) for y in deadline.uncovered_years)


def refresh_estimated_deadlines(now: datetime) -> int:
    """The sweep's step: count again the deadlines of unanswered cases that were estimated
    (weekends only, for a year the calendar did not know yet), now that an administrator may
    have entered that year. Before the overdue step, so a case is judged by the real calendar;
    one already marked overdue keeps its deadline. Audited; returns how many changed."""
    cases = db.session.scalars(
        select(Case).where(Case.state.in_(UNANSWERED_STATES), Case.overdue.is_(False),
                           Case.deadline_estimated.is_(True), Case.deadline_start.is_not(None))
        .order_by(Case.id).with_for_update(skip_locked=True, of=Case)).all()
    changed = 0
    for case in cases:
        deadline = add_working_days(case.deadline_start, case.deadline_days or 0)
        uncovered = " ".join(str(y) for y in deadline.uncovered_years)
        if (deadline.due_at, uncovered) == (case.due_at, case.deadline_uncovered):
            continue
        record(None, "case.deadline_recounted", case, {
            "was": case.due_at.isoformat(), "now": deadline.due_at.isoformat(),
            "estimated": deadline.estimated})
        _keep_deadline(case, deadline)
        changed += 1
    db.session.flush()
    return changed


def _ensure_deadline(case: Case) -> None:
    """Cases opened on the hot path get their deadline here if the sweep has not been yet."""
    if case.due_at is None and case.state in UNANSWERED_STATES:
        set_deadline(case, case.created_at)


def _announce(case: Case, now: datetime) -> None:
    _ensure_deadline(case)
    case.announced_at = now
    _notify(responsible(case), "case.new", case,
            _l("New case %(no)s: %(place)s", no=case.tracking_no, place=case.place_name),
            case.content)


# --- opening a case ---------------------------------------------------------------------------


@dataclass
class Opened:
    case: Case
    access_code: str | None  # shown once; None when the second factor is the phone's digits
    duplicate: bool = False


def _check_phone(phone: str, consent: bool) -> str:
    phone = re.sub(r"[\s()]", "", phone or "")
    if phone and not PHONE_RE.match(phone):
        raise ServiceError(_("Please enter a mobile number (11 digits) or a landline number."),
                           "phone")
    if phone and not consent:
        raise ServiceError(_("Please agree that we may use your number to reply, "
                             "or leave the number empty."), "consent")
    return phone


def _new_case_tracking_no(now: datetime) -> str:
    """A fresh number, unused by cases and evaluations alike."""
    for _attempt in range(10):
        number = new_tracking_no(now)
        taken = db.session.scalar(select(
            exists().where(Case.tracking_no == number)
            | exists().where(Evaluation.tracking_no == number)))
        if not taken:
            return number
    raise RuntimeError("no free tracking number after 10 attempts")  # pragma: no cover


def open_case(
    actor: User | None,
    *,
    kind: CaseKind,
    source: CaseSource,
    content: str,
    window: Window | None = None,
    hall: OrgUnit | None = None,
    phone: str = "",
    consent: bool = False,
    nonce: str | None = None,
    device: Device | None = None,
) -> Opened:
    """Open a complaint, suggestion or praise about ``window`` or, without one, ``hall``.

    A ``nonce`` seen before returns that case (``duplicate=True``) and opens nothing. The
    managers of the window (or the hall's supervisors) are told at once. Raises
    ``ServiceError`` (naming the field) for a bad review (those come from evaluations), no
    window or hall, an inactive window, a unit that is not a hall, empty or overlong content,
    a malformed phone number or one without consent. Audited as ``case.create`` unless a
    citizen opened it.
    """
    if nonce is not None:
        earlier = db.session.scalar(select(Case).where(Case.nonce == nonce))
        if earlier is not None:  # the same code as the first time (derived from the nonce)
            code = new_access_code(nonce) if earlier.phone_cipher is None else None
            return Opened(earlier, code, duplicate=True)
    if kind == CaseKind.BAD_REVIEW:
        raise ServiceError(_("Bad reviews come from the rating form."), "kind")
    if window is not None:
        if not window.active:
            raise ServiceError(_("This window is not accepting feedback."), "window")
        hall = None
    elif hall is None:
        raise ServiceError(_("Please choose a service hall or a window."), "hall")
    elif hall.kind != UnitKind.HALL or not hall.active:
        raise ServiceError(_("Please choose a service hall."), "hall")
    content = _text(content, "content", CONTENT_LIMIT,
                    message=_("Please write what you would like to tell us."))
    phone = _check_phone(phone, consent)
    now = clock.now()
    tracking_no = _new_case_tracking_no(now)
    factor, code = second_factor(phone or None, nonce)
    case = Case(
        tracking_no=tracking_no, access_hash=access_hash(tracking_no, factor), kind=kind,
        source=source, state=CaseState.NEW, window=window, hall=hall, content=content,
        reasons=[], phone_cipher=crypto.encrypt(phone) if phone else None,
        phone_masked=crypto.mask_phone(phone) if phone else None, nonce=nonce,
        created_at=now, created_by=actor, device=device,
    )
    db.session.add(case)
    db.session.flush()
    if source != CaseSource.SUGGESTION_BOX:
        record(actor, "case.create", case, {
            "tracking_no": tracking_no, "kind": kind.value, "source": source.value,
            "window": window.code if window else None, "hall": hall.code if hall else None,
            "device": device.name if device else None})
    _announce(case, now)
    return Opened(case, code)


# --- the moves --------------------------------------------------------------------------------


def assign_case(actor: User | None, case: Case, assignee: User, note: str = "") -> None:
    """Give ``case`` to ``assignee`` (new → assigned, or hand an unanswered case over).

    A manager may only take a case on themselves. Raises ``ServiceError`` for someone who may
    not handle the case, ``IllegalTransition`` for an answered or closed one. Tells the
    assignee.
    """
    if actor is not None and actor.role == Role.MANAGER and assignee.id != actor.id:
        raise ServiceError(_("A window manager can only take a case on themselves."), "assignee")
    if not may_assign_to(assignee, case):
        raise ServiceError(_("%(name)s may not handle this case.", name=_name(assignee)),
                           "assignee")
    _ensure_deadline(case)
    before = case.state
    case.assign(assignee, clock.now())
    _event(case, EventKind.ASSIGNED, actor, before, note,
           {"assignee": assignee.username, "assignee_name": _name(assignee)})
    if actor is None or assignee.id != actor.id:
        _notify([assignee], "case.assigned", case,
                _l("Case %(no)s was assigned to you", no=case.tracking_no), case.content)


def verify_case(actor: User | None, case: Case, *, founded: bool, finding: str,
                triage: Triage) -> None:
    """Record what verification found: founded or not, the finding, and the triage
    (立行立改 / 限期整改 / 解释说明). Raises ``IllegalTransition`` unless assigned,
    ``ServiceError`` for an empty finding or a triage that does not fit."""
    finding = _text(finding, "finding", TEXT_LIMIT,
                    message=_("Please write down what the verification found."))
    _ensure_deadline(case)
    before = case.state
    case.verify(founded, finding, triage, clock.now())
    _event(case, EventKind.VERIFIED, actor, before, finding,
           {"founded": founded, "triage": triage.value})


def answer_case(actor: User | None, case: Case, reply: str) -> None:
    """Write the reply the citizen reads at /track (verified → answered). Raises
    ``IllegalTransition`` unless verified, ``ServiceError`` for an empty reply."""
    reply = _text(reply, "reply", TEXT_LIMIT, message=_("Please write the reply to the citizen."))
    _ensure_deadline(case)
    before = case.state
    case.answer(reply, clock.now())
    _event(case, EventKind.ANSWERED, actor, before, reply,
           {"on_time": case.answered_on_time} if case.reopen_count == 0 else None)


def _follow_up(actor: User | None, case: Case, verdict: Verdict, source: VerdictSource,
               note: str) -> bool:
    before = case.state
    now = clock.now()
    case.follow_up(verdict, source, now)
    _event(case, EventKind.FOLLOWED_UP, actor, before, note,
           {"verdict": verdict.value, "source": source.value})
    if verdict != Verdict.DISSATISFIED:
        return False
    before = case.state
    case.reopen(now)
    set_deadline(case, now)
    _event(case, EventKind.REOPENED, actor, before,
           _("The citizen is not satisfied with the handling."), {"source": source.value})
    people = {u.id: u for u in [*responsible(case), *nearest_supervisors(case.unit)]}
    _notify(people.values(), "case.reopened", case,
            _l("Case %(no)s reopened: the citizen is not satisfied", no=case.tracking_no))
    return True


def record_callback(actor: User | None, case: Case, verdict: Verdict, note: str = "") -> bool:
    """Record a callback 回访 and the citizen's verdict (answered → followed up); 不满意
    reopens the case with a new deadline. Returns whether it reopened. Raises
    ``IllegalTransition`` unless answered."""
    note = _text(note, "note", TEXT_LIMIT, required=False)
    return _follow_up(actor, case, verdict, VerdictSource.CALLBACK, note)


def citizen_verdict(case: Case, verdict: Verdict, note: str = "") -> bool:
    """The citizen's own verdict from /track, as ``record_callback`` does for staff."""
    note = _text(note, "note", CONTENT_LIMIT, required=False)
    reopened = _follow_up(None, case, verdict, VerdictSource.CITIZEN, note)
    if not reopened:
        _notify(responsible(case), "case.verdict", case,
                _l("The citizen gave a verdict on case %(no)s", no=case.tracking_no), note)
    return reopened


def close_case(actor: User | None, case: Case, note: str = "") -> None:
    """Close a followed-up case (an anonymous one once answered, praise at any time). Raises
    ``IllegalTransition`` otherwise."""
    note = _text(note, "note", TEXT_LIMIT, required=False)
    before = case.state
    case.close(clock.now())
    _event(case, EventKind.CLOSED, actor, before, note)


def reveal_case_phone(actor: User, case: Case, purpose: str) -> str:
    """The citizen's phone number in clear, for a callback. Every reveal is audited."""
    if case.phone_cipher is None:
        raise ServiceError(_("No phone number was left."))
    purpose = _text(purpose, "purpose", 200, message=_("Please say why you need the number."))
    record(actor, "case.reveal_phone", case, {"tracking_no": case.tracking_no,
                                              "purpose": purpose})
    return crypto.decrypt(case.phone_cipher)


# --- appeals (申诉复核) -------------------------------------------------------------------------


def file_appeal(actor: User | None, case: Case, grounds: AppealGrounds, evidence: str) -> Appeal:
    """Ask that a bad review not count, as malicious or mistaken, with evidence.

    Raises ``ServiceError`` for a case that is not a bad review, an evaluation already
    excluded, an appeal still pending, or missing evidence. Tells the supervisors.
    """
    if case.kind != CaseKind.BAD_REVIEW or case.evaluation is None:
        raise ServiceError(_("Only a bad review can be appealed."))
    if case.evaluation.flag_status == FlagStatus.EXCLUDED:
        raise ServiceError(_("This evaluation is excluded from the statistics already."))
    if case.pending_appeal is not None:
        raise ServiceError(_("An appeal of this bad review is waiting for a decision."))
    evidence = _text(evidence, "evidence", TEXT_LIMIT,
                     message=_("Please give the evidence for the appeal."))
    appeal = Appeal(case=case, evaluation=case.evaluation, grounds=grounds, evidence=evidence,
                    filed_by=actor, filed_at=clock.now(), state=AppealState.PENDING)
    db.session.add(appeal)
    db.session.flush()
    _event(case, EventKind.APPEALED, actor, case.state, evidence,
           {"appeal": appeal.id, "grounds": grounds.value})
    _notify(nearest_supervisors(case.unit), "case.appeal", case,
            _l("Appeal against bad review %(no)s waits for your decision", no=case.tracking_no),
            evidence)
    return appeal


def decide_appeal(actor: User | None, appeal: Appeal, *, upheld: bool, note: str) -> None:
    """Uphold or reject an appeal. Upheld, the evaluation stays stored but is excluded from
    the statistics (flag ``excluded``, reason ``appeal``) and the rollups follow, in this
    transaction. Raises ``ServiceError`` without a note, ``IllegalTransition`` if decided."""
    note = _text(note, "note", TEXT_LIMIT, message=_("Please give the reason for the decision."))
    if actor is not None and appeal.filed_by_id == actor.id:
        raise ServiceError(_("Nobody decides their own appeal."))
    appeal.decide(upheld, actor, note, clock.now())
    case = appeal.case
    kind = EventKind.APPEAL_UPHELD if upheld else EventKind.APPEAL_REJECTED
    _event(case, kind, actor, case.state, note, {"appeal": appeal.id})
    if upheld:
        evaluation = appeal.evaluation
        was_counted = bool(evaluation.counted)
        before = (evaluation.flag_status.value,
                  evaluation.flag_reason.value if evaluation.flag_reason else None)
        evaluation.flag_status = FlagStatus.EXCLUDED
        evaluation.flag_reason = FlagReason.APPEAL
        rollups.on_status_change(evaluation, was_counted)
        record(actor, "evaluation.exclude", evaluation, {
            "flag_status": [before[0], FlagStatus.EXCLUDED.value],
            "flag_reason": [before[1], FlagReason.APPEAL.value],
            "appeal": appeal.id, "tracking_no": case.tracking_no, "note": note})
    if appeal.filed_by is not None:
        subject = (_l("Your appeal of %(no)s was upheld", no=case.tracking_no) if upheld
                   else _l("Your appeal of %(no)s was rejected", no=case.tracking_no))
        _notify([appeal.filed_by], "case.appeal_decided", case, subject, note)


# --- the citizen's lookup ---------------------------------------------------------------------


def find_case_for_citizen(tracking_no: str, factor: str) -> Case | None:
    """The case with this tracking number and second factor, or None — the same None for an
    unknown number and a wrong factor, so a wrong guess reveals nothing."""
    number = normalise_tracking_no(tracking_no)
    factor = re.sub(r"\s", "", factor or "")
    case = (db.session.scalar(select(Case).where(Case.tracking_no == number))
            if TRACKING_RE.match(number) else None)
    stored = case.access_hash if case is not None else "0" * 64
    # Hash even for an unknown number: both failures take the same time.
    if factor_matches(stored, number, factor) and case is not None:
        return case
    return None


# --- the sweep's steps ------------------------------------------------------------------------


def announce_new_cases(now: datetime) -> int:
    """Give the cases opened on the rating form's hot path their deadline and tell the window's
    managers. Idempotent: each case is announced once. Returns how many were announced."""
    # Two sweeps at once (cron overlapping a slow run) never take the same case on PostgreSQL.
    cases = db.session.scalars(
        select(Case).where(Case.announced_at.is_(None)).order_by(Case.id)
        .with_for_update(skip_locked=True, of=Case)).all()
    for case in cases:
        _announce(case, now)
    db.session.flush()
    return len(cases)


def mark_overdue_cases(now: datetime) -> int:
    """Mark unanswered cases past their deadline overdue and escalate each to the supervisors
    of its window's org unit (and tell its handlers). Idempotent: a case is marked once per
    deadline. Returns how many were marked."""
    cases = db.session.scalars(
        select(Case).where(Case.state.in_(UNANSWERED_STATES), Case.overdue.is_(False),
                           Case.due_at.is_not(None), Case.due_at <= now)
        .order_by(Case.due_at, Case.id).with_for_update(skip_locked=True, of=Case)).all()
    for case in cases:
        before = case.state
        case.mark_overdue(now)
        supervisors = nearest_supervisors(case.unit)
        _event(case, EventKind.OVERDUE, None, before,
               details={"due_at": case.due_at.isoformat() if case.due_at else None,
                        "escalated_to": [u.username for u in supervisors],
                        "escalated_names": [_name(u) for u in supervisors]})
        people = {u.id: u for u in [*supervisors, *responsible(case)]}
        _notify(people.values(), "case.overdue", case,
                _l("Case %(no)s is overdue: %(place)s", no=case.tracking_no,
                   place=case.place_name), case.content)
    db.session.flush()
    return len(cases)


__all__ = [
    "IllegalTransition",
    "Opened",
    "announce_new_cases",
    "answer_case",
    "assign_case",
    "citizen_verdict",
    "close_case",
    "decide_appeal",
    "file_appeal",
    "find_case_for_citizen",
    "mark_overdue_cases",
    "open_case",
    "record_callback",
    "refresh_estimated_deadlines",
    "reveal_case_phone",
    "set_deadline",
    "verify_case",
]
