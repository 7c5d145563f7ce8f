"""Engine settings that must hold for every connection."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

_configured = False


def configure_engine_events() -> None:
    """SQLite: WAL, a busy timeout and foreign keys on, for every new connection."""
    global _configured
    if _configured:
        return
    _configured = True

    @event.listens_for(Engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        module = type(dbapi_connection).__module__
        if not module.startswith("sqlite3"):
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
