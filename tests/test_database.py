"""The database as the app uses it: migrations that match the models, SQLite settings."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from feedback.config import Config, ConfigError
from feedback.extensions import db


def test_migrations_match_the_models(app):
    """A model change without its migration fails here, before it fails in production."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MANYI_LANGUAGE", "fr", "MANYI_LANGUAGE"),
        ("PORT", "eighty", "PORT"),
        ("RATELIMIT_ENABLED", "maybe", "RATELIMIT_ENABLED"),
        ("SECRET_KEY", "short", "SECRET_KEY"),
        ("DATA_KEY", "not-base64-32-bytes", "DATA_KEY"),
    ],
)
def test_bad_configuration_names_the_setting(monkeypatch, tmp_path, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        Config(str(tmp_path))


def test_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = Config(str(tmp_path)).SECRET_KEY
    second = Config(str(tmp_path)).SECRET_KEY
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only
