from __future__ import annotations

from feedback.accounts.models import Role


def test_home_page_is_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.text


def test_user_can_log_in_and_out(client, auth, make_user):
    make_user(Role.ADMIN, username="wang")
    response = auth.login("wang")
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200
    auth.logout()
    assert client.get("/admin/users").status_code == 302
