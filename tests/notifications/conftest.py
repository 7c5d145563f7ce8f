"""A real SMTP server on a free local port (aiosmtpd), and the app pointed at it."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """The server's handler: keeps what it receives; answers ``fail_with`` while that is set."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.fail_with: str | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it so
        if self.fail_with:
            return self.fail_with
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default)
                for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on."""
    return free_port()


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


@pytest.fixture
def mail_on(app, smtp):
    """E-mail switched on for this test's app, towards the local server."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                      MAIL_FROM="满意平台 <noreply@manyi.test>")
    return smtp
