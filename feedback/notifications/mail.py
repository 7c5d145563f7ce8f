"""Plain SMTP with the standard library: building UTF-8 messages and sending a batch.

No Flask here beyond reading the settings: ``MailSettings.from_config(app.config)``. The
outbox (``services.send_pending``) decides what to send and records what happened.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

# Line lengths and 7-bit transfer encodings a strict relay accepts: Chinese bodies go out
# base64 or quoted-printable, Chinese subjects as RFC 2047 encoded words.
POLICY = SMTP_POLICY.clone(cte_type="7bit")


class MailError(Exception):
    """Sending failed; the message says why, for the outbox's ``last_error``."""


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    username: str
    password: str
    use_tls: bool
    use_ssl: bool
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            server=config.get("MAIL_SERVER") or "",
            port=int(config.get("MAIL_PORT") or 25),
            username=config.get("MAIL_USERNAME") or "",
            password=config.get("MAIL_PASSWORD") or "",
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            sender=config.get("MAIL_FROM") or "manyi@localhost",
            timeout=float(config.get("MAIL_TIMEOUT") or 10),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.server)

    @property
    def sender_domain(self) -> str:
        address = parseaddr(self.sender)[1]
        return address.rpartition("@")[2] or "localhost"


def new_message_id(settings: MailSettings) -> str:
    # make_msgid's default domain is the machine's FQDN, a DNS look-up on some hosts.
    return make_msgid(domain=settings.sender_domain)


def build_message(settings: MailSettings, *, recipient: str, subject: str, body: str,
                  message_id: str, date: datetime) -> EmailMessage:
    """A text/plain UTF-8 message. Header values never carry line breaks (no injection)."""
    message = EmailMessage(policy=POLICY)
    message["From"] = settings.sender
    message["To"] = Address(addr_spec=recipient)
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message.set_content(body, charset="utf-8")
    return message


class Connection:
    """One SMTP session for a batch of messages: ``with Connection(settings) as smtp``."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.use_ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout,
                                                      context=context)
            else:
                smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
                if s.use_tls:
                    smtp.starttls(context=context)
            if s.username:
                smtp.login(s.username, s.password)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(describe(exc)) from exc
        self._smtp = smtp
        return self

    def send(self, message: EmailMessage) -> None:
        assert self._smtp is not None
        try:
            refused = self._smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            # A transient answer (4xx) or a refusal leaves the session usable (smtplib resets
            # it); a network failure does not. Either way the outbox tries again later.
            if isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(
                    exc, smtplib.SMTPException):
                self._smtp.close()
                self._smtp = None
            raise MailError(describe(exc)) from exc
        if refused:
            raise MailError(f"refused: {refused}")

    @property
    def alive(self) -> bool:
        return self._smtp is not None

    def __exit__(self, *exc_info: object) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None


def describe(exc: BaseException) -> str:
    """A short, single-line account of an SMTP or network failure."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(
            exc.smtp_error, bytes) else str(exc.smtp_error)
        detail = f"{exc.smtp_code} {text}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = f"recipients refused: {exc.recipients}"
    else:
        detail = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {' '.join(detail.split())}"[:500]
