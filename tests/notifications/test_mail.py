"""Inbox messages by e-mail: queued in the caller's transaction, sent only after it commits,
kept and retried when the server fails — against a real SMTP server on this machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from feedback import clock
from feedback.accounts.models import Role
from feedback.extensions import db
from feedback.notifications.models import Notification, OutgoingMail
from feedback.notifications.services import notify, send_pending
from feedback.periodic.services import counts, sweep
from feedback.permissions import login_required

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def outbox() -> list[OutgoingMail]:
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def test_the_mail_leaves_after_the_commit_with_its_chinese_subject_and_link(mail_on, make_user):
    manager = make_user(Role.ADMIN, username="wang", email="wang@example.cn")
    notify([manager], "case.assigned", None, "/cases/7", "差评案件 20261201-AB 待您核实",
           "群众反映窗口排队时间过长，请在5个工作日内答复。")
    db.session.flush()
    assert mail_on.envelopes == []  # queued, but the transaction is still open
    db.session.commit()

    [envelope] = mail_on.envelopes
    assert envelope.rcpt_tos == ["wang@example.cn"]
    [message] = mail_on.messages
    assert message["Subject"] == "差评案件 20261201-AB 待您核实"
    assert "=?utf-8?" in envelope.content.decode("ascii").lower()  # encoded on the wire
    assert message["To"] == "wang@example.cn"
    assert message["From"].addresses[0].display_name == "满意平台"
    notification = db.session.scalars(select(Notification)).one()
    text = message.get_content()
    assert "群众反映窗口排队时间过长" in text
    # The link opens the message in the inbox, which marks it read and follows it.
    assert f"http://manyi.test/inbox/{notification.id}" in text
    [mail] = outbox()
    assert mail.sent_at is not None and mail.attempts == 1 and mail.last_error is None
    assert message["Message-ID"] == mail.message_id


def test_a_rolled_back_transaction_sends_nothing_and_keeps_nothing(mail_on, make_user):
    user = make_user(Role.ADMIN, email="li@example.cn")
    notify([user], "case.assigned", None, "/cases/1", "不会发出的通知")
    db.session.flush()
    assert len(outbox()) == 1
    db.session.rollback()

    assert outbox() == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert send_pending() == 0
    assert mail_on.envelopes == []


def test_a_failing_server_leaves_the_mail_queued_and_a_later_send_delivers_it(
    mail_on, make_user
):
    user = make_user(Role.ADMIN, email="zhao@example.cn")
    mail_on.fail_with = "451 4.3.0 Mailbox temporarily unavailable"
    with clock.frozen_at(T0):
        notify([user], "notice.issued", None, None, "整改通知已下发")
        db.session.commit()  # the commit itself succeeds: the mail failing is not its problem
    [mail] = outbox()
    assert mail.sent_at is None and mail.attempts == 1
    assert "451" in mail.last_error
    assert mail_on.envelopes == []

    mail_on.fail_with = None
    assert send_pending(T0 + timedelta(seconds=30)) == 0  # not due yet: it waits a minute
    assert send_pending(T0 + timedelta(minutes=2)) == 1
    db.session.expire_all()
    [mail] = outbox()
    assert mail.sent_at == T0 + timedelta(minutes=2) and mail.attempts == 2
    assert mail.last_error is None
    assert [m["Subject"] for m in mail_on.messages] == ["整改通知已下发"]
    assert send_pending(T0 + timedelta(days=1)) == 0  # sent once, never again


def test_an_unreachable_server_is_retried_with_growing_waits_and_then_given_up(
    app, mail_on, make_user, closed_port
):
    app.config.update(MAIL_PORT=closed_port, MAIL_MAX_ATTEMPTS=3)  # nothing listens there
    user = make_user(Role.ADMIN, email="sun@example.cn")
    with clock.frozen_at(T0):
        notify([user], "alert.raised", None, None, "预警")
        db.session.commit()
    assert send_pending(T0 + timedelta(minutes=2)) == 0
    db.session.expire_all()
    [mail] = outbox()
    assert mail.attempts == 2
    assert "Connection" in mail.last_error or "refused" in mail.last_error.lower()
    assert mail.send_after == T0 + timedelta(minutes=2 + 5)  # the second wait is longer

    assert send_pending(T0 + timedelta(minutes=10)) == 0
    db.session.expire_all()
    assert outbox()[0].attempts == 3
    app.config["MAIL_PORT"] = mail_on.port
    assert send_pending(T0 + timedelta(days=1)) == 0  # given up after MAIL_MAX_ATTEMPTS
    assert mail_on.envelopes == []


def test_a_message_claimed_by_another_sender_is_left_to_it_until_its_claim_runs_out(
    mail_on, make_user
):
    user = make_user(Role.ADMIN, email="qian@example.cn")
    mail_on.fail_with = "451 later"
    with clock.frozen_at(T0):
        notify([user], "case.overdue", None, None, "案件逾期")
        db.session.commit()
    mail = outbox()[0]
    mail.claim, mail.claimed_until = "another-sender", T0 + timedelta(hours=1)
    db.session.commit()
    mail_on.fail_with = None

    assert send_pending(T0 + timedelta(minutes=30)) == 0
    assert send_pending(T0 + timedelta(hours=2)) == 1
    assert len(mail_on.envelopes) == 1


def test_mail_only_to_active_users_with_an_address_once_each(mail_on, make_user):
    with_address = make_user(Role.ADMIN, email="a@example.cn")
    without = make_user(Role.ADMIN)
    inactive = make_user(Role.ADMIN, email="gone@example.cn")
    inactive.active = False
    db.session.commit()

    notify([with_address, without, inactive, with_address], "case.assigned", None, None, "新案件")
    db.session.commit()

    assert [e.rcpt_tos for e in mail_on.envelopes] == [["a@example.cn"]]
    owners = db.session.scalars(select(Notification.user_id).order_by(Notification.user_id))
    assert list(owners) == [with_address.id, without.id]  # the inactive user gets nothing


def test_with_mail_off_the_inbox_works_and_nothing_is_queued(app, smtp, make_user):
    assert app.config["MAIL_SERVER"] == ""
    user = make_user(Role.ADMIN, email="a@example.cn")
    notify([user], "case.assigned", None, None, "新案件")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    assert outbox() == []
    assert send_pending() == 0
    assert smtp.envelopes == []


def test_line_breaks_in_a_subject_cannot_add_headers(mail_on, make_user):
    user = make_user(Role.ADMIN, email="a@example.cn")
    notify([user], "case.assigned", None, None, "投诉\r\nBcc: spy@evil.example\r\n\r\n伪造正文")
    db.session.commit()
    [envelope] = mail_on.envelopes
    assert envelope.rcpt_tos == ["a@example.cn"]
    [message] = mail_on.messages
    assert message["Bcc"] is None
    assert message["Subject"] == "投诉 Bcc: spy@evil.example 伪造正文"


def test_mail_is_in_the_sites_language_whatever_the_senders_language(client, mail_on, make_user):
    user = make_user(Role.ADMIN, email="a@example.cn")
    app = client.application
    with app.test_request_context("/?lang=en"):
        notify([user], "inbox.test", None, None, _l("%(n)d unread", n=3))
        db.session.commit()
    # No response went out to send it after, so it waits for the sweep.
    assert mail_on.envelopes == []
    assert send_pending() == 1
    [message] = mail_on.messages
    assert message["Subject"] == "3 条未读"
    assert "在满意平台中查看" in message.get_content()


def test_in_a_request_the_mail_is_sent_after_the_response(make_app, smtp, make_user):
    """A view that notifies and commits: the mail leaves once the response is closed, so the
    user never waits for the mail server."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    bp = Blueprint("mailtest", __name__)

    @bp.route("/mailtest", methods=["POST"])
    @login_required()
    def mailtest():
        from flask_login import current_user

        notify([current_user], "test", None, "/", "请求中的通知")
        db.session.commit()
        assert smtp.envelopes == []  # committed, but nothing sent while the view runs
        return "ok"

    app.register_blueprint(bp)
    with app.app_context():
        make_user(Role.ADMIN, username="sender", email="sender@example.cn")
        client = app.test_client()
        client.post("/login", data={"username": "sender", "password": "correct-horse-42"})
        response = client.post("/mailtest")
        assert response.status_code == 200
        assert smtp.envelopes == []
        response.close()  # what the WSGI server does once the response is out
        assert [m["Subject"] for m in smtp.messages] == ["请求中的通知"]


def test_the_sweep_sends_what_is_still_queued(mail_on, make_user):

    user = make_user(Role.ADMIN, email="a@example.cn")
    mail_on.fail_with = "451 later"
    with clock.frozen_at(T0):
        notify([user], "case.overdue", None, None, "逾期提醒")
        db.session.commit()
    mail_on.fail_with = None
    assert counts(sweep(T0 + timedelta(minutes=5)))["e-mails sent"] == 1
    assert [m["Subject"] for m in mail_on.messages] == ["逾期提醒"]


def test_an_address_the_server_cannot_take_fails_alone(mail_on, make_user):
    odd = make_user(Role.ADMIN, email="张三@例子.中国")  # needs SMTPUTF8, which is not offered
    plain = make_user(Role.ADMIN, email="li@example.cn")
    notify([odd, plain], "case.assigned", None, None, "新案件")
    db.session.commit()
    assert [e.rcpt_tos for e in mail_on.envelopes] == [["li@example.cn"]]
    failed = db.session.scalars(select(OutgoingMail).where(OutgoingMail.sent_at.is_(None))).one()
    assert failed.recipient == "张三@例子.中国" and failed.last_error
