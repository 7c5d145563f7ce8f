"""What staff do with evaluations: read them, restore flagged ones, reveal a phone number."""

from __future__ import annotations

import os
import re
import uuid

import pytest
import redis
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.evaluations.links import qr_key
from feedback.evaluations.models import Evaluation, EvaluationToken, FlagStatus
from feedback.extensions import db


def rate(client, window, **answers) -> Evaluation:
    url = f"/w/{window.code}?k={qr_key(window)}"
    page = client.get(url)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
    assert client.post(url, data={"nonce": nonce, **answers}).status_code == 200
    return db.session.scalars(select(Evaluation).order_by(Evaluation.id.desc())).first()


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_manager_sees_every_level_of_their_window_and_nothing_else(
    app, client, auth, make_window, make_user
):
    mine, other = make_window(), make_window()
    citizen = app.test_client()
    for level in range(1, 6):
        rate(citizen, mine, overall=str(level), comment=f"评价{level}")
        citizen = app.test_client()  # a new browser each time: nothing is flagged
    rate(citizen, other, overall="1", comment="别的窗口")
    make_user(Role.MANAGER, username="mgr", windows=[mine])
    auth.login("mgr")
    page = client.get("/admin/evaluations")
    assert page.status_code == 200
    for level in range(1, 6):
        assert f"评价{level}" in page.text
    assert "别的窗口" not in page.text
    hidden = db.session.scalars(select(Evaluation).where(Evaluation.window_id == other.id)).one()
    assert client.get(f"/admin/evaluations/{hidden.id}").status_code == 403


def test_supervisor_restores_a_flagged_evaluation_and_it_is_audited(
    client, auth, make_window, make_user
):
    window = make_window()
    rate(client, window, overall="5")
    flagged = rate(client, window, overall="5")  # same browser again: flagged
    assert flagged.flag_status == FlagStatus.FLAGGED
    supervisor_unit = window.org_unit.parent
    make_user(Role.SUPERVISOR, username="sup", org_unit=supervisor_unit)
    auth.login("sup")
    listing = client.get("/admin/evaluations?flagged=1")
    assert f"/admin/evaluations/{flagged.id}" in listing.text
    response = client.post(f"/admin/evaluations/{flagged.id}/restore",
                           data={"note": "核实为两位不同群众"})
    assert response.status_code == 302
    db.session.refresh(flagged)
    assert flagged.flag_status == FlagStatus.RESTORED
    assert "evaluation.restore" in audit_actions()


def test_manager_cannot_restore(client, auth, make_window, make_user):
    window = make_window()
    rate(client, window, overall="5")
    flagged = rate(client, window, overall="5")
    make_user(Role.MANAGER, username="mgr", windows=[window])
    auth.login("mgr")
    assert client.post(f"/admin/evaluations/{flagged.id}/restore",
                       data={"note": "x"}).status_code == 403
    db.session.refresh(flagged)
    assert flagged.flag_status == FlagStatus.FLAGGED


def test_phone_reveal_is_audited_with_its_purpose(client, auth, make_window, make_user):
    window = make_window()
    evaluation = rate(client, window, overall="1", phone="13912345678", consent="yes",
                      wants_reply="yes")
    make_user(Role.MANAGER, username="mgr", windows=[window])
    auth.login("mgr")
    shown = client.get(f"/admin/evaluations/{evaluation.id}")
    assert "139****5678" in shown.text
    assert "13912345678" not in shown.text
    assert client.post(f"/admin/evaluations/{evaluation.id}/phone", data={"purpose": ""}
                       ).status_code == 302
    assert "evaluation.reveal_phone" not in audit_actions()
    revealed = client.post(f"/admin/evaluations/{evaluation.id}/phone",
                           data={"purpose": "回访差评"})
    assert "13912345678" in revealed.text
    assert revealed.headers["Cache-Control"] == "no-store"
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "evaluation.reveal_phone")).one()
    assert entry.changes == {"purpose": "回访差评"}
    assert entry.object_id == str(evaluation.id)


def test_staff_issue_a_transaction_token_that_works_once(app, client, auth, make_staff,
                                                          make_user):
    staff = make_staff()
    make_user(Role.STAFF, username="clerk", staff=staff)
    auth.login("clerk")
    page = client.post(f"/admin/windows/{staff.window.code}/tokens",
                       data={"transaction_no": "BJ2026-0001"})
    assert page.status_code == 200
    token = db.session.scalars(select(EvaluationToken)).one()
    assert token.transaction_no == "BJ2026-0001"
    assert client.get(f"/admin/tokens/{token.token}/qr.png").mimetype == "image/png"

    citizen = app.test_client()
    form = citizen.get(f"/t/{token.token}")
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)
    assert citizen.post(f"/t/{token.token}", data={"nonce": nonce, "overall": "4"}
                        ).status_code == 200
    stored = db.session.scalars(select(Evaluation)).one()
    assert stored.verified and stored.token_id == token.id
    assert citizen.get(f"/t/{token.token}").status_code == 410
    again = citizen.post(f"/t/{token.token}", data={"nonce": "another", "overall": "1"})
    assert again.status_code == 409
    assert db.session.query(Evaluation).count() == 1


def test_rating_posts_are_rate_limited(make_app, make_window):
    window = make_window()
    url = f"/w/{window.code}?k={qr_key(window)}"
    app = make_app(RATELIMIT_ENABLED=True, RATING_RATE_LIMIT="3 per minute",
                   EVALUATION_REPEAT_MINUTES=0)
    with app.app_context():
        client = app.test_client()
        codes = [client.post(url, data={"nonce": f"n{i}", "overall": "5"}).status_code
                 for i in range(5)]
        assert codes[:3] == [200, 200, 200]
        assert codes[3:] == [429, 429]
        assert db.session.query(Evaluation).count() == 3


def test_rate_limits_are_shared_through_redis(make_app, make_window):
    """Several app servers share one limit when RATELIMIT_STORAGE_URI points at Redis."""
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    window = make_window()
    path = f"/w/{window.code}?k={qr_key(window)}"
    # Two apps stand for two app servers behind one proxy.
    prefix = f"manyi-test-{uuid.uuid4().hex}"
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": url,
              "RATELIMIT_KEY_PREFIX": prefix, "RATING_RATE_LIMIT": "2 per minute"}
    first, second = make_app(**config), make_app(**config)
    codes = []
    for i, app in enumerate([first, second, first, second]):
        with app.app_context():
            codes.append(app.test_client().post(path, data={"nonce": f"r{i}", "overall": "4"}
                                                ).status_code)
    assert codes == [200, 200, 429, 429]
