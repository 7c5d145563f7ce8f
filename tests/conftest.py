"""Fixtures for the whole suite: a real database (SQLite, or PostgreSQL via
``TEST_DATABASE_URL``), migrated once per run with the real migrations, emptied after each test.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Iterator

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, make_url, text
from werkzeug.security import generate_password_hash

_RUN_DIR = tempfile.mkdtemp(prefix="manyi-tests-")
os.environ["MANYI_INSTANCE_PATH"] = os.path.join(_RUN_DIR, "instance")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

from feedback import create_app  # noqa: E402
from feedback.accounts.models import User  # noqa: E402
from feedback.config import normalise_database_url  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.seed import seed_reference_data  # noqa: E402

DATABASE_URL = normalise_database_url(
    os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{os.path.join(_RUN_DIR, 'test.sqlite3')}"
)
KEEP_TABLES = {"alembic_version"}
PASSWORD = "correct-horse-42"


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (``<name>_gw0`` …)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    parsed = make_url(url)
    if not worker or parsed.get_backend_name() != "postgresql":
        return url
    name = f"{parsed.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _reset_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _config(tmp_path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": "manyi.test",
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database, built by running every migration from an empty schema."""
    from flask_migrate import upgrade

    global DATABASE_URL
    DATABASE_URL = _worker_database(DATABASE_URL)
    _reset_database(DATABASE_URL)
    app = create_app(_config(tmp_path_factory.mktemp("migrate")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return DATABASE_URL


class IsolatedClient(FlaskClient):
    """A client whose every request runs in its own application context, as in production.

    The ``app`` fixture keeps one application context pushed for the whole test and Flask
    would reuse it for requests, so ``g`` (the signed-in user, the chosen language) and the
    database session would leak from one request, and from one client, to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test reads what the request wrote, not stale copies
        return response


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """Scrypt costs ~70 ms a hash; the suite signs in hundreds of users, it does not test
    hashing (tests/accounts checks the production algorithm separately)."""
    quick = functools.partial(generate_password_hash, method="pbkdf2:sha256:1")
    monkeypatch.setattr("feedback.accounts.models.generate_password_hash", quick)


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """Each test empties the database: the process's copies of the calendar and deadline
    policies (kept a minute for the rating path) must not outlive it."""
    from feedback.workdays.calendar import forget_admin_days
    from feedback.workdays.queries import forget_policies

    yield
    forget_admin_days()
    forget_policies()


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app with extra config (``make_app(WTF_CSRF_ENABLED=True)``)."""
    apps: list[Flask] = []

    def _make(**overrides) -> Flask:
        app = create_app({**_config(tmp_path), **overrides})
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
    # Put back the reference data the migrations insert and every test may rely on.
    seed_reference_data()
    db.session.commit()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str, password: str = PASSWORD, **kwargs):
        return self._client.post(
            "/login", data={"username": username, "password": password}, **kwargs
        )

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def sign_in(app) -> Callable[[User], FlaskClient]:
    """``sign_in(user)``: a new client (browser) with a session of ``user``."""

    def _sign_in(user: User) -> FlaskClient:
        client = app.test_client()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, f"{user.username} could not sign in"
        return client

    return _sign_in


# --- factories: callables with sensible defaults, built through the real services ----------


@pytest.fixture
def make_unit(app):
    from feedback.orgs.models import UnitKind
    from feedback.orgs.services import create_unit

    counter = iter(range(1, 1_000_000))

    def _make(name: str | None = None, *, parent=None, kind: UnitKind | None = None, code=None):
        n = next(counter)
        if kind is None:
            kind = {None: UnitKind.PROVINCE, UnitKind.PROVINCE: UnitKind.CITY,
                    UnitKind.CITY: UnitKind.COUNTY, UnitKind.COUNTY: UnitKind.HALL}[
                parent.kind if parent is not None else None]
        unit = create_unit(None, code=code or f"U{n:04d}", name=name or f"单位{n}", kind=kind,
                           parent=parent)
        db.session.commit()
        return unit

    return _make


@pytest.fixture
def make_hall(make_unit):
    """A service hall with its province, city and county above it."""
    from feedback.orgs.models import UnitKind

    def _make(parent=None, name: str | None = None):
        if parent is None:
            province = make_unit("湖南省住房和城乡建设厅")
            city = make_unit("长沙市住房和城乡建设局", parent=province)
            parent = make_unit("望城区住房和城乡建设局", parent=city)
        return make_unit(name or "政务服务大厅", parent=parent, kind=UnitKind.HALL)

    return _make


@pytest.fixture
def category(app):
    from sqlalchemy import select

    from feedback.orgs.models import ServiceCategory

    return db.session.scalar(select(ServiceCategory).where(ServiceCategory.code == "licensing"))


@pytest.fixture
def make_window(make_hall, category):
    from feedback.windows.services import create_window

    counter = iter(range(1, 1_000_000))

    def _make(hall=None, name: str | None = None, **fields):
        window = create_window(None, name=name or f"{next(counter)}号窗口",
                               org_unit=hall or make_hall(), category=category, **fields)
        db.session.commit()
        return window

    return _make


@pytest.fixture
def make_staff(make_window):
    from feedback.windows.services import create_staff

    counter = iter(range(1, 1_000_000))

    def _make(window=None, name: str = "张伟", badge_no: str | None = None, **fields):
        staff = create_staff(None, window=window or make_window(), name=name,
                             badge_no=badge_no or f"HN{next(counter):05d}", **fields)
        db.session.commit()
        return staff

    return _make


@pytest.fixture
def make_user(app):
    from feedback.accounts.models import Role
    from feedback.accounts.services import create_user

    counter = iter(range(1, 1_000_000))

    def _make(role: Role = Role.ADMIN, username: str | None = None, password: str = PASSWORD,
              **scope):
        user = create_user(None, username=username or f"{role.value}{next(counter)}",
                           password=password, role=role, **scope)
        db.session.commit()
        return user

    return _make


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())
