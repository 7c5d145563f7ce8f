"""``manyi mail``: send what the outbox holds, check the SMTP settings."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from feedback import clock
from feedback.extensions import db
from feedback.notifications.mail import (
    Connection,
    MailError,
    MailSettings,
    build_message,
    new_message_id,
)
from feedback.notifications.models import OutgoingMail
from feedback.notifications.services import send_pending


@click.group("mail")
def mail_group() -> None:
    """E-mail of inbox messages: the outbox and the SMTP settings."""


@mail_group.command("send")
@with_appcontext
def send_command() -> None:
    """Send the queued e-mails that are due (the sweep does this too)."""
    if not MailSettings.from_config(current_app.config).enabled:
        raise click.ClickException("e-mail is off: MAIL_SERVER is empty")
    sent = send_pending()
    waiting = db.session.scalar(
        select(func.count()).select_from(OutgoingMail).where(
            OutgoingMail.sent_at.is_(None),
            OutgoingMail.attempts < current_app.config["MAIL_MAX_ATTEMPTS"])
    )
    failed = db.session.scalar(
        select(func.count()).select_from(OutgoingMail).where(
            OutgoingMail.sent_at.is_(None),
            OutgoingMail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"])
    )
    click.echo(f"sent {sent}, waiting {waiting}, given up {failed}")


@mail_group.command("test")
@click.argument("address")
@with_appcontext
def test_command(address: str) -> None:
    """Send a test message to ADDRESS now, bypassing the outbox, and say what happened."""
    settings = MailSettings.from_config(current_app.config)
    if not settings.enabled:
        raise click.ClickException("e-mail is off: MAIL_SERVER is empty")
    now: datetime = clock.now()
    message = build_message(
        settings, recipient=address, subject="满意平台测试邮件 Manyi test message",
        body="这是一封测试邮件：满意平台的邮件设置可用。\n"
             "This is a test: Manyi's e-mail settings work.\n",
        message_id=new_message_id(settings), date=now,
    )
    try:
        with Connection(settings) as connection:
            connection.send(message)
    except MailError as exc:
        raise click.ClickException(f"not sent: {exc}") from None
    click.echo(f"sent to {address} through {settings.server}:{settings.port}")
