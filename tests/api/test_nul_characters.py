"""A NUL character anywhere a value reaches the database answers 400, never 500.

PostgreSQL refuses NUL in text. The guard is app-wide (``feedback.errors``); it is tested here
because the API's malformed-input tests found it.
"""

from __future__ import annotations

import pytest

from feedback.accounts.models import Role

PATHS = [
    "/t/%00",
    "/w/%00",
    "/w/%00/about",
    "/w/CODE?k=%00",
    "/admin/windows/%00",
    "/admin/windows/%00/tokens",
    "/windows/%00/qr.png",
    "/admin/tokens/%00/qr.png",
    "/admin/evaluations?window=%00",
    "/admin/windows?q=%00",
    "/admin/windows?q%00=x",
    "/api/v1/windows?org_unit=%00",
    "/api/v1/tokens/%00/qr.png",
]


@pytest.mark.parametrize("path", PATHS)
def test_nul_in_a_path_or_query_is_a_bad_request(client, auth, make_window, make_user, path):
    window = make_window()
    make_user(Role.ADMIN, username="root")
    auth.login("root")
    response = client.get(path.replace("CODE", window.code))
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.get_json()["error"]["status"] == 400


def test_nul_in_a_form_is_a_bad_request(client, make_window):
    from feedback.evaluations.links import qr_key

    window = make_window()
    url = f"/w/{window.code}?k={qr_key(window)}"
    assert client.post(url, data={"nonce": "a\x00b", "overall": "5"}).status_code == 400
    assert client.post("/login", data={"username": "\x00", "password": "x"}).status_code == 400
    assert client.post(url, data={"nonce": "fine", "overall": "5"}).status_code == 200
