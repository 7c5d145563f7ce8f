"""Writes on the inbox, and the outbox sender.

``notify()`` is what other domains call when something waits for a user: it adds one inbox row
per active recipient and, when e-mail is on, queues one e-mail per recipient with an address —
all in the caller's transaction (flush only). Nothing leaves the machine before that
transaction commits: a session hook hands the queued ids to the sender after the commit (after
the response, in a request), and a rolled-back transaction leaves neither rows nor e-mails.
What could not be sent stays queued with its error; ``send_pending()`` (the sweep) retries it.

Language: a user's language is a browser cookie, unknown when the message is written. Texts
are stored in the site's language (``MANYI_LANGUAGE``); a caller that passes lazy strings
(``_l("Case %(no)s is overdue", no=case.tracking_no)``) also gets the inbox shown in each
reader's own language, from the stored message id and parameters. E-mails go out in the site's
language.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from email.errors import MessageError
from typing import Any

import flask_babel
from flask import (
    Flask,
    after_this_request,
    current_app,
    g,
    has_request_context,
    request,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from feedback import clock
from feedback.accounts.models import User
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.notifications.mail import (
    Connection,
    MailError,
    MailSettings,
    build_message,
    new_message_id,
)
from feedback.notifications.models import SUBJECT_LENGTH, Notification, OutgoingMail

log = logging.getLogger(__name__)

PENDING_KEY = "manyi_outbox_ids"
# Minutes to wait before the next attempt after the 1st, 2nd, … failure.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360)
CLAIM_MINUTES = 10  # longer than any batch takes; a crashed sender's claim runs out
BATCH_SIZE = 100


def is_local_path(link: str) -> bool:
    """A path on this site: ``/cases/7``, never ``//host``, ``/\\host`` or ``http://``."""
    return (
        link.startswith("/")
        and not link.startswith("//")
        and "\\" not in link
        and not any(ch.isspace() or ord(ch) < 32 for ch in link)
    )


def notify(
    recipients: Iterable[User],
    kind: str,
    obj: Any | None,
    link: str | None,
    subject: str,
    body: str = "",
) -> None:
    """Put a message in each active recipient's inbox and queue its e-mail.

    ``kind`` names the event (``case.assigned``); ``obj`` is what it is about (its type and id
    are kept); ``link`` is a local path the inbox opens. ``subject`` and ``body`` are plain or
    lazy strings (see the module's note on language). Inactive users and repeated recipients
    are skipped. Flushes only; e-mails leave after the caller's commit. Raises ``ValueError``
    for a missing kind or a link that is not a local path (a programming error, not input).
    """
    if not kind:
        raise ValueError("notify() needs a kind")
    if link is not None and not is_local_path(link):
        raise ValueError(f"notification links are local paths, got {link!r}")
    users: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.active and user.id not in users:
            users[user.id] = user
    if not users:
        return
    subject_text, subject_spec = _render(subject)
    body_text, body_spec = _render(body)
    texts = {key: spec for key, spec in (("subject", subject_spec), ("body", body_spec)) if spec}
    object_type = type(obj).__name__ if obj is not None else None
    object_id = getattr(obj, "id", None) if obj is not None else None
    rows = [
        Notification(
            user=user, kind=kind, object_type=object_type,
            object_id=None if object_id is None else str(object_id), link=link,
            subject=_clip(subject_text), body=body_text, texts=texts or None,
        )
        for user in users.values()
    ]
    db.session.add_all(rows)
    db.session.flush()
    _queue_mails(rows, subject_text, body_text)


def _queue_mails(rows: list[Notification], subject: str, body: str) -> None:
    settings = MailSettings.from_config(current_app.config)
    if not settings.enabled:
        return  # e-mail is off: nothing piles up in the outbox
    mails = [
        OutgoingMail(
            notification_id=row.id, recipient=row.user.email, subject=_clip(subject),
            body=_mail_body(body, row), message_id=new_message_id(settings),
        )
        for row in rows
        if row.user.email
    ]
    if not mails:
        return
    db.session.add_all(mails)
    db.session.flush()
    db.session.info.setdefault(PENDING_KEY, set()).update(mail.id for mail in mails)


def _render(text: Any) -> tuple[str, dict[str, Any] | None]:
    """The text in the site's language, and what renders it in another one (lazy strings)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(text or ""), _spec(text)


def _spec(text: Any) -> dict[str, Any] | None:
    """``{"msgid", "params"}`` of a lazy ``gettext`` string; parameters that are lazy strings
    themselves (a state's label) are kept the same way, so they follow the reader too."""
    if not (isinstance(text, LazyString) and text._func is flask_babel.gettext
            and len(text._args) == 1):
        return None
    params: dict[str, Any] = {}
    for key, value in text._kwargs.items():
        if isinstance(value, int | float):
            params[key] = value
        else:
            params[key] = _spec(value) or str(value)
    return {"msgid": text._args[0], "params": params}


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUBJECT_LENGTH else text[: SUBJECT_LENGTH - 1] + "…"


def _mail_body(body: str, row: Notification) -> str:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        parts = [body.strip()] if body.strip() else []
        parts.append(_("Open it in Manyi: %(url)s", url=_external_url(_inbox_path(row.id))))
        parts.append("-- \n" + _("Sent by the Manyi satisfaction platform. "
                                 "Please do not reply to this message."))
    return "\n\n".join(parts) + "\n"


def _inbox_path(notification_id: int) -> str:
    # Built without a request, so sweeps and the command line link the same way.
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/"
    )
    return adapter.build("notifications.open", {"notification_id": notification_id})


def _external_url(path: str) -> str:
    base = current_app.config.get("MAIL_BASE_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    if not base and current_app.config.get("SERVER_NAME"):
        base = f"{current_app.config['PREFERRED_URL_SCHEME']}://{current_app.config['SERVER_NAME']}"
    return base.rstrip("/") + path


def mark_read(user: User, notification: Notification) -> None:
    """Mark one of ``user``'s messages read (again: no change). Raises ``ServiceError`` for
    someone else's message. Not audited: it is the reader's own bookkeeping, not a change to
    anything the organisation keeps."""
    if notification.user_id != user.id:
        raise ServiceError(_("This message is not yours."))
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.flush()


def mark_all_read(user: User) -> int:
    """Mark every unread message of ``user`` read; returns how many. Not audited (as above)."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# --- the sender ---------------------------------------------------------------------------


def send_pending(now: datetime | None = None) -> int:
    """Send every queued e-mail that is due; returns how many were sent.

    Runs in its own database session and commits it, never the caller's: call it after
    committing. A failure is recorded on the message (``attempts``, ``last_error``) and the
    next attempt waits longer each time (``BACKOFF_MINUTES``), up to ``MAIL_MAX_ATTEMPTS``.
    With ``MAIL_SERVER`` empty nothing is sent and nothing changes.
    """
    return _send(now or clock.now(), None)


def _send(now: datetime, ids: Collection[int] | None) -> int:
    settings = MailSettings.from_config(current_app.config)
    if not settings.enabled:
        return 0
    max_attempts = current_app.config.get("MAIL_MAX_ATTEMPTS", 10)
    sent = 0
    with Session(db.engine, expire_on_commit=False) as session:
        while True:
            claimed = _claim(session, now, ids, max_attempts)
            if not claimed:
                break
            sent += _deliver(session, settings, claimed, now, max_attempts)
            if ids is not None:
                break
    return sent


def _claim(session: Session, now: datetime, ids: Collection[int] | None,
           max_attempts: int) -> list[OutgoingMail]:
    """Take up to a batch of due messages for this sender alone (two senders never share)."""
    due = (
        OutgoingMail.sent_at.is_(None),
        OutgoingMail.attempts < max_attempts,
        OutgoingMail.send_after <= now,
        or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now),
    )
    candidates = select(OutgoingMail.id).where(*due).order_by(OutgoingMail.id).limit(BATCH_SIZE)
    if ids is not None:
        candidates = candidates.where(OutgoingMail.id.in_(list(ids)))
    token = secrets.token_hex(16)
    session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id.in_(candidates.scalar_subquery()), *due)
        .values(claim=token, claimed_until=now + timedelta(minutes=CLAIM_MINUTES))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return list(session.scalars(
        select(OutgoingMail).where(OutgoingMail.claim == token).order_by(OutgoingMail.id)
    ))


def _deliver(session: Session, settings: MailSettings, mails: list[OutgoingMail],
             now: datetime, max_attempts: int) -> int:
    sent = 0
    try:
        connection = Connection(settings).__enter__()
    except MailError as exc:
        for mail in mails:
            mail.attempts += 1
            _failed(mail, str(exc), now, max_attempts)
        session.commit()
        return 0
    try:
        for mail in mails:
            mail.attempts += 1
            if not connection.alive:
                _failed(mail, "connection lost earlier in this batch", now, max_attempts)
            else:
                try:
                    connection.send(build_message(
                        settings, recipient=mail.recipient, subject=mail.subject,
                        body=mail.body, message_id=mail.message_id, date=mail.created_at))
                except (MailError, ValueError, MessageError) as exc:
                    # An address the headers cannot hold fails like a refusal: recorded, and
                    # the batch goes on.
                    _failed(mail, str(exc) or type(exc).__name__, now, max_attempts)
                else:
                    mail.sent_at, mail.last_error = now, None
                    mail.claim, mail.claimed_until = None, None
                    sent += 1
            # One commit per message: a crash now re-sends at most the message in flight.
            session.commit()
    finally:
        connection.__exit__(None, None, None)
    return sent


def _failed(mail: OutgoingMail, error: str, now: datetime, max_attempts: int) -> None:
    """Record a failed attempt (already counted in ``attempts``) and when to try again."""
    mail.last_error = error[:500]
    delay = BACKOFF_MINUTES[min(mail.attempts, len(BACKOFF_MINUTES)) - 1]
    mail.send_after = now + timedelta(minutes=delay)
    mail.claim, mail.claimed_until = None, None
    level = logging.ERROR if mail.attempts >= max_attempts else logging.WARNING
    log.log(level, "e-mail %s to %s failed (attempt %d): %s", mail.id, mail.recipient,
            mail.attempts, error)


# --- after the commit -----------------------------------------------------------------------


def install_session_hooks() -> None:
    """Send what a transaction queued once it commits; forget it when it rolls back."""
    if not event.contains(FlaskSession, "after_commit", _after_commit):
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_transaction_end", _after_transaction_end)


def _after_commit(session: Session) -> None:
    ids = session.info.pop(PENDING_KEY, None)
    if ids:
        _send_soon(sorted(ids))


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: committed (sent) or undone
        session.info.pop(PENDING_KEY, None)


def _send_soon(ids: list[int]) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not has_request_context():
        _send_quietly(app, ids)
        return
    # In a request: after the response has gone out, so no one waits on the mail server.
    pending = g.get("_manyi_outbox_after_response")
    if pending is None:
        pending = g._manyi_outbox_after_response = []

        @after_this_request
        def _schedule(response):
            response.call_on_close(functools.partial(_send_in_context, app, pending))
            return response

    pending.extend(ids)


def _send_in_context(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        _send_quietly(app, ids)


def _send_quietly(app: Flask, ids: list[int]) -> None:
    # The commit already happened: a failure here must not turn it into an error page. The
    # messages stay queued and the sweep's send_pending() tries again.
    try:
        _send(clock.now(), ids)
    except Exception:
        app.logger.exception("sending queued e-mails %s failed; they stay queued", ids)
