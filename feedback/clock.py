"""The one place Manyi reads the time, so tests and sweeps can set "now"."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

_frozen: datetime | None = None


def now() -> datetime:
    """The current time as an aware UTC datetime (or the frozen one)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def wall() -> datetime:
    """The real time as an aware UTC datetime, even while ``now()`` is frozen.

    Only for what must follow real time whatever "now" a sweep runs for: the leases of the
    periodic steps and the record of when they last ran (``feedback.periodic``).
    """
    return datetime.now(UTC)


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make ``now()`` answer ``moment`` inside the block (tests, ``--now`` of sweeps)."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


# --- local days: where the windows are (``BABEL_DEFAULT_TIMEZONE``, Asia/Shanghai) ----------


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_date(moment: datetime) -> date:
    """The calendar day of the aware ``moment`` where the windows are.

    Days are days there: in China, 1 March begins at 16:00 UTC on 28 February, so
    ``moment.date()`` of a UTC time would start a periodic survey eight hours late.
    """
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no local day; pass an aware one")
    return moment.astimezone(local_zone()).date()


def start_of_local_day(day: date) -> datetime:
    """The aware moment the local ``day`` begins."""
    return datetime.combine(day, time(0), tzinfo=local_zone())


def end_of_local_day(day: date) -> datetime:
    """24:00 local time of ``day`` (the first instant of the next day), as aware UTC."""
    return start_of_local_day(day + timedelta(days=1)).astimezone(UTC)
