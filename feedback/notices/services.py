"""Writes on notices: drafting, the workflow's moves, reports with evidence, the sweep.

Every service checks that its actor may act (``NotAllowed`` otherwise; views answer 403
before), lets the notice's transition method refuse an illegal move (``IllegalMove``), writes a
timeline row and an audit entry with its author, tells the people who must act next, and only
flushes: the request or command commits once. ``actor`` None is the system (the sweep, the
demo data): it acts without a permission check and is audited as ``system``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from feedback import clock
from feedback.accounts.models import Role, User
from feedback.audit.services import apply_changes, record
from feedback.clock import local_date
from feedback.errors import ServiceError
from feedback.evaluations.models import Evaluation
from feedback.extensions import db
from feedback.notices import evidence as files
from feedback.notices.access import may_respond, may_supervise, may_target
from feedback.notices.models import EvidenceFile, LinkKind, Notice, NoticeLink, NoticeReport
from feedback.notices.workflow import (
    RUNNING,
    EventKind,
    NoticeKind,
    NoticeSource,
    NoticeState,
    check_move,
)
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Staff, Window
from feedback.workdays.calendar import DeadlineKind, add_working_days
from feedback.workdays.models import MAX_WORKING_DAYS, MIN_WORKING_DAYS
from feedback.workdays.queries import deadline_days as policy_days

TEXT_LIMIT = 4000
TITLE_LIMIT = 200
# Personal data that must never reach a public notice 通报.
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_CARD_RE = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")
LANDLINE_RE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


class NotAllowed(ServiceError):
    """The actor may not do this to this notice; nothing was changed."""


# --- drafting ---------------------------------------------------------------------------------


def draft_notice(
    actor: User | None,
    *,
    target_window: Window | None = None,
    target_unit: OrgUnit | None = None,
    problem: str,
    requirement: str = "",
    evidence: Mapping[str, Any] | None = None,
    source: str | NoticeSource = NoticeSource.SCRATCH,
    title: str | None = None,
    kind: str | NoticeKind = NoticeKind.RECTIFICATION,
    deadline_days: int | None = None,
    source_key: str | None = None,
    issuer_unit: OrgUnit | None = None,
    follows: Notice | None = None,
) -> Notice:
    """A draft notice to ``target_window`` (or ``target_unit`` as a whole), not yet sent.

    ``evidence`` links what the notice rests on: ``{"evaluations": [ids], "cases": [ids],
    "alert": id, "chart": "/local/path", "inspection": {"ref": …, "label": …}}`` (each key
    also takes a list). ``source`` is a ``NoticeSource`` value (``"alert"``, ``"cases"`` …).
    ``deadline_days`` defaults to the target unit's policy for notices (15 working days
    unless the unit or one above it sets its own). ``source_key`` makes drafting idempotent:
    the notice already drafted under that key is returned unchanged. ``actor`` None is the
    system (the sweep), which then needs ``issuer_unit``.

    Raises ``NotAllowed`` when ``actor`` may not address the target, ``ServiceError`` for a
    missing target or problem, a bad deadline or evidence outside the target. Audited as
    ``notice.draft``.
    """
    if source_key is not None:
        existing = db.session.scalar(select(Notice).where(Notice.source_key == source_key))
        if existing is not None:
            return existing
    unit = _target_unit(target_window, target_unit)
    if actor is not None and not may_target(actor, unit, target_window):
        raise NotAllowed(_("You may not send notices to %(name)s.",
                           name=target_window.name if target_window else unit.name), "target")
    try:
        source, kind = NoticeSource(source), NoticeKind(kind)
    except ValueError:
        raise ServiceError(_("Unknown source of a notice: %(source)s.", source=source),
                           "source") from None
    issuer_unit = _issuer_unit(actor, unit, issuer_unit)
    now = clock.now()
    notice = Notice(
        kind=kind, source=source, source_key=source_key, state=NoticeState.DRAFT,
        window=target_window, org_unit=unit, issuer_unit=issuer_unit,
        created_at=now, created_by_id=getattr(actor, "id", None), follows=follows,
        deadline_days=(policy_days(unit, DeadlineKind.NOTICE)
                       if deadline_days is None else deadline_days),
        title="", problem="", requirement="",
    )
    _set_text(notice, title=title, problem=problem, requirement=requirement)
    _check_days(notice.deadline_days)
    notice.links = _links(evidence or {}, unit, target_window)
    db.session.add(notice)
    notice._event(EventKind.CREATED, actor, now)
    db.session.flush()
    record(actor, "notice.draft", notice, {
        "target": target_window.code if target_window else unit.code,
        "kind": kind.value, "source": source.value, "source_key": source_key,
        "evidence": [f"{link.kind.value}:{link.ref}" for link in notice.links],
    })
    if actor is None:
        _notify(_supervisors_of(issuer_unit), "notice.drafted", notice,
                _l("A draft notice waits for your review: %(title)s", title=notice.title))
    return notice


def update_draft(actor: User | None, notice: Notice, *, title: str, problem: str,
                 requirement: str, deadline_days: int) -> None:
    """Change a draft's text or deadline. Raises ``IllegalMove`` once it is sent,
    ``NotAllowed``, ``ServiceError`` for empty or overlong text. Audited as ``notice.edit``."""
    _require(actor is None or may_supervise(actor, notice))
    check_move(notice.state, "edit")
    _check_days(deadline_days)
    values = _clean_text(notice, title=title, problem=problem, requirement=requirement)
    changes = apply_changes(notice, {**values, "deadline_days": deadline_days})
    if changes:
        notice.edit(actor, clock.now())
        record(actor, "notice.edit", notice, changes)


def draft_from_cases(actor: User | None, cases: Sequence[Any]) -> Notice:
    """A draft notice about ``cases`` (triaged 限期整改), linking them as evidence.

    Cases of one window make a notice to that window; cases of several windows of one hall
    (or about the hall itself) make a notice to the hall. Raises ``ServiceError`` for no
    cases or cases of several halls, ``NotAllowed`` when ``actor`` may not address the target.
    """
    if not cases:
        raise ServiceError(_("Choose at least one case."), "cases")
    windows = {case.window_id for case in cases}
    window = cases[0].window if len(windows) == 1 and None not in windows else None
    units = {(case.window.org_unit if case.window is not None else case.hall) for case in cases}
    if window is None and len({unit.id for unit in units if unit is not None}) != 1:
        raise ServiceError(_("A notice from cases needs cases of one window or one hall."),
                           "cases")
    lines = [_("%(n)d cases call for rectification within a deadline:", n=len(cases))]
    for case in cases:
        text = " ".join((case.content or "").split())
        lines.append(f"{case.tracking_no}: {text[:200]}")
    return draft_notice(
        actor, target_window=window, target_unit=None if window else next(iter(units)),
        problem="\n".join(lines), evidence={"cases": [case.id for case in cases]},
        source=NoticeSource.CASES,
    )


def draft_follow_up(actor: User | None, notice: Notice) -> Notice:
    """A new draft to the same target after a closed notice's window fell back (idempotent:
    one follow-up per notice). Raises ``ServiceError`` unless ``notice`` is closed."""
    _require(actor is None or may_supervise(actor, notice))
    if notice.state != NoticeState.CLOSED:
        raise ServiceError(_("Only a closed notice can be followed up."), "state")
    return draft_notice(
        actor, target_window=notice.window,
        target_unit=notice.org_unit if notice.window is None else None,
        problem=_("Satisfaction fell back after notice %(number)s was closed.",
                  number=notice.number),
        requirement=notice.requirement, source=NoticeSource.FOLLOW_UP, follows=notice,
        source_key=f"follow-up:{notice.id}",
    )


def cancel_draft(actor: User | None, notice: Notice, reason: str) -> None:
    """Drop a draft that will not be sent. Audited as ``notice.cancel``."""
    _require(actor is None or may_supervise(actor, notice))
    reason = _text(reason, "reason", _("Please say why the draft is dropped."))
    notice.cancel(actor, clock.now(), reason)
    record(actor, "notice.cancel", notice, {"reason": reason})


# --- the moves --------------------------------------------------------------------------------


def issue_notice(actor: User | None, notice: Notice) -> None:
    """Send a draft: it gets its number and its deadline in working days from now.

    Raises ``IllegalMove`` unless it is a draft, ``ServiceError`` without a requirement.
    Notifies the window's managers (or the unit's supervisors). Audited as ``notice.issue``.
    """
    _require(actor is None or may_supervise(actor, notice))
    if not notice.requirement.strip():
        raise ServiceError(_("Please say what must be done before sending the notice."),
                           "requirement")
    now = clock.now()
    deadline = add_working_days(now, notice.deadline_days)
    for attempt in range(1, NUMBER_ATTEMPTS + 1):
        try:
            with db.session.begin_nested():
                notice.issue(actor, now, number=_next_number(now), due_at=deadline.due_at,
                             estimated=deadline.estimated)
                db.session.flush()
            break
        except IntegrityError:
            # Another notice committed the same number between our read and our write: the
            # savepoint undid this attempt (the notice is a draft again); read the next number.
            if attempt == NUMBER_ATTEMPTS:
                raise ServiceError(_("Another notice took the next number at the same moment. "
                                     "Please send it again.")) from None
    record(actor, "notice.issue", notice, {
        "number": notice.number, "due_at": deadline.due_at.isoformat(),
        "working_days": deadline.working_days, "estimated": deadline.estimated,
    })
    _notify(responders(notice), "notice.issued", notice,
            _l("Rectification notice %(number)s: %(title)s", number=notice.number,
               title=notice.title))


def acknowledge_notice(actor: User | None, notice: Notice) -> None:
    """The window's manager has read the notice. Audited as ``notice.acknowledge``."""
    _require(actor is None or may_respond(actor, notice))
    notice.acknowledge(actor, clock.now())
    record(actor, "notice.acknowledge", notice)
    _notify(_issuers(notice), "notice.acknowledged", notice,
            _l("Notice %(number)s was acknowledged", number=notice.number))


def submit_report(actor: User | None, notice: Notice, measures: str,
                  uploads: Iterable[tuple[str | None, IO[bytes]]] = ()) -> NoticeReport:
    """Report the measures taken, with evidence files (JPEG, PNG, PDF).

    Every file is checked before anything is stored: one bad file refuses the whole report.
    Raises ``ServiceError`` (field ``files``) naming a file that is empty, too large or not
    an image or PDF by its content, ``IllegalMove`` unless the notice is acknowledged or
    returned. Notifies the supervisors who verify. Audited as ``notice.report``.
    """
    _require(actor is None or may_respond(actor, notice))
    measures = _text(measures, "measures", _("Please describe the measures taken."))
    uploads = list(uploads)
    if len(uploads) > files.max_files():
        raise ServiceError(_("At most %(n)d files per report.", n=files.max_files()), "files")
    checked = [files.check_upload(name, stream) for name, stream in uploads]
    now = clock.now()
    report = NoticeReport(number=len(notice.reports) + 1, measures=measures, submitted_at=now,
                          submitted_by=actor)
    notice.report(actor, now, report)
    stored: list[str] = []
    try:
        for item in checked:
            stored_name = files.store(item)
            stored.append(stored_name)
            report.files.append(EvidenceFile(
                notice=notice, stored_name=stored_name, original_name=item.original_name,
                content_type=item.content_type, size=len(item.data), sha256=item.sha256,
                uploaded_at=now, uploaded_by_id=getattr(actor, "id", None),
            ))
        db.session.flush()
    except BaseException:
        files.discard(stored)
        raise
    record(actor, "notice.report", notice, {
        "report": report.number,
        "files": [{"name": f.original_name, "type": f.content_type, "size": f.size,
                   "sha256": f.sha256} for f in report.files],
    })
    _notify(_issuers(notice), "notice.reported", notice,
            _l("Notice %(number)s: measures reported, please verify", number=notice.number))
    return report


def return_notice(actor: User | None, notice: Notice, comment: str) -> None:
    """The report is not enough: back to the window for another one, with comments.
    Audited as ``notice.return``."""
    _require(actor is None or may_supervise(actor, notice))
    comment = _text(comment, "comment", _("Please say what is missing."))
    notice.return_report(actor, clock.now(), comment)
    record(actor, "notice.return", notice, {"report": notice.current_report.number,
                                           "comment": comment})
    _notify(responders(notice), "notice.returned", notice,
            _l("Notice %(number)s was returned: another report is due", number=notice.number))


def verify_notice(actor: User | None, notice: Notice, comment: str = "") -> None:
    """The rectification is verified: the notice is closed. Audited as ``notice.verify``."""
    _require(actor is None or may_supervise(actor, notice))
    comment = (comment or "").strip()
    if len(comment) > TEXT_LIMIT:
        raise ServiceError(_("At most %(n)d characters.", n=TEXT_LIMIT), "comment")
    notice.verify(actor, clock.now(), comment)
    record(actor, "notice.verify", notice, {"report": notice.current_report.number,
                                           "comment": comment})
    _notify(responders(notice), "notice.closed", notice,
            _l("Notice %(number)s was verified and closed", number=notice.number))


def publish_notice(actor: User | None, notice: Notice, public_text: str) -> None:
    """Publish an overdue or returned notice as a public notice 通报 on /notices.

    Only ``public_text``, the target's name and the dates are published. Raises
    ``ServiceError`` when the text holds a phone or ID-card number or the name or badge number
    of a staff member of the target, ``IllegalMove`` when the notice was neither overdue nor
    returned, or is published already. Audited as ``notice.publish``.
    """
    _require(actor is None or may_supervise(actor, notice))
    text = _text(public_text, "public_text", _("Please write the text to publish."))
    _refuse_personal_data(notice, text)
    notice.publish(actor, clock.now(), text)
    record(actor, "notice.publish", notice, {"public_text": text})
    _notify(responders(notice), "notice.published", notice,
            _l("Notice %(number)s was published as a public notice", number=notice.number))


# --- the sweep --------------------------------------------------------------------------------


def refresh_estimated_deadlines(now: datetime | None = None) -> int:
    """The sweep's step: count again the deadlines of running notices that were estimated
    (weekends only, for a year the calendar did not know yet), now that an administrator may
    have entered that year. Before the overdue step; a notice already overdue keeps its
    deadline. Audited; returns how many changed."""
    notices = db.session.scalars(
        select(Notice)
        .where(Notice.state.in_([s.value for s in RUNNING]), Notice.overdue_at.is_(None),
               Notice.deadline_estimated.is_(True), Notice.issued_at.is_not(None))
        .order_by(Notice.id)
    ).all()
    changed = 0
    for notice in notices:
        deadline = add_working_days(notice.issued_at, notice.deadline_days)
        if (deadline.due_at, deadline.estimated) == (notice.due_at, notice.deadline_estimated):
            continue
        record(None, "notice.deadline_recounted", notice, {
            "was": notice.due_at.isoformat(), "now": deadline.due_at.isoformat(),
            "estimated": deadline.estimated})
        notice.due_at, notice.deadline_estimated = deadline.due_at, deadline.estimated
        changed += 1
    db.session.flush()
    return changed


def mark_overdue_notices(now: datetime | None = None) -> int:
    """The sweep's step: notices past their deadline and still waiting for the window or
    unit become overdue and escalate to the next supervisor up; return how many.

    Idempotent: a notice is marked and escalated once, so the sweep may run every few
    minutes. Audited with the system as actor; the window's managers, the issuer and the
    supervisors it escalates to are told.
    """
    now = now or clock.now()
    due = db.session.scalars(
        select(Notice)
        .where(Notice.state.in_([s.value for s in RUNNING]), Notice.overdue_at.is_(None),
               Notice.due_at <= now)
        .order_by(Notice.due_at, Notice.id)
    ).all()
    for notice in due:
        notice.mark_overdue(now)
        record(None, "notice.overdue", notice, {"due_at": notice.due_at.isoformat()})
        _notify([*responders(notice), *_issuers(notice)], "notice.overdue", notice,
                _l("Notice %(number)s is overdue", number=notice.number))
        to, recipients = escalation_target(notice)
        notice.escalate(now, to, to.name if to is not None else _("administrators"))
        record(None, "notice.escalate", notice, {"to": to.code if to is not None else "admin"})
        _notify(recipients, "notice.escalated", notice,
                _l("Overdue notice %(number)s escalated to you: %(title)s",
                   number=notice.number, title=notice.title))
    db.session.flush()
    return len(due)


def escalation_target(notice: Notice) -> tuple[OrgUnit | None, list[User]]:
    """The next supervisor up from where the notice was issued: the nearest unit above the
    issuer's unit that has an active supervisor, with those supervisors; (None, the
    administrators) when there is none."""
    issuer = notice.issuer_unit or notice.org_unit
    for unit_id in reversed(issuer.ancestor_ids):
        supervisors = _supervisors_of_id(unit_id)
        if supervisors:
            return db.session.get(OrgUnit, unit_id), supervisors
    admins = list(db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)))
    return None, admins


# --- who acts ---------------------------------------------------------------------------------


def responders(notice: Notice) -> list[User]:
    """Who acknowledges and reports: the target window's managers, or for a unit the unit's
    own supervisors and the managers of windows directly in it."""
    from feedback.accounts.models import user_windows

    if notice.window_id is not None:
        windows = select(user_windows.c.user_id).where(
            user_windows.c.window_id == notice.window_id)
        query = select(User).where(User.role == Role.MANAGER, User.id.in_(windows))
    else:
        windows = select(user_windows.c.user_id).join(
            Window, Window.id == user_windows.c.window_id).where(
            Window.org_unit_id == notice.org_unit_id)
        query = select(User).where(
            ((User.role == Role.MANAGER) & User.id.in_(windows))
            | ((User.role == Role.SUPERVISOR) & (User.org_unit_id == notice.org_unit_id)))
    return list(db.session.scalars(query.where(User.active.is_(True)).order_by(User.id)))


def _issuers(notice: Notice) -> list[User]:
    """Who verifies: the supervisor who issued it if still active, else the issuer unit's."""
    issuer = notice.issued_by
    if issuer is not None and issuer.active and may_supervise(issuer, notice):
        return [issuer]
    return _supervisors_of(notice.issuer_unit)


def _supervisors_of(unit: OrgUnit | None) -> list[User]:
    if unit is None:
        return list(db.session.scalars(
            select(User).where(User.role == Role.ADMIN, User.active.is_(True))))
    return _supervisors_of_id(unit.id)


def _supervisors_of_id(unit_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == Role.SUPERVISOR, User.org_unit_id == unit_id,
                           User.active.is_(True)).order_by(User.id)))


def _notify(users: Iterable[User], kind: str, notice: Notice, subject: Any) -> None:
    from feedback.notifications.services import notify

    recipients = list({user.id: user for user in users}.values())
    if recipients:
        notify(recipients, kind, notice, f"/admin/notices/{notice.id}", subject)


# --- helpers ----------------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(_("You may not do this to this notice."), "state")


def _target_unit(window: Window | None, unit: OrgUnit | None) -> OrgUnit:
    if window is not None:
        if unit is not None and unit.id != window.org_unit_id:
            raise ServiceError(_("The window is not in that unit."), "target")
        return window.org_unit
    if unit is None:
        raise ServiceError(_("Please choose a window or an organisation unit."), "target")
    return unit


def _issuer_unit(actor: User | None, target: OrgUnit, given: OrgUnit | None) -> OrgUnit:
    if actor is not None and actor.role == Role.SUPERVISOR and actor.org_unit is not None:
        return actor.org_unit
    if given is not None:
        if not given.contains(target):
            raise ServiceError(_("The issuing unit must be above the target."), "target")
        return given
    # An administrator (or the system without a unit) issues from the top of the target's tree.
    root_id = (target.ancestor_ids or [target.id])[0]
    return db.session.get(OrgUnit, root_id)


def _text(value: str | None, field_name: str, empty_message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(empty_message, field_name)
    if len(value) > TEXT_LIMIT:
        raise ServiceError(_("At most %(n)d characters.", n=TEXT_LIMIT), field_name)
    return value


def _set_text(notice: Notice, *, title: str | None, problem: str, requirement: str) -> None:
    for key, value in _clean_text(notice, title=title, problem=problem,
                                  requirement=requirement).items():
        setattr(notice, key, value)


def _clean_text(notice: Notice, *, title: str | None, problem: str,
                requirement: str) -> dict[str, str]:
    """The notice's text, trimmed and checked; an empty title becomes the usual one."""
    problem = _text(problem, "problem", _("Please describe the problem."))
    requirement = (requirement or "").strip()
    if len(requirement) > TEXT_LIMIT:
        raise ServiceError(_("At most %(n)d characters.", n=TEXT_LIMIT), "requirement")
    title = (title or "").strip()
    if not title:
        name = notice.window.name if notice.window is not None else notice.org_unit.name
        title = (_("Formal talk with %(name)s", name=name) if notice.kind == NoticeKind.TALK
                 else _("Rectification notice to %(name)s", name=name))
    if len(title) > TITLE_LIMIT:
        raise ServiceError(_("At most %(n)d characters.", n=TITLE_LIMIT), "title")
    return {"title": title, "problem": problem, "requirement": requirement}


def _check_days(days: int) -> None:
    if not isinstance(days, int) or not MIN_WORKING_DAYS <= days <= MAX_WORKING_DAYS:
        raise ServiceError(_("A deadline is %(low)d to %(high)d working days.",
                             low=MIN_WORKING_DAYS, high=MAX_WORKING_DAYS), "deadline_days")


def _links(evidence: Mapping[str, Any], unit: OrgUnit, window: Window | None) -> list[NoticeLink]:
    kinds = {"evaluations": LinkKind.EVALUATION, "evaluation": LinkKind.EVALUATION,
             "cases": LinkKind.CASE, "case": LinkKind.CASE, "alerts": LinkKind.ALERT,
             "alert": LinkKind.ALERT, "charts": LinkKind.CHART, "chart": LinkKind.CHART,
             "inspection": LinkKind.INSPECTION, "inspections": LinkKind.INSPECTION}
    unknown = set(evidence) - set(kinds)
    if unknown:
        raise TypeError(f"unknown kinds of evidence: {sorted(unknown)}")
    links: dict[tuple[LinkKind, str], NoticeLink] = {}
    for key, values in evidence.items():
        if values is None:
            continue
        kind = kinds[key]
        if isinstance(values, str | int | Mapping):
            values = [values]
        for value in values:
            label = ""
            if isinstance(value, Mapping):
                label, value = str(value.get("label", ""))[:200], value.get("ref", "")
            ref = str(value).strip()
            if not ref:
                continue
            if kind == LinkKind.CHART and (not ref.startswith("/") or ref.startswith("//")):
                raise ServiceError(_("A chart is linked by its path in Manyi."), "evidence")
            if kind in (LinkKind.EVALUATION, LinkKind.CASE, LinkKind.ALERT) and not ref.isdigit():
                raise ServiceError(_("Evidence is linked by its number."), "evidence")
            links[(kind, ref[:200])] = NoticeLink(kind=kind, ref=ref[:200], label=label)
    _check_evaluations([int(ref) for kind, ref in links if kind == LinkKind.EVALUATION],
                       unit, window)
    return list(links.values())


def _check_evaluations(ids: list[int], unit: OrgUnit, window: Window | None) -> None:
    """Evaluations linked as evidence must be of the target: a manager reading the notice
    may then read them too, and nothing of another window leaks through a notice."""
    if not ids:
        return
    query = select(Evaluation.id).join(Window, Window.id == Evaluation.window_id)
    if window is not None:
        query = query.where(Evaluation.window_id == window.id)
    else:
        query = query.join(OrgUnit, OrgUnit.id == Window.org_unit_id).where(
            OrgUnit.in_subtree(unit))
    found = set(db.session.scalars(query.where(Evaluation.id.in_(ids))))
    missing = sorted(set(ids) - found)
    if missing:
        raise ServiceError(_("Evaluation %(id)s is not one of the target's.", id=missing[0]),
                           "evidence")


# Numbers are the year's highest plus one; a clash with a concurrent issue is retried.
NUMBER_ATTEMPTS = 5


def _next_number(now: datetime) -> str:
    year = local_date(now).year
    prefix = f"{year}-"
    last = db.session.scalar(
        select(func.max(Notice.number)).where(Notice.number.like(f"{prefix}%")))
    sequence = int(last.split("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _refuse_personal_data(notice: Notice, text: str) -> None:
    if MOBILE_RE.search(text) or ID_CARD_RE.search(text) or LANDLINE_RE.search(text):
        raise ServiceError(_("A public notice must not contain phone or ID-card numbers."),
                           "public_text")
    query = select(Staff.name, Staff.badge_no).join(Window, Window.id == Staff.window_id)
    if notice.window_id is not None:
        query = query.where(Staff.window_id == notice.window_id)
    else:
        query = query.join(OrgUnit, OrgUnit.id == Window.org_unit_id).where(
            OrgUnit.in_subtree(notice.org_unit))
    for name, badge_no in db.session.execute(query):
        if (len(name) >= 2 and name in text) or (badge_no and badge_no in text):
            raise ServiceError(
                _("A public notice must not name staff members (%(name)s).", name=name),
                "public_text")
