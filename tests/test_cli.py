"""The ``manyi`` command line: creating, listing and disabling users."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Callable

import pytest
from flask_babel import gettext
from sqlalchemy import func, select

from feedback.accounts.models import Role, User
from feedback.audit.models import AuditLog
from feedback.extensions import db

PASSWORD = "cli-secret-42"


@pytest.fixture
def scope(make_window, make_staff):
    """A hall with two windows and a staff member, and the codes that name them."""
    first, second = make_window(), make_window()
    staff = make_staff(window=first, badge_no="HN00042")
    return {
        "unit": first.org_unit.parent.code,
        "windows": [first.code, second.code],
        "badge": staff.badge_no,
    }


def create(
    runner,
    username: str,
    role: str,
    *scopes: str,
    password: str = PASSWORD,
    extra: tuple[str, ...] = (),
):
    args = ["user", "create", username, "--role", role, "--password-stdin", *extra]
    for code in scopes:
        args += ["--scope", code]
    return runner.invoke(args=args, input=password + "\n")


def user_named(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def counts() -> tuple[int, int]:
    db.session.expire_all()
    users = db.session.scalar(select(func.count()).select_from(User))
    audits = db.session.scalar(select(func.count()).select_from(AuditLog))
    return users, audits


def test_create_admin(runner):
    result = create(runner, "root", "admin", extra=("--name", "系统管理员"))
    assert result.exit_code == 0, result.output
    assert "created root (admin)" in result.output
    user = user_named("root")
    assert user.role == Role.ADMIN and user.display_name == "系统管理员"
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "\n")


@pytest.mark.parametrize("role", ["supervisor", "operator"])
def test_create_unit_scoped_user(runner, scope, role):
    result = create(runner, "lina", role, scope["unit"])
    assert result.exit_code == 0, result.output
    user = user_named("lina")
    assert user.role == Role(role)
    assert user.org_unit.code == scope["unit"]


def test_create_manager_of_several_windows(runner, scope):
    result = create(runner, "wang", "manager", *scope["windows"])
    assert result.exit_code == 0, result.output
    assert sorted(w.code for w in user_named("wang").windows) == sorted(scope["windows"])


def test_create_staff_account(runner, scope):
    result = create(runner, "zhang", "staff", scope["badge"])
    assert result.exit_code == 0, result.output
    assert user_named("zhang").staff.badge_no == scope["badge"]


def test_created_user_can_sign_in(runner, client):
    assert create(runner, "root", "admin").exit_code == 0
    response = client.post("/login", data={"username": "root", "password": PASSWORD})
    assert response.status_code == 302


def _(message: str, **variables) -> Callable[[], str]:
    """A message of the services, in the language the command line speaks (read later)."""
    return lambda: gettext(message, **variables)


BAD_INPUT = [
    ("lina", "boss", (), PASSWORD, "Invalid value for '--role'"),
    (
        "lina",
        "supervisor",
        ("NO-SUCH",),
        PASSWORD,
        _("There is no organisation unit with code %(code)s.", code="NO-SUCH"),
    ),
    ("lina", "supervisor", (), PASSWORD, "--scope takes exactly one org unit code"),
    ("lina", "operator", (), PASSWORD, "--scope takes exactly one org unit code"),
    ("lina", "operator", ("{unit}", "{unit}"), PASSWORD, "--scope takes exactly one"),
    ("lina", "manager", (), PASSWORD, _("A manager needs at least one window.")),
    (
        "lina",
        "manager",
        ("nosuchwin",),
        PASSWORD,
        _("There is no window with code %(code)s.", code="nosuchwin"),
    ),
    (
        "lina",
        "staff",
        ("XX999",),
        PASSWORD,
        _("There is no staff member with badge %(badge)s.", badge="XX999"),
    ),
    ("lina", "staff", (), PASSWORD, "--scope takes exactly one badge number"),
    ("lina", "admin", ("{unit}",), PASSWORD, "--scope does not apply"),
    ("lina", "admin", (), "short1", _("The password must have at least %(n)d characters.", n=8)),
    ("lina", "admin", (), "", _("The password must have at least %(n)d characters.", n=8)),
    (
        "lina",
        "admin",
        (),
        "onlyletters",
        _("The password must mix letters with digits or symbols."),
    ),
    (
        "li na",
        "admin",
        (),
        PASSWORD,
        _("A username has 3 to 64 letters, digits, dots, dashes or underscores."),
    ),
    ("root", "admin", (), PASSWORD, _("The username %(name)s is taken.", name="root")),
    ("ROOT", "admin", (), PASSWORD, _("The username %(name)s is taken.", name="ROOT")),
]


@pytest.mark.parametrize(
    ("username", "role", "scopes", "password", "message"),
    [pytest.param(*case, id=f"{case[1]}-{i}") for i, case in enumerate(BAD_INPUT)],
)
def test_create_refuses_bad_input_and_creates_nothing(
    runner, scope, username, role, scopes, password, message
):
    assert create(runner, "root", "admin").exit_code == 0
    before = counts()
    scopes = tuple(code.format(**scope) for code in scopes)
    result = create(runner, username, role, *scopes, password=password)
    assert result.exit_code != 0
    assert (message if isinstance(message, str) else message()) in result.output
    assert "Traceback" not in result.output
    assert counts() == before


def test_create_needs_password_from_stdin(runner):
    result = runner.invoke(
        args=["user", "create", "root", "--role", "admin"], input=PASSWORD + "\n"
    )
    assert result.exit_code != 0
    assert "--password-stdin" in result.output
    assert user_named("root") is None


def test_list_shows_users_with_role_scope_and_state(runner, scope):
    create(runner, "root", "admin")
    create(runner, "lina", "supervisor", scope["unit"])
    create(runner, "wang", "manager", *scope["windows"])
    create(runner, "zhang", "staff", scope["badge"])
    runner.invoke(args=["user", "disable", "zhang"])

    result = runner.invoke(args=["user", "list"])
    assert result.exit_code == 0, result.output
    rows = {line.split("\t")[0]: line.split("\t") for line in result.output.splitlines()}
    assert rows["root"][1:4] == ["admin", "*", "active"]
    assert rows["lina"][1:4] == ["supervisor", scope["unit"], "active"]
    assert rows["wang"][1] == "manager"
    assert sorted(rows["wang"][2].split(",")) == sorted(scope["windows"])
    assert rows["zhang"][1:4] == ["staff", scope["badge"], "disabled"]
    assert all(row[4] == "never" for row in rows.values())


def test_disable_user(runner):
    create(runner, "lina", "admin")
    result = runner.invoke(args=["user", "disable", "lina"])
    assert result.exit_code == 0, result.output
    assert "disabled lina" in result.output
    assert user_named("lina").active is False
    user_id = str(user_named("lina").id)
    actions = db.session.scalars(
        select(AuditLog.action)
        .where(AuditLog.object_type == "User", AuditLog.object_id == user_id)
        .order_by(AuditLog.id)
    )
    assert list(actions) == ["user.create", "user.disable"]


def test_disable_unknown_user_fails(runner):
    result = runner.invoke(args=["user", "disable", "nobody"])
    assert result.exit_code != 0
    assert "no user named nobody" in result.output


def test_manyi_console_script_is_installed():
    (entry,) = importlib.metadata.entry_points(group="console_scripts", name="manyi")
    assert entry.value == "feedback.cli:main"
    assert shutil.which("manyi", path=os.path.dirname(sys.executable))


def test_manyi_console_script_runs(tmp_path):
    script = shutil.which("manyi", path=os.path.dirname(sys.executable))
    env = {
        **os.environ,
        "MANYI_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(
        [script, "user", "--help"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    for command in ("create", "list", "disable"):
        assert command in result.stdout
