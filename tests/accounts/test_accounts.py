"""Signing in, lockout, rate limit, sessions, passwords, CSRF, cookies and the user pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import func, select

from feedback import clock
from feedback.accounts.models import Role, User
from feedback.audit.models import AuditLog
from feedback.extensions import db
from feedback.orgs.models import OrgUnit

PASSWORD = "correct-horse-42"
WRONG_LOGIN = "Wrong username or password, or the account is locked or disabled."


def new_client(app: Flask) -> FlaskClient:
    return app.test_client()


def login(client: FlaskClient, username: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def signed_in(client: FlaskClient) -> bool:
    """Whether ``client`` holds a working session (any signed-in user may see this page)."""
    status = client.get("/account/password").status_code
    assert status in (200, 302)
    return status == 200


def shown(app: Flask, message: str, **variables) -> str:
    """``message`` as a page shows it: in the default language, HTML-escaped."""
    with app.test_request_context():
        return str(escape(gettext(message, **variables)))


def field_errors(html: str) -> list[str]:
    return re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, flags=re.S)


def fresh(model, **where):
    """Read ``model`` from the database, not from this test's session."""
    db.session.expire_all()
    return db.session.scalar(select(model).filter_by(**where))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def audit_actions(action: str) -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


# --- signing in ---------------------------------------------------------------------------


def test_right_password_signs_in_and_is_audited(app, client, make_user):
    user = make_user(Role.ADMIN, username="wang")
    response = login(client, "wang")
    assert response.status_code == 302
    assert signed_in(client)
    assert fresh(User, username="wang").last_login_at is not None
    assert [e.object_id for e in audit_actions("user.login")] == [str(user.id)]


def test_username_is_not_case_sensitive(client, make_user):
    make_user(Role.ADMIN, username="Wang")
    assert login(client, "wANG").status_code == 302
    assert signed_in(client)


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(app, client, make_user):
    make_user(Role.ADMIN, username="wang")
    wrong_password = login(client, "wang", "not-the-password-1")
    unknown_user = login(client, "nobody", PASSWORD)

    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert field_errors(response.text) == [shown(app, WRONG_LOGIN)]
    assert not signed_in(client)
    assert fresh(User, username="wang").failed_logins == 1


def test_lockout_after_max_failures_refuses_even_the_right_password(app, client, make_user):
    user = make_user(Role.ADMIN, username="wang")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    failures = app.config["LOGIN_MAX_FAILURES"]
    minutes = app.config["LOGIN_LOCKOUT_MINUTES"]

    with clock.frozen_at(start):
        for _ in range(failures - 1):
            login(client, "wang", "wrong-guess-1")
        assert audit_actions("user.lockout") == []
        login(client, "wang", "wrong-guess-1")
        response = login(client, "wang")  # the right password, while locked
        assert response.status_code == 200
        assert field_errors(response.text) == [shown(app, WRONG_LOGIN)]
        assert not signed_in(client)

    (entry,) = audit_actions("user.lockout")
    assert entry.object_id == str(user.id)
    assert entry.changes == {"minutes": minutes}

    with clock.frozen_at(start + timedelta(minutes=minutes) - timedelta(seconds=1)):
        assert login(client, "wang").status_code == 200
        assert not signed_in(client)
    with clock.frozen_at(start + timedelta(minutes=minutes, seconds=1)):
        assert login(client, "wang").status_code == 302
        assert signed_in(client)
    locked = fresh(User, username="wang")
    assert locked.locked_until is None and locked.failed_logins == 0


def test_failures_below_the_limit_are_forgotten_after_a_good_login(app, client, make_user):
    make_user(Role.ADMIN, username="wang")
    failures = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(failures - 1):
        login(client, "wang", "wrong-guess-1")
    assert login(client, "wang").status_code == 302
    client.post("/logout")
    for _ in range(failures - 1):
        login(client, "wang", "wrong-guess-1")
    assert login(client, "wang").status_code == 302  # not locked: the count had restarted


def test_login_is_rate_limited_when_enabled(app, make_app, make_user):
    make_user(Role.ADMIN, username="wang")
    # Built last: Flask-Limiter keeps its switch and storage on the one extension object.
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    for _ in range(3):
        assert login(client, "wang", "wrong-guess-1").status_code == 200
    response = login(client, "wang")
    assert response.status_code == 429
    assert client.get("/login").status_code == 200  # only POST counts
    assert fresh(User, username="wang").last_login_at is None


def test_disabled_user_cannot_sign_in(app, client, make_user):
    make_user(Role.ADMIN, username="wang", password=PASSWORD)
    make_user(Role.ADMIN, username="lina")
    assert login(client, "lina").status_code == 302
    response = client.post(
        "/admin/users/" + str(fresh(User, username="wang").id),
        data={"role": "admin", "display_name": ""},  # active unchecked
    )
    assert response.status_code == 302
    assert fresh(User, username="wang").active is False

    other = new_client(app)
    response = login(other, "wang")
    assert response.status_code == 200
    assert field_errors(response.text) == [shown(app, WRONG_LOGIN)]
    assert not signed_in(other)


def test_session_stops_working_after_cli_disable(app, client, runner, make_user):
    make_user(Role.ADMIN, username="wang")
    login(client, "wang")
    assert client.get("/admin/users").status_code == 200

    result = runner.invoke(args=["user", "disable", "wang"])
    assert result.exit_code == 0, result.output

    response = client.get("/admin/users")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_one_clients_session_is_not_anothers(app, client, make_user):
    make_user(Role.ADMIN, username="wang")
    login(client, "wang")
    assert signed_in(client)
    assert not signed_in(new_client(app))


def test_a_session_taken_to_another_browser_is_signed_out(client, make_user):
    make_user(Role.ADMIN, username="wang")
    login(client, "wang", headers={"User-Agent": "phone A"})
    assert client.get("/account/password", headers={"User-Agent": "phone A"}).status_code == 200

    elsewhere = client.get("/account/password", headers={"User-Agent": "laptop B"})
    assert elsewhere.status_code == 302
    assert urlsplit(elsewhere.headers["Location"]).path == "/login"


def test_an_anonymous_session_is_not_rewritten_on_every_page(client, make_window):
    """A citizen's session holds only the form's CSRF token: pages leave it and the remember
    cookie alone instead of sending both cookies again with every answer."""
    window = make_window()
    with client.session_transaction() as session:
        session["csrf_token"] = "0" * 40
    for response in (client.get(f"/w/{window.code}/about"), client.get("/login"),
                     client.get("/healthz/live")):
        assert response.status_code == 200
        cookies = " ".join(response.headers.getlist("Set-Cookie"))
        assert "session=" not in cookies
        assert "remember_token=" not in cookies
    with client.session_transaction() as session:
        assert session["csrf_token"] == "0" * 40


# --- redirects after signing in -----------------------------------------------------------


def test_next_brings_the_user_back(client, make_user):
    make_user(Role.ADMIN, username="wang")
    response = client.get("/admin/users?page=1")
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    target = parse_qs(location.query)["next"][0]
    assert target == "/admin/users?page=1"

    response = login(client, "wang", query_string={"next": target})
    assert response.headers["Location"] == "/admin/users?page=1"


EVIL_TARGETS = [
    "//evil.example",
    "//evil.example/admin",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "evil.example",
]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_login_refuses_to_redirect_elsewhere(client, make_user, target):
    make_user(Role.ADMIN, username="wang")
    response = login(client, "wang", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"  # the start page, not the target

    # Already signed in: GET /login?next=... redirects straight away, just as safely.
    response = client.get("/login", query_string={"next": target})
    assert response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize(("role", "start"), [
    (Role.MANAGER, "/dashboard"), (Role.SUPERVISOR, "/dashboard"), (Role.ADMIN, "/dashboard"),
    (Role.OPERATOR, "/"),
])
def test_signing_in_without_next_opens_the_start_page(client, make_user, make_unit, make_window,
                                                     role, start):
    scope = {Role.SUPERVISOR: lambda: {"org_unit": make_unit("长沙市住房和城乡建设局")},
             Role.OPERATOR: lambda: {"org_unit": make_unit("长沙市住房和城乡建设局")},
             Role.MANAGER: lambda: {"windows": [make_window()]}}.get(role, dict)()
    make_user(role, username="li.na", **scope)
    response = login(client, "li.na")
    assert response.status_code == 302
    assert response.headers["Location"] == start
    assert client.get(start).status_code == 200


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_language_switch_refuses_to_redirect_elsewhere(client, target):
    response = client.post("/lang/en", data={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_goes_back_to_the_page(client):
    response = client.post("/lang/en", data={"next": "/login?next=%2Fadmin%2Fusers"})
    assert response.headers["Location"] == "/login?next=%2Fadmin%2Fusers"


# --- passwords ------------------------------------------------------------------------------


def _change(client, current: str, new: str, confirm: str | None = None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


def test_password_change_refuses_a_wrong_current_password(app, client, make_user):
    make_user(Role.ADMIN, username="wang")
    login(client, "wang")
    response = _change(client, "not-my-password-1", "new-secret-77")
    assert response.status_code == 200
    assert field_errors(response.text) == [shown(app, "The current password is wrong.")]
    assert fresh(User, username="wang").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("abcdefghij", "The password must mix letters with digits or symbols."),
        ("1234567890", "The password must mix letters with digits or symbols."),
        (PASSWORD, "The new password must differ from the old one."),
    ],
)
def test_password_change_refuses_a_weak_password(app, client, make_user, new, message):
    make_user(Role.ADMIN, username="wang")
    login(client, "wang")
    response = _change(client, PASSWORD, new)
    assert response.status_code == 200
    assert field_errors(response.text) == [shown(app, message)]
    assert fresh(User, username="wang").check_password(PASSWORD)
    assert audit_actions("user.password") == []


def test_password_change_refuses_a_short_or_mistyped_password(client, make_user):
    make_user(Role.ADMIN, username="wang")
    login(client, "wang")
    assert len(field_errors(_change(client, PASSWORD, "a1b2").text)) == 1
    assert len(field_errors(_change(client, PASSWORD, "new-secret-77", "new-secret-78").text)) == 1
    assert fresh(User, username="wang").check_password(PASSWORD)


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, make_user):
    user = make_user(Role.ADMIN, username="wang")
    other = new_client(app)
    login(client, "wang")
    login(other, "wang")
    assert signed_in(client) and signed_in(other)

    response = _change(client, PASSWORD, "new-secret-77")
    assert response.status_code == 302

    assert signed_in(client)
    assert not signed_in(other)
    assert fresh(User, username="wang").check_password("new-secret-77")
    assert [e.object_id for e in audit_actions("user.password")] == [str(user.id)]
    # The old password no longer opens a session; the new one does.
    third = new_client(app)
    assert login(third, "wang").status_code == 200
    assert login(third, "wang", "new-secret-77").status_code == 302


# --- CSRF and cookies ------------------------------------------------------------------------


def _csrf_token(client: FlaskClient, path: str) -> str:
    html = client.get(path).text
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def csrf_client(app, make_app, make_user):
    """A client of an app with CSRF protection on, signed in as an administrator."""
    make_user(Role.ADMIN, username="wang")
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    return client


def test_csrf_login_without_token_is_refused(app, csrf_client):
    response = login(csrf_client, "wang")
    assert response.status_code == 400
    assert not signed_in(csrf_client)
    assert fresh(User, username="wang").last_login_at is None
    assert audit_actions("user.login") == []

    token = _csrf_token(csrf_client, "/login")
    response = csrf_client.post(
        "/login", data={"username": "wang", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302  # the same request with its token goes through


NEW_USER = {"username": "lina", "password": "li-secret-77", "role": "admin"}
NEW_UNIT = {"code": "HN", "name": "湖南省住房和城乡建设厅", "kind": "province"}


@pytest.mark.parametrize(
    ("path", "data", "model"),
    [("/admin/users/new", NEW_USER, User), ("/admin/org-units/new", NEW_UNIT, OrgUnit)],
)
def test_csrf_admin_forms_without_token_are_refused(app, csrf_client, path, data, model):
    token = _csrf_token(csrf_client, "/login")
    csrf_client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": token})
    assert signed_in(csrf_client)
    before = count(model)

    response = csrf_client.post(path, data=data)
    assert response.status_code == 400
    assert count(model) == before

    response = csrf_client.post(path, data={**data, "csrf_token": _csrf_token(csrf_client, path)})
    assert response.status_code == 302
    assert count(model) == before + 1


def test_session_cookie_is_http_only_and_same_site_lax(client, make_user):
    make_user(Role.ADMIN, username="wang")
    response = login(client, "wang")
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1
    flags = [part.strip().lower() for part in cookies[0].split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_language_cookie_is_http_only_and_same_site_lax(client):
    response = client.post("/lang/en", data={"next": "/"})
    (cookie,) = response.headers.getlist("Set-Cookie")
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags


# --- the administration of users ---------------------------------------------------------------


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(Role.ADMIN, username="root")
    assert login(client, "root").status_code == 302
    client.admin_id = admin.id
    return client


@pytest.fixture
def scope(make_window, make_staff):
    window_a, window_b = make_window(), make_window()
    staff = make_staff(window=window_a, badge_no="HN00042")
    return {"unit": window_a.org_unit.parent, "windows": [window_a, window_b], "staff": staff}


def _new_user(client, username: str, role: str, **fields):
    data = {
        "username": username,
        "password": "new-secret-77",
        "role": role,
        "display_name": "",
        "org_unit": "",
        "windows": "",
        "staff": "",
        **fields,
    }
    return client.post("/admin/users/new", data=data)


def test_admin_creates_an_administrator(admin_client):
    response = _new_user(admin_client, "lina", "admin", display_name="李娜")
    assert response.status_code == 302
    user = fresh(User, username="lina")
    assert user.role == Role.ADMIN and user.display_name == "李娜"
    assert user.org_unit is None and user.windows == [] and user.staff is None
    assert user.check_password("new-secret-77")


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.OPERATOR])
def test_admin_creates_unit_scoped_users(admin_client, scope, role):
    # Fields for other roles are ignored: the role decides which scope counts.
    response = _new_user(
        admin_client,
        "lina",
        role.value,
        org_unit=scope["unit"].code,
        windows=scope["windows"][0].code,
    )
    assert response.status_code == 302
    user = fresh(User, username="lina")
    assert user.role == role
    assert user.org_unit.code == scope["unit"].code
    assert user.windows == [] and user.staff is None


def test_admin_creates_a_manager_of_several_windows(admin_client, scope):
    codes = sorted(w.code for w in scope["windows"])
    response = _new_user(admin_client, "lina", "manager", windows=", ".join(codes))
    assert response.status_code == 302
    user = fresh(User, username="lina")
    assert user.role == Role.MANAGER
    assert sorted(w.code for w in user.windows) == codes
    assert user.org_unit is None


def test_admin_creates_a_staff_account(admin_client, scope):
    response = _new_user(admin_client, "lina", "staff", staff="HN00042")
    assert response.status_code == 302
    user = fresh(User, username="lina")
    assert user.role == Role.STAFF and user.staff.badge_no == "HN00042"


@pytest.mark.parametrize(
    ("role", "fields", "field", "message", "variables"),
    [
        ("manager", {}, "windows", "A manager needs at least one window.", {}),
        (
            "manager",
            {"windows": "nosuchwin"},
            "windows",
            "There is no window with code %(code)s.",
            {"code": "nosuchwin"},
        ),
        (
            "supervisor",
            {"org_unit": "NO-SUCH"},
            "org_unit",
            "There is no organisation unit with code %(code)s.",
            {"code": "NO-SUCH"},
        ),
        ("supervisor", {}, "org_unit", "Supervisors and operators need an organisation unit.", {}),
        ("operator", {}, "org_unit", "Supervisors and operators need an organisation unit.", {}),
        ("staff", {}, "staff", "A staff account needs a staff member.", {}),
        (
            "staff",
            {"staff": "XX999"},
            "staff",
            "There is no staff member with badge %(badge)s.",
            {"badge": "XX999"},
        ),
    ],
)
def test_admin_bad_scope_shows_the_error_and_creates_nothing(
    app, admin_client, scope, role, fields, field, message, variables
):
    before, audited = count(User), len(audit_actions("user.create"))
    response = _new_user(admin_client, "lina", role, **fields)
    assert response.status_code == 200
    assert re.search(
        rf'id="{field}-error"[^>]*>{re.escape(shown(app, message, **variables))}<', response.text
    )
    assert count(User) == before
    assert len(audit_actions("user.create")) == audited


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "root"}, "username"),
        ({"username": "ROOT"}, "username"),
        ({"username": "a b"}, "username"),
        ({"password": "abcdefghij"}, "password"),
    ],
)
def test_admin_bad_username_or_password_creates_nothing(admin_client, fields, field):
    before = count(User)
    response = _new_user(admin_client, **{"username": "lina", "role": "admin", **fields})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.text
    assert count(User) == before


def test_admin_edits_another_users_role_and_scope(admin_client, scope, make_user):
    li = make_user(Role.ADMIN, username="lina")
    response = admin_client.post(
        f"/admin/users/{li.id}",
        data={"role": "supervisor", "org_unit": scope["unit"].code, "active": "y"},
    )
    assert response.status_code == 302
    li = fresh(User, username="lina")
    assert li.role == Role.SUPERVISOR and li.org_unit.code == scope["unit"].code
    (entry,) = audit_actions("user.update")
    assert entry.changes["role"] == ["admin", "supervisor"]


@pytest.mark.parametrize(
    "data",
    [
        {"role": "admin"},  # active unchecked: disabling oneself
        {"role": "supervisor", "active": "y"},  # demoting oneself
    ],
)
def test_admin_cannot_disable_or_demote_themselves(app, admin_client, scope, data):
    response = admin_client.post(
        f"/admin/users/{admin_client.admin_id}", data={"org_unit": scope["unit"].code, **data}
    )
    assert response.status_code == 200
    assert shown(app, "You cannot demote or disable your own account.") in response.text
    me = fresh(User, username="root")
    assert me.role == Role.ADMIN and me.active and me.org_unit is None
    assert audit_actions("user.update") == []
    assert admin_client.get("/admin/users").status_code == 200


def test_edit_page_of_an_unknown_user_is_404(admin_client):
    assert admin_client.get("/admin/users/999999").status_code == 404
