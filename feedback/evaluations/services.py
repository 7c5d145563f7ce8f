"""Storing evaluations, issuing transaction tokens, flagging and restoring.

Services flush, never commit: the request commits once. The hot path is
``submit_evaluation``: a few indexed reads and one insert.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, select, text, update

from feedback import clock, crypto, database
from feedback.audit.services import record
from feedback.cases import intake as case_intake
from feedback.dbtypes import UTCDateTime
from feedback.errors import ServiceError
from feedback.evaluations.models import (
    Channel,
    Device,
    Evaluation,
    EvaluationToken,
    FlagReason,
    FlagStatus,
)
from feedback.extensions import db
from feedback.questionnaires.models import SurveyVersion
from feedback.questionnaires.queries import VersionRef
from feedback.stats import rollups
from feedback.windows.models import Staff, Window
from surveys import (
    COMMENT_KEY,
    OVERALL_KEY,
    STAFF_KEY,
    SurveyDefinition,
    ValidationContext,
    is_bad,
)

if TYPE_CHECKING:
    from feedback.accounts.models import User

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class Contact:
    phone: str = ""
    consent: bool = False
    wants_reply: bool = False


@dataclass
class Submission:
    """Who submits, from where, and with what proof; filled in by the view or the API."""

    channel: Channel
    nonce: str | None = None
    client_id: str | None = None  # the browser's random id (cookie), hashed before storing
    address: str | None = None  # the client address, hashed before storing
    staff_session: bool = False  # a signed-in member of staff submitted it
    token: EvaluationToken | None = None
    device: Device | None = None
    created_at: datetime | None = None  # devices may send when the rating was given


class InvalidAnswers(ServiceError):
    """The answers do not fit the questionnaire; ``errors`` maps question key to error."""

    def __init__(self, errors: Mapping[str, Any], contact_errors: Mapping[str, str]) -> None:
        super().__init__(_("Please correct the answers marked below."))
        self.errors = dict(errors)
        self.contact_errors = dict(contact_errors)


@dataclass
class Stored:
    """What the citizen is shown after submitting (the stored row, or the earlier one)."""

    id: int
    level: int
    tracking_no: str | None
    verified: bool
    flag_status: FlagStatus
    flag_reason: FlagReason | None
    duplicate: bool = False  # the same form was submitted before; nothing new was stored
    access_code: str | None = None  # the case's lookup code, shown once (None: phone digits)
    due_at: datetime | None = None  # when the case's answer is due (stored now; None on repeat)

    @property
    def flagged(self) -> bool:
        return self.flag_status == FlagStatus.FLAGGED

    @classmethod
    def of(cls, evaluation: Evaluation, duplicate: bool = False) -> Stored:
        return cls(evaluation.id, evaluation.level, evaluation.tracking_no, evaluation.verified,
                   evaluation.flag_status, evaluation.flag_reason, duplicate)


class WindowLike(Protocol):
    id: int
    active: bool


def _unit_path(window: WindowLike) -> str:
    """The window's org unit's materialised path: the rating form's row carries it
    (``unit_path``); an ORM ``Window`` reads it from its unit."""
    path = getattr(window, "unit_path", None)
    return path if path is not None else window.org_unit.path  # type: ignore[attr-defined]


def find_by_nonce(nonce: str) -> Evaluation | None:
    return db.session.scalar(select(Evaluation).where(Evaluation.nonce == nonce))


_DEFINITIONS: dict[str, SurveyDefinition] = {}
# Built once: a Core insert on the table, not the unit of work (the hottest write in Manyi).
_INSERT = insert(Evaluation.__table__).returning(Evaluation.__table__.c.id)


def definition_of(version: SurveyVersion | VersionRef) -> SurveyDefinition:
    """The parsed questionnaire of a version, parsed once per process.

    Keyed by the content's fingerprint, so the cache can never serve other content.
    """
    definition = _DEFINITIONS.get(version.fingerprint)
    if definition is None:
        if len(_DEFINITIONS) > 256:
            _DEFINITIONS.clear()
        raw = getattr(version, "definition", None) or db.session.scalar(
            select(SurveyVersion.definition).where(SurveyVersion.id == version.id))
        definition = SurveyDefinition.from_dict(raw)
        _DEFINITIONS[version.fingerprint] = definition
    return definition


def submit_evaluation(
    window: WindowLike,
    version: SurveyVersion | VersionRef,
    raw_answers: Mapping[str, Any],
    contact: Contact,
    submission: Submission,
) -> Stored:
    """Validate and store one evaluation of ``window``.

    Every level of the scale is stored, the worst ones included. Suspicious submissions are
    stored too, flagged with their reason and left out of statistics. A form nonce seen before
    returns the evaluation it stored (``duplicate=True``) and stores nothing.
    Raises ``InvalidAnswers`` (nothing stored) for answers or contact data that do not fit, and
    ``ServiceError`` for a window that is not accepting ratings or a token that cannot be used.

    This is the hottest write in Manyi, so it inserts with one Core statement rather than
    through the unit of work, and asks the database only what it must.
    """
    now = clock.now()
    client_hash = (crypto.keyed_hash("client", submission.client_id)
                   if submission.client_id else None)
    address_hash = (crypto.keyed_hash("address", submission.address)
                    if submission.address else None)
    prior = _prior_submissions(window, submission, client_hash, address_hash, now)
    if prior.existing_id is not None:
        return repeated(db.session.get(Evaluation, prior.existing_id), window, submission)
    if not window.active:
        raise ServiceError(_("This window is not accepting ratings."))

    definition = definition_of(version)
    result = definition.validate(raw_answers, _context(definition, window, raw_answers))
    phone, contact_errors = _check_contact(contact)
    if not result.ok or contact_errors:
        raise InvalidAnswers(result.errors, contact_errors)

    answers = result.answers
    level = int(answers[OVERALL_KEY])
    token = submission.token
    if token is not None:
        _use_token(token, window, now)
    reason = _suspicion(submission, prior)
    wants_reply = contact.wants_reply and bool(phone)
    row = {
        "window_id": window.id,
        "staff_id": answers.get(STAFF_KEY),
        "survey_version_id": version.id,
        "channel": submission.channel,
        "level": level,
        "answers": _jsonable(answers),
        "comment": str(answers.get(COMMENT_KEY, "")),
        "phone_cipher": crypto.encrypt(phone) if phone else None,
        "phone_masked": crypto.mask_phone(phone) if phone else None,
        "wants_reply": wants_reply,
        "tracking_no": new_tracking_no(now) if is_bad(level) or wants_reply else None,
        "created_at": submission.created_at or now,
        "nonce": submission.nonce,
        "token_id": token.id if token is not None else None,
        "device_id": submission.device.id if submission.device is not None else None,
        "verified": token is not None,
        "client_hash": client_hash,
        "address_hash": address_hash,
        "flag_status": FlagStatus.FLAGGED if reason is not None else FlagStatus.COUNTED,
        "flag_reason": reason,
    }
    new_id = database.execute(_INSERT, row).scalar_one()
    rollups.on_submit(row, definition)  # the rollups, in this transaction
    stored = Stored(new_id, level, row["tracking_no"], row["verified"], row["flag_status"],
                    reason)
    if row["tracking_no"] is not None:
        # Every tracking number is a case, with its deadline: one more INSERT, no query.
        opened = case_intake.open_case_for_evaluation(new_id, row, phone, submission.nonce,
                                                      _unit_path(window))
        stored.access_code, stored.due_at = opened.access_code, opened.deadline.due_at
    return stored


def repeated(earlier: Evaluation, window: WindowLike, submission: Submission) -> Stored:
    """What a form submitted again shows: the evaluation its nonce stored, with the case's
    code. Only to the same form: a nonce of another window or channel (a device's, say) is
    refused with ``ServiceError`` rather than showing someone else's tracking number."""
    if earlier.window_id != window.id or earlier.channel != submission.channel:
        raise ServiceError(_("This form belongs to another window. Please open the form again."))
    stored = Stored.of(earlier, duplicate=True)
    stored.access_code = case_intake.code_for_repeat(earlier, submission.nonce)
    return stored


def _context(definition: SurveyDefinition, window: WindowLike,
             raw_answers: Mapping[str, Any]) -> ValidationContext:
    """Staff on duty, looked up only when the citizen named one."""
    keys = [q.key for q in definition.questions if q.type_name == "staff"]
    if not any(raw_answers.get(key) for key in keys):
        return ValidationContext(staff_ids=())
    staff_ids = db.session.scalars(
        select(Staff.id).where(Staff.window_id == window.id, Staff.active.is_(True))
    ).all()
    return ValidationContext(staff_ids=staff_ids)


def _check_contact(contact: Contact) -> tuple[str, dict[str, str]]:
    errors: dict[str, str] = {}
    phone = re.sub(r"[\s()]", "", contact.phone or "")
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = _("Please enter a mobile number (11 digits) or a landline number.")
    if contact.wants_reply and not phone:
        errors["phone"] = _("Please leave a phone number so that we can reply.")
    if phone and not contact.consent:
        errors["consent"] = _("Please agree that we may use your number to reply, "
                              "or leave the number empty.")
    return phone, errors


# One round trip for everything the hot path asks about earlier submissions: the nonce seen
# before (a double tap), the same browser at the same window lately (a repeat), and how many
# came from this address lately, counted no further than the burst threshold.
_PRIOR = text("""
SELECT
  (SELECT id FROM evaluations WHERE nonce = :nonce) AS existing_id,
  (SELECT 1 FROM evaluations
     WHERE client_hash = :client_hash AND window_id = :window_id AND created_at > :repeat_since
     LIMIT 1) AS repeat,
  (SELECT count(*) FROM (SELECT 1 FROM evaluations
     WHERE address_hash = :address_hash AND created_at > :burst_since
     LIMIT :burst_limit) AS recent) AS burst
""").bindparams(
    bindparam("repeat_since", type_=UTCDateTime),
    bindparam("burst_since", type_=UTCDateTime),
)


@dataclass
class _Prior:
    existing_id: int | None
    repeat: bool
    burst: int


def _prior_submissions(window: WindowLike, submission: Submission, client_hash: str | None,
                       address_hash: str | None, now: datetime) -> _Prior:
    config = current_app.config
    row = database.execute(_PRIOR, {
        "nonce": submission.nonce,
        "client_hash": client_hash,
        "window_id": window.id,
        "repeat_since": now - timedelta(minutes=config["EVALUATION_REPEAT_MINUTES"]),
        "address_hash": address_hash,
        "burst_since": now - timedelta(minutes=config["EVALUATION_BURST_MINUTES"]),
        "burst_limit": config["EVALUATION_BURST_COUNT"],
    }).one()
    return _Prior(row.existing_id, bool(row.repeat), row.burst or 0)


def _suspicion(submission: Submission, prior: _Prior) -> FlagReason | None:
    """Why this submission should not count, or None. Nothing is refused for it."""
    if submission.staff_session:
        return FlagReason.STAFF_SESSION
    if submission.token is not None:
        return None  # bound to a real transaction
    if prior.repeat:
        return FlagReason.REPEAT
    if prior.burst >= current_app.config["EVALUATION_BURST_COUNT"]:
        return FlagReason.BURST
    return None


def new_tracking_no(now: datetime) -> str:
    """``20261126-7KQ4MZ``: the date and a short random part a citizen can read out."""
    suffix = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(6))
    return f"{now:%Y%m%d}-{suffix}"


# --- transaction tokens (一事一评) -----------------------------------------------------------


def issue_token(window: Window, transaction_no: str, *, actor: User | None = None,
                device: Device | None = None) -> EvaluationToken:
    """Issue a one-time evaluation token for a transaction at ``window``.

    Issuing again for the same transaction returns the open token instead of a second one.
    Raises ``ServiceError`` for an empty or overlong transaction number, an inactive window, or
    a transaction already evaluated. Audited as ``token.issue``.
    """
    transaction_no = transaction_no.strip()
    if not transaction_no or len(transaction_no) > 64:
        raise ServiceError(_("A transaction number has 1 to 64 characters."), "transaction_no")
    if not window.active:
        raise ServiceError(_("This window is not accepting ratings."))
    now = clock.now()
    existing = db.session.scalar(
        select(EvaluationToken).where(EvaluationToken.window_id == window.id,
                                      EvaluationToken.transaction_no == transaction_no)
    )
    if existing is not None:
        if existing.used_at is not None:
            raise ServiceError(_("This transaction has been evaluated already."),
                               "transaction_no")
        if existing.expires_at > now:
            return existing
        db.session.delete(existing)  # expired unused: issue afresh
        db.session.flush()
    ttl = timedelta(days=current_app.config["EVALUATION_TOKEN_DAYS"])
    token = EvaluationToken(
        token=secrets.token_urlsafe(16), window_id=window.id, transaction_no=transaction_no,
        issued_at=now, expires_at=now + ttl, issued_by_id=getattr(actor, "id", None),
        device_id=device.id if device is not None else None,
    )
    db.session.add(token)
    db.session.flush()
    record(actor, "token.issue", token, {"window": window.code, "transaction_no": transaction_no,
                                         "device": device.name if device else None})
    return token


def get_token(value: str) -> EvaluationToken | None:
    return db.session.scalar(select(EvaluationToken).where(EvaluationToken.token == value))


def _use_token(token: EvaluationToken, window: WindowLike, now: datetime) -> None:
    if token.window_id != window.id:
        raise ServiceError(_("This evaluation code belongs to another window."))
    # Conditional update: of two concurrent submissions with one token, only one wins.
    used = db.session.execute(
        update(EvaluationToken)
        .where(EvaluationToken.id == token.id, EvaluationToken.used_at.is_(None),
               EvaluationToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        raise ServiceError(_("This evaluation code has been used or has expired."))
    token.used_at = now


# --- flags ------------------------------------------------------------------------------------


def restore_evaluation(actor: User, evaluation: Evaluation, note: str) -> None:
    """Count a flagged evaluation again. Raises ``ServiceError`` unless it is flagged; audited."""
    if evaluation.flag_status != FlagStatus.FLAGGED:
        raise ServiceError(_("This evaluation is not flagged."))
    was_counted = evaluation.counted
    evaluation.flag_status = FlagStatus.RESTORED
    rollups.on_status_change(evaluation, was_counted)
    record(actor, "evaluation.restore", evaluation,
           {"reason": evaluation.flag_reason.value if evaluation.flag_reason else None,
            "note": note.strip()})


def reveal_phone(actor: User, evaluation: Evaluation, purpose: str) -> str:
    """The citizen's phone number in clear. Every reveal is written to the audit log."""
    if evaluation.phone_cipher is None:
        raise ServiceError(_("No phone number was left."))
    if not purpose.strip():
        raise ServiceError(_("Please say why you need the number."), "purpose")
    record(actor, "evaluation.reveal_phone", evaluation, {"purpose": purpose.strip()})
    return crypto.decrypt(evaluation.phone_cipher)


def _jsonable(answers: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, tuple):
            out[key] = list(value)
        elif isinstance(value, int):
            out[key] = int(value)
        else:
            out[key] = value
    return out
