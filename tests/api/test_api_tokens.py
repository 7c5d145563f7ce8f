"""POST /api/v1/tokens: the hall's queuing system issues a one-time evaluation code (一事一评)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from api_support import assert_error, assert_matches, bearer, count
from PIL import Image
from sqlalchemy import select

from feedback import clock
from feedback.audit.models import AuditLog
from feedback.evaluations.models import Channel, Evaluation, EvaluationToken
from feedback.extensions import db


@pytest.fixture
def queue(make_device):
    """The hall's queuing system: ``(window, key)``."""
    device, key = make_device(name="叫号系统")
    return device.windows[0], key


def issue(client, key, window, transaction_no="BJ2026-0001"):
    return client.post("/api/v1/tokens", headers=bearer(key),
                       json={"window": window.code, "transaction_no": transaction_no})


def nonce_of(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def test_issuing_a_token_answers_its_links(client, queue):
    window, key = queue
    response = issue(client, key, window)
    assert response.status_code == 201
    body = response.get_json()
    assert_matches("Token", body)
    token = db.session.scalars(select(EvaluationToken)).one()
    assert body["token"] == token.token
    assert body["window"] == window.code
    assert body["transaction_no"] == "BJ2026-0001"
    assert body["url"] == f"http://manyi.test/t/{token.token}"
    assert body["qr_png"] == f"http://manyi.test/api/v1/tokens/{token.token}/qr.png"
    assert body["expires_at"] == token.expires_at.isoformat(timespec="seconds")
    assert token.device_id is not None
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "token.issue")).one()
    assert entry.changes["device"] == "叫号系统"


def test_issuing_twice_for_a_transaction_answers_the_same_open_token(client, queue):
    window, key = queue
    first = issue(client, key, window)
    second = issue(client, key, window, transaction_no="  BJ2026-0001 ")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json() == second.get_json()
    assert count(EvaluationToken) == 1


def test_the_qr_code_encodes_the_rating_link(client, queue):
    window, key = queue
    body = issue(client, key, window).get_json()
    response = client.get(body["qr_png"], headers=bearer(key))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "private, no-store"
    small = client.get(body["qr_png"] + "?size=2", headers=bearer(key))
    width = Image.open(io.BytesIO(small.data)).size[0]
    assert width < Image.open(io.BytesIO(response.data)).size[0]
    try:
        import zxingcpp
    except ImportError:  # the decoder is in the test extra; the PNG checks above still ran
        return
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert [d.text for d in decoded] == [body["url"]]


@pytest.mark.parametrize("path", [
    "/api/v1/tokens/no-such-token/qr.png",
    "/api/v1/tokens/%01/qr.png",
    "/api/v1/tokens/" + "x" * 200 + "/qr.png",
])
def test_an_unknown_token_has_no_qr(client, queue, path):
    _window, key = queue
    assert_error(client.get(path, headers=bearer(key)), 404)


@pytest.mark.parametrize("size", ["1", "41", "abc"])
def test_a_bad_qr_size_is_refused(client, queue, size):
    window, key = queue
    body = issue(client, key, window).get_json()
    response = client.get(f"{body['qr_png']}?size={size}", headers=bearer(key))
    if size == "abc":  # not a number: the default size, like the staff pages
        assert response.status_code == 200
    else:
        assert_error(response, 400, {"size": "invalid"})


def test_the_citizen_rates_once_with_the_token(app, client, queue):
    window, key = queue
    body = issue(client, key, window).get_json()
    citizen = app.test_client()

    form = citizen.get(body["url"])
    assert form.status_code == 200
    done = citizen.post(body["url"], data={"nonce": nonce_of(form.text), "overall": "2"})
    assert done.status_code == 200
    stored = db.session.scalars(select(Evaluation)).one()
    assert stored.verified is True
    assert stored.channel == Channel.TOKEN
    assert stored.level == 2 and stored.tracking_no in done.text

    reopened = citizen.get(body["url"])
    assert reopened.status_code == 410
    assert window.name in reopened.text and 'name="nonce"' not in reopened.text
    again = citizen.post(body["url"], data={"nonce": "another-nonce", "overall": "5"})
    assert again.status_code == 409
    assert window.name in again.text
    assert count(Evaluation) == 1

    # The queuing system cannot reissue it, nor print its code again.
    assert_error(issue(client, key, window), 409, {"transaction_no": "evaluated"})
    assert_error(client.get(body["qr_png"], headers=bearer(key)), 410)


def test_an_expired_token_is_refused_and_can_be_reissued(app, client, queue):
    window, key = queue
    body = issue(client, key, window).get_json()
    citizen = app.test_client()
    form = citizen.get(body["url"])
    later = clock.now() + timedelta(days=app.config["EVALUATION_TOKEN_DAYS"], minutes=1)
    with clock.frozen_at(later):
        assert citizen.get(body["url"]).status_code == 410
        late = citizen.post(body["url"], data={"nonce": nonce_of(form.text), "overall": "5"})
        assert late.status_code == 409
        assert count(Evaluation) == 0
        assert_error(client.get(body["qr_png"], headers=bearer(key)), 410)
        fresh = issue(client, key, window)
        assert fresh.status_code == 201
        assert fresh.get_json()["token"] != body["token"]
    assert count(EvaluationToken) == 1


def test_tokens_are_refused_for_an_inactive_window(client, queue):
    window, key = queue
    window.active = False
    db.session.commit()
    assert_error(issue(client, key, window), 422, {"window": "inactive"})
    assert count(EvaluationToken) == 0


BAD_TOKEN_BODIES = [
    ({}, {"window": "required", "transaction_no": "required"}),
    ({"window": "W"}, {"transaction_no": "required"}),
    ({"window": "W", "transaction_no": ""}, {"transaction_no": "required"}),
    ({"window": "W", "transaction_no": "   "}, {"transaction_no": "required"}),
    ({"window": "W", "transaction_no": 2026}, {"transaction_no": "invalid_type"}),
    ({"window": "W", "transaction_no": "T" * 65}, {"transaction_no": "too_long"}),
    ({"window": "W", "transaction_no": "BJ\n2026"}, {"transaction_no": "invalid"}),
    ({"window": "W", "transaction_no": "\x00"}, {"transaction_no": "invalid"}),
    ({"window": "nosuchwin", "transaction_no": "T1"}, {"window": "unknown"}),
    ({"window": {"code": "W"}, "transaction_no": "T1"}, {"window": "invalid_type"}),
    ({"window": "W", "transaction_no": "T1", "answers": {}}, {"answers": "unknown_field"}),
]


@pytest.mark.parametrize(("body", "errors"), BAD_TOKEN_BODIES, ids=range(len(BAD_TOKEN_BODIES)))
def test_bad_token_bodies_are_refused(client, queue, body, errors):
    window, key = queue
    if body.get("window") == "W":
        body = {**body, "window": window.code}
    response = client.post("/api/v1/tokens", headers=bearer(key), json=body)
    assert_error(response, 422, errors)
    assert count(EvaluationToken) == 0


@pytest.mark.parametrize("raw", [b"", b"[]", b"{", b"\x00"])
def test_token_bodies_that_are_not_objects_are_refused(client, queue, raw):
    _window, key = queue
    response = client.post("/api/v1/tokens", headers=bearer(key), data=raw)
    assert_error(response, 400)
    assert count(EvaluationToken) == 0
