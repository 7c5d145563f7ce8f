"""Configuration, read once from the environment.

Every setting has an environment variable of the same name; the README's table lists them.
``create_app(test_config)`` overrides any of them for tests without touching this class.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting in the environment is unusable; the message names it."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _working_days(name: str, default: int) -> int:
    value = _int(name, default)
    if not 1 <= value <= 60:
        raise ConfigError(f"{name} must be between 1 and 60 working days, got {value}")
    return value


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (``postgresql://``)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_secret_key(instance_path: str) -> str:
    """The ``SECRET_KEY`` from the environment, else one generated once and kept in instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        if len(from_env) < 16:
            raise ConfigError("SECRET_KEY must be at least 16 characters long")
        return from_env
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting together must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


class Config:
    """Settings from the environment. Instantiated per app, so tests never mutate a class."""

    LANGUAGES = ("zh", "en")

    def __init__(self, instance_path: str) -> None:
        from feedback.crypto import load_data_key

        self.SECRET_KEY = load_secret_key(instance_path)
        self.DATA_KEY = load_data_key(instance_path)
        default_db = "sqlite:///" + str(Path(instance_path) / "manyi.sqlite3")
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            os.environ.get("DATABASE_URL") or default_db
        )
        # A dropped PostgreSQL connection is replaced transparently; SQLite files need no ping.
        is_sqlite = self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")
        self.SQLALCHEMY_ENGINE_OPTIONS = {} if is_sqlite else {"pool_pre_ping": True}
        self.PORT = _int("PORT", 8000)
        self.BABEL_DEFAULT_LOCALE = os.environ.get("MANYI_LANGUAGE", "zh")
        if self.BABEL_DEFAULT_LOCALE not in self.LANGUAGES:
            raise ConfigError(
                f"MANYI_LANGUAGE must be one of {', '.join(self.LANGUAGES)}, "
                f"got {self.BABEL_DEFAULT_LOCALE!r}"
            )
        self.BABEL_DEFAULT_TIMEZONE = os.environ.get("MANYI_TIMEZONE", "Asia/Shanghai")
        self.UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(Path(instance_path) / "uploads")
        self.MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 10) * 1024 * 1024
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = True
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
        self.LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
        self.LOGIN_LOCKOUT_MINUTES = _int("LOGIN_LOCKOUT_MINUTES", 15)
        secure = _bool("SESSION_COOKIE_SECURE", False)
        self.SESSION_COOKIE_SECURE = secure
        self.REMEMBER_COOKIE_SECURE = secure
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.PROXY_FIX = _int("PROXY_FIX", 0)
        self.PAGE_SIZE = _int("PAGE_SIZE", 50)
        self.RATING_RATE_LIMIT = os.environ.get("RATING_RATE_LIMIT", "30 per minute;300 per hour")
        self.TRACK_RATE_LIMIT = os.environ.get("TRACK_RATE_LIMIT", "10 per minute;50 per hour")
        self.EVALUATION_REPEAT_MINUTES = _int("EVALUATION_REPEAT_MINUTES", 60)
        self.EVALUATION_BURST_COUNT = _int("EVALUATION_BURST_COUNT", 30)
        self.EVALUATION_BURST_MINUTES = _int("EVALUATION_BURST_MINUTES", 10)
        self.EVALUATION_TOKEN_DAYS = _int("EVALUATION_TOKEN_DAYS", 7)
        self.API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")
        self.API_PUBLIC_RATE_LIMIT = os.environ.get("API_PUBLIC_RATE_LIMIT", "60 per minute")
        # E-mail for inbox messages (feedback/notifications): plain SMTP, off while MAIL_SERVER
        # is empty.
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "").strip()
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
        if self.MAIL_USE_TLS and self.MAIL_USE_SSL:
            raise ConfigError("MAIL_USE_TLS and MAIL_USE_SSL exclude each other: choose one")
        self.MAIL_PORT = _int("MAIL_PORT", 465 if self.MAIL_USE_SSL else
                              587 if self.MAIL_USE_TLS else 25)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "").strip() or "manyi@localhost"
        self.MAIL_BASE_URL = os.environ.get("MAIL_BASE_URL", "").strip()
        self.MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
        self.MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 10)
        # Deadlines in Chinese working days (feedback/workdays); org units may set their own.
        self.CASE_ANSWER_WORKING_DAYS = _working_days("CASE_ANSWER_WORKING_DAYS", 5)
        self.NOTICE_WORKING_DAYS = _working_days("NOTICE_WORKING_DAYS", 15)
        # Rectification notices (feedback/notices): repeat trouble, "enough ratings" for the
        # public rankings and relapse checks, evidence files of reports.
        self.NOTICE_REPEAT_MONTHS = _int("NOTICE_REPEAT_MONTHS", 2)
        self.NOTICE_MIN_RATINGS = _int("NOTICE_MIN_RATINGS", 30)
        self.NOTICE_RELAPSE_INDEX = _int("NOTICE_RELAPSE_INDEX", 80)
        self.NOTICE_RELAPSE_DAYS = _int("NOTICE_RELAPSE_DAYS", 180)
        self.EVIDENCE_MAX_MB = _int("EVIDENCE_MAX_MB", _int("MAX_UPLOAD_MB", 10))
        self.EVIDENCE_MAX_FILES = _int("EVIDENCE_MAX_FILES", 10)
