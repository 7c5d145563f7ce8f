"""Which days are Chinese working days, and deadlines counted in them.

A day is decided by an administrator's entry first, then by the ``chinese-calendar`` package,
then by weekends alone. The package knows the years up to its release and raises
``NotImplementedError`` for the others; a year it does not know and that has no administrator
entries is counted by weekends only, and a deadline that counted such a day says so
(``Deadline.estimated``, ``Deadline.uncovered_years``).

Days are local days in ``BABEL_DEFAULT_TIMEZONE``: a case opened at 23:30 in Beijing is opened
on that Beijing day, though it is 15:30 UTC. Counting starts on the day after the start's
local day, and a deadline ends at 24:00 local time of its last working day.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import chinese_calendar
from flask import g, has_request_context
from sqlalchemy import select

from feedback.clock import end_of_local_day, local_date
from feedback.extensions import db
from feedback.workdays.models import CalendarDay, DeadlineKind

__all__ = [
    "ADMIN",
    "PACKAGE",
    "WEEKENDS",
    "Deadline",
    "DeadlineKind",
    "add_working_days",
    "day_source",
    "deadline_last_day",
    "forget_admin_days",
    "is_working_day",
    "package_covers",
    "working_days_between",
    "working_days_in",
    "working_days_left",
]

Source = Literal["admin", "package", "weekends"]
ADMIN: Source = "admin"
PACKAGE: Source = "package"
WEEKENDS: Source = "weekends"

# No arrangement has ever had more than nine days off in a row; an administrator who marks
# years as holidays makes the count stop here instead of running on.
MAX_SCAN_DAYS = 3 * 366


@dataclass(frozen=True)
class Deadline:
    """When something is due, and how sure Manyi is of it."""

    due_at: datetime  # aware UTC: the end (24:00 local time) of the last working day counted
    working_days: int
    estimated: bool  # some day counted was covered by neither administrator entries nor package
    uncovered_years: tuple[int, ...]  # the years counted by weekends only


# --- local days ---------------------------------------------------------------------------


def deadline_last_day(due_at: datetime) -> date:
    """The last local day one still has before ``due_at`` (the day it is the end of)."""
    return local_date(due_at - timedelta(microseconds=1))


# --- the three sources --------------------------------------------------------------------


def package_covers(year: int) -> bool:
    """Whether the installed ``chinese-calendar`` knows the official arrangement of ``year``."""
    return _package_is_working_day(date(year, 7, 1)) is not None


# The package looks for its first and last year among all its dates on every call (~50 µs):
# its answers never change in a process, so they are kept.
@functools.lru_cache(maxsize=8192)
def _package_is_working_day(day: date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year outside the package's data
        return None


# Inside a request the entries read are kept on ``g`` (a list of 50 deadlines reads each year
# once); outside one (sweeps, tests, the command line) every computation reads them afresh.
_REQUEST_CACHE = "_workdays_admin_days"

# The rating form's hot path opens a bad review's case with its deadline and must not ask the
# database for the calendar on every rating: it reads each year's entries at most once every
# ``SHARED_SECONDS`` per process (``_Calendar(shared=True)``). An administrator's change reaches
# the other processes within that time; this process forgets at once.
SHARED_SECONDS = 60.0
_SHARED: dict[int, tuple[float, dict[date, bool]]] = {}


def forget_admin_days() -> None:
    """Drop the entries kept for this request and this process: the calendar services call
    it on every write."""
    _SHARED.clear()
    if has_request_context():
        g.pop(_REQUEST_CACHE, None)


class _Calendar:
    """The administrator entries of the years one computation touches, one query a year
    (kept for the request, or with ``shared`` for ``SHARED_SECONDS`` in the process)."""

    def __init__(self, shared: bool = False) -> None:
        self._shared = shared
        self._entries: dict[int, dict[date, bool]] = (
            g.setdefault(_REQUEST_CACHE, {}) if has_request_context() else {}
        )

    def _admin(self, year: int) -> dict[date, bool]:
        if year in self._entries:
            return self._entries[year]
        if self._shared:
            kept = _SHARED.get(year)
            if kept is not None and time.monotonic() - kept[0] < SHARED_SECONDS:
                return kept[1]
        rows = db.session.execute(
            select(CalendarDay.day, CalendarDay.is_working_day).where(
                CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
            )
        )
        entries = {day: working for day, working in rows}
        self._entries[year] = entries
        if self._shared:
            _SHARED[year] = (time.monotonic(), entries)
        return entries

    def decide(self, day: date) -> tuple[bool, Source]:
        """Whether ``day`` is a working day, and which source said so."""
        entries = self._admin(day.year)
        if day in entries:
            return entries[day], ADMIN
        known = _package_is_working_day(day)
        if known is not None:
            return known, PACKAGE
        # A year the administrators entered counts as known: they enter a year at once.
        return day.weekday() < 5, ADMIN if entries else WEEKENDS


def is_working_day(day: date) -> bool:
    """Whether ``day`` (a local day) is a working day."""
    return _Calendar().decide(day)[0]


def day_source(day: date) -> Source:
    """Which source decides ``day``: ``"admin"``, ``"package"`` or ``"weekends"`` (unknown)."""
    return _Calendar().decide(day)[1]


# --- counting -----------------------------------------------------------------------------


def add_working_days(start: datetime, days: int, *, shared: bool = False) -> Deadline:
    """The deadline ``days`` working days after the aware ``start``.

    Counting starts on the working day after ``start``'s local day, so a case opened on a
    Friday evening with 5 days is due at 24:00 of the next Friday (no holiday between).
    ``days`` 0 is the end of ``start``'s own day. ``shared`` reads the administrators' entries
    through the process's cache (the rating form's hot path). Raises ``ValueError`` for a
    naive ``start`` or negative ``days``.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = _Calendar(shared)
    day = local_date(start)
    counted, uncovered = 0, set()
    for _ in range(MAX_SCAN_DAYS):
        if counted == days:
            break
        day += timedelta(days=1)
        working, source = calendar.decide(day)
        if source == WEEKENDS:
            uncovered.add(day.year)
        counted += working
    else:
        raise ValueError(f"no {days} working days within {MAX_SCAN_DAYS} days of {start}")
    return Deadline(
        due_at=end_of_local_day(day),
        working_days=days,
        estimated=bool(uncovered),
        uncovered_years=tuple(sorted(uncovered)),
    )


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days after ``start``'s local day up to and including ``end``'s.

    Negative when ``end`` comes first (``-working_days_between(end, start)``), so it also
    says by how many working days something is late.
    """
    first, last = local_date(start), local_date(end)
    if last < first:
        return -working_days_between(end, start)
    calendar = _Calendar()
    return sum(
        calendar.decide(first + timedelta(days=n))[0] for n in range(1, (last - first).days + 1)
    )


def working_days_in(first: date, last: date) -> dict[date, bool]:
    """Whether each local day from ``first`` to ``last`` (both included) is a working day,
    reading the administrator entries once a year instead of once a day."""
    calendar = _Calendar()
    return {first + timedelta(days=n): calendar.decide(first + timedelta(days=n))[0]
            for n in range((last - first).days + 1)}


def working_days_left(due_at: datetime, now: datetime) -> int | None:
    """Working days after today up to the last day before ``due_at``; None once overdue.

    0 means today is the last day.
    """
    if now >= due_at:
        return None
    return working_days_between(now, due_at - timedelta(microseconds=1))
