"""Withdrawing a window's printed QR codes after a desk card was lost or copied."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.cards.services import revoke_window_qr
from feedback.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def window(make_window):
    return make_window(name="公积金提取窗口")


def revoke(client, window, **form):
    return client.post(f"/admin/windows/{window.code}/revoke-qr", data=form)


def current_link(client, window, decode_qr) -> str:
    (link,) = decode_qr(client.get(f"/windows/{window.code}/qr.png").data)
    return link


def test_revoking_withdraws_old_codes_and_the_new_code_works(client, sign_in, window,
                                                             decode_qr):
    admin = sign_in(Role.ADMIN)
    old_link = current_link(client, window, decode_qr)
    assert client.get(old_link).status_code == 200

    response = revoke(client, window, confirm="yes")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/windows/{window.code}#desk-card")

    withdrawn = client.get(old_link)
    assert withdrawn.status_code == 410
    assert "withdrawn" in withdrawn.text or "停用" in withdrawn.text

    new_link = current_link(client, window, decode_qr)
    assert new_link != old_link
    form = client.get(new_link)
    assert form.status_code == 200
    assert "公积金提取窗口" in form.text

    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "window.revoke_qr")).one()
    assert entry.actor_id == admin.id
    assert entry.object_type == "Window" and entry.object_id == str(window.id)
    assert entry.changes["qr_key_version"] == [1, 2]


def test_every_earlier_card_stays_withdrawn(client, sign_in, window, decode_qr):
    sign_in(Role.ADMIN)
    links = [current_link(client, window, decode_qr)]
    for _ in range(2):
        revoke(client, window, confirm="yes")
        links.append(current_link(client, window, decode_qr))
    assert [client.get(link).status_code for link in links] == [410, 410, 200]


def test_nothing_happens_without_the_confirmation(client, sign_in, window, decode_qr):
    sign_in(Role.ADMIN)
    link = current_link(client, window, decode_qr)
    response = revoke(client, window)
    assert response.status_code == 302
    assert client.get(link).status_code == 200
    db.session.refresh(window)
    assert window.qr_key_version == 1
    assert db.session.scalars(
        select(AuditLog).where(AuditLog.action == "window.revoke_qr")).first() is None


def test_a_supervisor_of_the_subtree_may_revoke(client, sign_in, window):
    county = window.org_unit.parent
    sign_in(Role.SUPERVISOR, org_unit=county)
    assert revoke(client, window, confirm="yes").status_code == 302
    db.session.refresh(window)
    assert window.qr_key_version == 2


@pytest.mark.parametrize("who", ["manager of the window", "supervisor elsewhere", "staff"])
def test_others_may_not_revoke(client, sign_in, window, make_hall, make_staff, who):
    if who == "manager of the window":
        sign_in(Role.MANAGER, windows=[window])
    elif who == "supervisor elsewhere":
        sign_in(Role.SUPERVISOR, org_unit=make_hall().parent)
    else:
        sign_in(Role.STAFF, staff=make_staff(window=window))
    assert revoke(client, window, confirm="yes").status_code == 403
    db.session.refresh(window)
    assert window.qr_key_version == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, window):
    response = revoke(client, window, confirm="yes")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    db.session.refresh(window)
    assert window.qr_key_version == 1


def test_unknown_window_is_404(client, sign_in):
    sign_in(Role.ADMIN)
    assert client.post("/admin/windows/nosuchcode/revoke-qr",
                       data={"confirm": "yes"}).status_code == 404


def test_revoking_is_refused_without_a_csrf_token(make_app, make_user, window):
    make_user(Role.ADMIN, username="root")
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text)
        signed_in = client.post("/login", data={"username": "root", "password": PASSWORD,
                                                "csrf_token": token.group(1)})
        assert signed_in.status_code == 302
        refused = client.post(f"/admin/windows/{window.code}/revoke-qr", data={"confirm": "yes"})
        assert refused.status_code == 400
    db.session.refresh(window)
    assert window.qr_key_version == 1


def test_the_service_counts_in_sql(app, window):
    assert revoke_window_qr(None, window) == 2
    assert revoke_window_qr(None, window) == 3
    db.session.commit()
    actions = db.session.scalars(select(AuditLog.action).where(
        AuditLog.action == "window.revoke_qr")).all()
    assert len(actions) == 2


def test_the_window_page_offers_the_card_and_the_revoke_form(client, sign_in, window):
    sign_in(Role.ADMIN)
    page = client.get(f"/admin/windows/{window.code}?lang=en").text
    assert 'id="desk-card"' in page
    for path in ("card.pdf?size=a4", "card.pdf?size=tent", "qr.png", "qr.svg"):
        assert f"/windows/{window.code}/{path}" in page
    assert f'action="/admin/windows/{window.code}/revoke-qr"' in page
    assert 'name="confirm"' in page


def test_a_manager_sees_the_card_but_not_the_revoke_form(client, sign_in, window):
    sign_in(Role.MANAGER, windows=[window])
    page = client.get(f"/admin/windows/{window.code}?lang=en").text
    assert f"/windows/{window.code}/card.pdf?size=a4" in page
    assert "revoke-qr" not in page
