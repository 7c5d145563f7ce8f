"""``manyi device create|list|revoke``: keys are made and withdrawn on the command line."""

from __future__ import annotations

import re

from api_support import bearer, count
from sqlalchemy import select

from feedback.audit.models import AuditLog
from feedback.evaluations.models import Device
from feedback.extensions import db

KEY_RE = re.compile(r"^mny_([a-z0-9]{8})_([A-Za-z0-9]{32})$", re.MULTILINE)


def create(runner, name, *codes):
    args = ["device", "create", name]
    for code in codes:
        args += ["--window", code]
    return runner.invoke(args=args)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_create_prints_the_key_once_and_stores_only_its_hash(runner, client, make_window):
    first, second = make_window(), make_window()
    result = create(runner, "望城大厅评价器", first.code, second.code, first.code)
    assert result.exit_code == 0, result.output
    key = KEY_RE.search(result.output).group(0)
    device = db.session.scalars(select(Device)).one()
    assert device.name == "望城大厅评价器"
    assert sorted(w.code for w in device.windows) == sorted([first.code, second.code])
    assert device.key_prefix == KEY_RE.search(result.output).group(1)
    assert key not in device.key_hash and KEY_RE.search(key).group(2) not in device.key_hash
    assert "device.create" in audit_actions()

    response = client.post("/api/v1/evaluations", headers=bearer(key),
                           json={"window": second.code, "answers": {"overall": 4}})
    assert response.status_code == 201

    listed = runner.invoke(args=["device", "list"])
    assert listed.exit_code == 0
    assert device.key_prefix in listed.output and "望城大厅评价器" in listed.output
    assert first.code in listed.output and "active" in listed.output
    assert KEY_RE.search(key).group(2) not in listed.output


def test_each_create_makes_a_different_key(runner, make_window):
    window = make_window()
    keys = {KEY_RE.search(create(runner, f"评价器{i}", window.code).output).group(0)
            for i in range(3)}
    assert len(keys) == 3


def test_an_unknown_window_creates_nothing(runner, make_window):
    window = make_window()
    result = create(runner, "评价器", window.code, "nosuchwin")
    assert result.exit_code == 1
    assert "nosuchwin" in result.output
    assert "mny_" not in result.output
    assert count(Device) == 0
    assert "device.create" not in audit_actions()


def test_create_needs_a_window_and_a_fresh_name(runner, make_window):
    window = make_window()
    missing = runner.invoke(args=["device", "create", "评价器"])
    assert missing.exit_code == 2 and "--window" in missing.output
    assert create(runner, "  ", window.code).exit_code == 1
    assert create(runner, "评价器", window.code).exit_code == 0
    duplicate = create(runner, "评价器", window.code)
    assert duplicate.exit_code == 1 and "mny_" not in duplicate.output
    assert count(Device) == 1


def test_revoke_by_name_refuses_the_key_from_then_on(runner, client, make_window):
    window = make_window()
    key = KEY_RE.search(create(runner, "叫号系统", window.code).output).group(0)
    body = {"window": window.code, "transaction_no": "BJ-1"}
    assert client.post("/api/v1/tokens", headers=bearer(key), json=body).status_code == 201

    result = runner.invoke(args=["device", "revoke", "叫号系统"])
    assert result.exit_code == 0, result.output
    assert client.post("/api/v1/tokens", headers=bearer(key), json=body).status_code == 401
    assert "revoked" in runner.invoke(args=["device", "list"]).output
    assert audit_actions().count("device.revoke") == 1

    again = runner.invoke(args=["device", "revoke", "叫号系统"])
    assert again.exit_code == 1
    assert audit_actions().count("device.revoke") == 1
    # The name is free again for the replacement device.
    assert create(runner, "叫号系统", window.code).exit_code == 0


def test_revoke_by_prefix(runner, make_window):
    window = make_window()
    prefix = KEY_RE.search(create(runner, "评价器", window.code).output).group(1)
    assert runner.invoke(args=["device", "revoke", prefix]).exit_code == 0
    assert db.session.scalars(select(Device)).one().active is False


def test_revoke_an_unknown_device_is_a_clear_error(runner):
    result = runner.invoke(args=["device", "revoke", "nobody"])
    assert result.exit_code == 1
    assert "nobody" in result.output
