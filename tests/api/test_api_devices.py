"""Device keys: who may call the device routes, and for which windows."""

from __future__ import annotations

import pytest
from api_support import assert_error, bearer, count
from sqlalchemy import select

from feedback import clock
from feedback.audit.models import AuditLog
from feedback.evaluations.devices import (
    check_device_key,
    create_device,
    hash_device_key,
    revoke_device,
)
from feedback.evaluations.models import Device, Evaluation, EvaluationToken
from feedback.extensions import db

DEVICE_ROUTES = [
    ("post", "/api/v1/evaluations"),
    ("post", "/api/v1/tokens"),
    ("get", "/api/v1/tokens/abc/qr.png"),
]


def rate(client, key, window, **body):
    return client.post("/api/v1/evaluations", headers=bearer(key),
                       json={"window": window.code, "answers": {"overall": 5}, **body})


def test_a_device_key_lets_the_device_rate_its_window(client, make_device):
    device, key = make_device()
    response = rate(client, key, device.windows[0])
    assert response.status_code == 201
    stored = db.session.scalars(select(Evaluation)).one()
    assert stored.device_id == device.id
    assert db.session.get(Device, device.id).last_used_at is not None


def test_the_key_is_stored_as_prefix_and_hash_only(app, make_device):
    device, key = make_device()
    scheme, prefix, secret = key.split("_")
    assert scheme == "mny" and prefix == device.key_prefix
    assert len(secret) == 32
    assert device.key_hash == hash_device_key(key) != key
    assert secret not in device.key_hash
    assert check_device_key(key) == device


@pytest.mark.parametrize(("method", "path"), DEVICE_ROUTES)
@pytest.mark.parametrize("header", [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "Bearer not-a-key",
    "Bearer mny_abcdefgh_" + "x" * 32,  # well formed, unknown
    "Bearer mny_abcdefgh_" + "x" * 33,
    "Bearer mny_\x00bcdefgh_" + "x" * 32,
    "Token mny_abcdefgh_" + "x" * 32,
])
def test_device_routes_refuse_a_missing_or_bad_key(client, make_device, method, path, header):
    make_device()
    headers = {} if header is None else {"Authorization": header}
    response = getattr(client, method)(path, headers=headers, json={})
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_secret_with_a_real_prefix_is_refused(client, make_device):
    device, key = make_device()
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert_error(rate(client, wrong, device.windows[0]), 401)
    assert_error(rate(client, key.lower() if key != key.lower() else key.upper(),
                      device.windows[0]), 401)
    assert count(Evaluation) == 0


def test_a_revoked_key_is_refused(client, make_device):
    device, key = make_device()
    assert rate(client, key, device.windows[0]).status_code == 201
    revoke_device(None, device)
    db.session.commit()
    assert_error(rate(client, key, device.windows[0]), 401)
    assert count(Evaluation) == 1
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert "device.create" in actions and "device.revoke" in actions


def test_a_device_cannot_act_for_a_window_it_was_not_given(client, make_device, make_window):
    _device, key = make_device()
    other = make_window()
    assert_error(rate(client, key, other), 403)
    response = client.post("/api/v1/tokens", headers=bearer(key),
                           json={"window": other.code, "transaction_no": "BJ-1"})
    assert_error(response, 403)
    assert count(Evaluation) == 0
    assert count(EvaluationToken) == 0


def test_a_device_with_several_windows_rates_each(client, make_window, make_device):
    first, second = make_window(), make_window()
    _device, key = make_device([first, second])
    assert rate(client, key, first).status_code == 201
    assert rate(client, key, second).status_code == 201
    assert count(Evaluation) == 2


def test_a_token_of_another_window_has_no_qr_for_this_device(client, make_device):
    _device_a, key_a = make_device()
    device_b, key_b = make_device()
    issued = client.post("/api/v1/tokens", headers=bearer(key_b),
                         json={"window": device_b.windows[0].code, "transaction_no": "T1"})
    path = f"/api/v1/tokens/{issued.get_json()['token']}/qr.png"
    assert_error(client.get(path, headers=bearer(key_a)), 403)
    assert client.get(path, headers=bearer(key_b)).status_code == 200


def test_last_use_is_written_at_most_once_a_minute(client, make_device):
    from datetime import UTC, datetime, timedelta

    device, key = make_device()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with clock.frozen_at(start):
        rate(client, key, device.windows[0])
    assert db.session.get(Device, device.id).last_used_at == start
    with clock.frozen_at(start + timedelta(seconds=30)):
        rate(client, key, device.windows[0], rated_at=start.isoformat())
    assert db.session.get(Device, device.id).last_used_at == start
    with clock.frozen_at(start + timedelta(minutes=2)):
        assert_error(client.post("/api/v1/evaluations", headers=bearer(key), data="junk"), 400)
    assert db.session.get(Device, device.id).last_used_at == start + timedelta(minutes=2)


def test_device_routes_are_rate_limited_per_key(app, make_app, make_device):
    device_a, key_a = make_device()
    device_b, key_b = make_device()
    # Built last: Flask-Limiter keeps its switch and storage on the one extension object.
    limited = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute")
    with limited.app_context():
        client = limited.test_client()
        codes = [rate(client, key_a, device_a.windows[0]).status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        assert_error(rate(client, key_a, device_a.windows[0]), 429)
        assert rate(client, key_b, device_b.windows[0]).status_code == 201
        assert count(Evaluation) == 3


def test_bad_keys_do_not_use_up_a_devices_limit(app, make_app, make_device):
    device, key = make_device()
    limited = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute")
    with limited.app_context():
        client = limited.test_client()
        wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
        for _ in range(5):
            assert rate(client, wrong, device.windows[0]).status_code == 401
        assert rate(client, key, device.windows[0]).status_code == 201


def test_create_device_refuses_bad_input(app, make_window):
    from feedback.errors import ServiceError

    window = make_window()
    for name, windows in [("", [window]), ("x" * 121, [window]), ("评价器", [])]:
        with pytest.raises(ServiceError):
            create_device(None, name, windows)
    create_device(None, "评价器", [window])
    with pytest.raises(ServiceError):
        create_device(None, " 评价器 ", [window])  # same name, still active
    db.session.rollback()
