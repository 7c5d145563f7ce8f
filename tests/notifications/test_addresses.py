"""Users' e-mail addresses, and the ``manyi mail`` commands against a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from feedback import clock
from feedback.accounts.models import Role, User
from feedback.accounts.services import create_user
from feedback.audit.models import AuditLog
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.notifications.services import notify


def test_an_administrator_sets_and_clears_a_users_address(client, auth, make_user):
    make_user(Role.ADMIN, username="admin1")
    user = make_user(Role.ADMIN, username="zhang")
    auth.login("admin1")
    form = {"display_name": "张三", "role": "admin", "active": "y"}
    response = client.post(f"/admin/users/{user.id}", data={**form, "email": "zhang@example.cn"})
    assert response.status_code == 302
    assert db.session.get(User, user.id).email == "zhang@example.cn"
    audited = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "user.update")).one()
    assert audited.changes["email"] == [None, "zhang@example.cn"]

    client.post(f"/admin/users/{user.id}", data={**form, "email": ""})
    assert db.session.get(User, user.id).email is None


@pytest.mark.parametrize("address", ["not-an-address", "a@b", "a b@example.cn",
                                     "x@example.cn\r\nBcc: spy@evil.example", "<a@example.cn>"])
def test_a_malformed_address_is_refused_and_nothing_changes(client, auth, make_user, address):
    make_user(Role.ADMIN, username="admin1")
    user = make_user(Role.ADMIN, username="zhang")
    auth.login("admin1")
    response = client.post(f"/admin/users/{user.id}", data={
        "display_name": "改了的名字", "role": "admin", "active": "y", "email": address})
    assert response.status_code == 200
    assert "请输入有效的电子邮箱地址" in response.text
    stored = db.session.get(User, user.id)
    assert stored.email is None and stored.display_name == ""


def test_create_user_checks_the_address(app):
    with pytest.raises(ServiceError) as refused:
        create_user(None, username="wang", password="correct-horse-42", role=Role.ADMIN,
                    email="wang@")
    assert refused.value.field == "email"


def test_the_command_line_creates_a_user_with_an_address(runner):
    result = runner.invoke(args=["user", "create", "zhao", "--role", "admin",
                                 "--email", "zhao@example.cn", "--password-stdin"],
                           input="correct-horse-42\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "zhao"))
    assert user.email == "zhao@example.cn"


def test_mail_test_sends_a_chinese_message_through_the_settings(runner, mail_on):
    result = runner.invoke(args=["mail", "test", "ops@example.cn"])
    assert result.exit_code == 0, result.output
    [message] = mail_on.messages
    assert message["To"] == "ops@example.cn"
    assert message["Subject"].startswith("满意平台测试邮件")
    assert "邮件设置可用" in message.get_content()


def test_mail_test_says_why_it_failed(app, runner, mail_on, closed_port):
    app.config["MAIL_PORT"] = closed_port
    result = runner.invoke(args=["mail", "test", "ops@example.cn"])
    assert result.exit_code != 0
    assert "not sent" in result.output


def test_mail_send_delivers_what_waits(app, runner, mail_on, make_user):
    user = make_user(Role.ADMIN, email="a@example.cn")
    mail_on.fail_with = "451 later"
    with clock.frozen_at(datetime.now(UTC) - timedelta(hours=1)):
        notify([user], "case.assigned", None, None, "等待发送")
        db.session.commit()
    mail_on.fail_with = None
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1, waiting 0, given up 0" in result.output
    assert [m["Subject"] for m in mail_on.messages] == ["等待发送"]


def test_mail_commands_refuse_when_mail_is_off(runner):
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code != 0 and "MAIL_SERVER" in result.output
