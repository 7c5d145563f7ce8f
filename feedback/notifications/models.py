"""Inbox rows and the e-mail outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback import clock
from feedback.accounts.models import User
from feedback.dbtypes import UTCDateTime
from feedback.extensions import db

SUBJECT_LENGTH = 200
LINK_LENGTH = 500


class Notification(db.Model):
    """One message in one user's inbox: what happened, about what, and where to look.

    ``subject`` and ``body`` hold the text in the site's language (``MANYI_LANGUAGE``);
    ``texts`` keeps the message ids and parameters when the caller passed lazy strings, so the
    inbox can show the message in the reader's language (see ``display_subject``).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("kind != ''", name="kind_not_empty"),
        CheckConstraint("link IS NULL OR link LIKE '/%'", name="link_is_local_path"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
        # unread_count() on every page: the count reads this index alone.
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    link: Mapped[str | None] = mapped_column(String(LINK_LENGTH))
    subject: Mapped[str] = mapped_column(String(SUBJECT_LENGTH))
    body: Mapped[str] = mapped_column(Text, default="")
    texts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def display_subject(self) -> str:
        """The subject in the current language where it was given as a lazy string."""
        return _translated((self.texts or {}).get("subject"), self.subject)

    def display_body(self) -> str:
        return _translated((self.texts or {}).get("body"), self.body)

    def __repr__(self) -> str:
        return f"<Notification {self.kind} for user {self.user_id}>"


def _translated(spec: dict[str, Any] | None, stored: str) -> str:
    if not spec or not isinstance(spec.get("msgid"), str):
        return stored
    try:
        return _resolve(spec)
    except (KeyError, ValueError, TypeError):
        # A catalogue whose placeholders no longer match the stored parameters: the text as
        # written is still right, only in the site's language.
        return stored


def _resolve(spec: dict[str, Any]) -> str:
    params = {key: _resolve(value) if isinstance(value, dict) else value
              for key, value in (spec.get("params") or {}).items()}
    return gettext(spec["msgid"], **params)


class OutgoingMail(db.Model):
    """An e-mail waiting to be sent, or sent: written in the transaction that caused it.

    The sender (``services.send_pending``) claims rows for a while (``claimed_until``) so two
    senders never send the same message, records each failure and tries again later.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        CheckConstraint("recipient != ''", name="recipient_not_empty"),
        Index("ix_mail_outbox_pending", "sent_at", "send_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(SUBJECT_LENGTH))
    body: Mapped[str] = mapped_column(Text)
    # Fixed when queued, so a retried message keeps its Message-ID and a receiver can
    # recognise a duplicate.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        state = "sent" if self.sent_at else f"queued ({self.attempts} attempts)"
        return f"<OutgoingMail {self.id} to {self.recipient} {state}>"
