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


def test_passwords_are_stored_with_scrypt(app, monkeypatch):
    """The suite swaps in a fast hash; production keeps Werkzeug's memory-hard scrypt."""
    from feedback.accounts.models import User

    monkeypatch.undo()
    user = User()
    user.set_password("correct-horse-42")
    assert user.password_hash.startswith("scrypt:")
    assert "correct-horse-42" not in user.password_hash
    assert user.check_password("correct-horse-42")
    assert not user.check_password("correct-horse-43")
