"""Writes: administrators' calendar entries and org units' deadline policies.

Services flush; the request commits. Every change is written to the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from feedback import clock
from feedback.audit.services import record
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.workdays.calendar import forget_admin_days
from feedback.workdays.models import (
    MAX_WORKING_DAYS,
    MIN_WORKING_DAYS,
    CalendarDay,
    DeadlineKind,
    DeadlinePolicy,
)
from feedback.workdays.queries import (
    FIRST_YEAR,
    LAST_YEAR,
    forget_policies,
    get_policy,
    list_entries,
)

if TYPE_CHECKING:
    from feedback.accounts.models import User
    from feedback.orgs.models import OrgUnit

# The last word of a line: a day off or a working day. English for the English interface.
KIND_WORDS = {"休": False, "班": True, "off": False, "work": True}
NAME_MAX = 60
RANGE_MAX_DAYS = 31  # no holiday is longer; a longer range is a typo
LINES_MAX = 1000
ERRORS_SHOWN = 30

DATE_RE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
RANGE_SEPARATORS = re.compile(r"\.\.|~|～")


class CalendarInputError(ServiceError):
    """The pasted lines hold mistakes; ``errors`` names each with its line number."""

    def __init__(self, errors: list[str]) -> None:
        shown = errors[:ERRORS_SHOWN]
        if len(errors) > len(shown):
            shown.append(_("… and %(n)d more.", n=len(errors) - len(shown)))
        super().__init__(" ".join(shown), "lines")
        self.errors = shown


@dataclass(frozen=True)
class CalendarLine:
    """One day of a parsed line (a range gives one per day)."""

    line_no: int
    day: date
    is_working_day: bool
    name: str

    def describe(self) -> str:
        return describe_day(self.day, self.name, self.is_working_day)


def describe_day(day: date, name: str, is_working_day: bool) -> str:
    """A day as one writes it in the form: ``2027-01-01 元旦 休``."""
    return " ".join(part for part in (day.isoformat(), name, "班" if is_working_day else "休")
                    if part)


def parse_calendar_lines(text: str) -> list[CalendarLine]:
    """Parse lines such as ``2027-01-01 元旦 休``, ``2027-02-07 春节调休 班`` and
    ``2027-02-11..2027-02-17 春节 休`` (the name may be left out; ``#`` starts a comment).

    All or nothing: raises ``CalendarInputError`` listing every faulty line by number.
    """
    errors: list[str] = []
    parsed: list[CalendarLine] = []
    seen: dict[date, int] = {}
    lines = text.splitlines()
    if len(lines) > LINES_MAX:
        raise CalendarInputError([_("Enter at most %(n)d lines at once.", n=LINES_MAX)])
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            days, name, working = _parse_line(line)
        except ServiceError as exc:
            errors.append(_("Line %(n)d: %(error)s", n=line_no, error=exc.message))
            continue
        for day in days:
            if day in seen:
                errors.append(_("Line %(n)d: %(day)s is already given on line %(first)d.",
                                n=line_no, day=day.isoformat(), first=seen[day]))
                continue
            seen[day] = line_no
            parsed.append(CalendarLine(line_no, day, working, name))
    if errors:
        raise CalendarInputError(errors)
    if not parsed:
        raise CalendarInputError([_("Please enter at least one day.")])
    return parsed


def _parse_line(line: str) -> tuple[list[date], str, bool]:
    parts = line.split()
    if len(parts) < 2:
        raise ServiceError(_("write a date or a range, a name, and 休 or 班."))
    kind = parts[-1].lower()
    if kind not in KIND_WORDS:
        raise ServiceError(
            _("the line must end with 休 (day off) or 班 (working day), not %(word)s.",
              word=parts[-1]))
    name = " ".join(parts[1:-1])
    if len(name) > NAME_MAX:
        raise ServiceError(_("the name is longer than %(n)d characters.", n=NAME_MAX))
    bounds = RANGE_SEPARATORS.split(parts[0])
    if len(bounds) > 2:
        raise ServiceError(_("%(text)s is not a date or a range of dates.", text=parts[0]))
    first, last = (_parse_date(b) for b in (bounds[0], bounds[-1]))
    if last < first:
        raise ServiceError(_("the range ends before it starts."))
    if (last - first).days >= RANGE_MAX_DAYS:
        raise ServiceError(_("a range covers at most %(n)d days.", n=RANGE_MAX_DAYS))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return days, name, KIND_WORDS[kind]


def _parse_date(text: str) -> date:
    match = DATE_RE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        day = date(*(int(group) for group in match.groups()))
    except ValueError:
        raise ServiceError(
            _("%(text)s is not a date (write it as 2027-01-01).", text=text)) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ServiceError(_("%(year)d is not a year the calendar plans for.", year=day.year))
    return day


@dataclass(frozen=True)
class EnterResult:
    added: list[CalendarDay]
    unchanged: int


def enter_calendar_days(actor: User | None, text: str) -> EnterResult:
    """Add the days of the pasted ``text`` (see ``parse_calendar_lines``) as entries.

    All or nothing: raises ``CalendarInputError`` for any faulty line, and for a day that
    already has a different entry (remove that one first). A line repeating an existing entry
    exactly is left as it is. Audited as ``calendar.enter``, one entry per year.
    """
    lines = parse_calendar_lines(text)
    years = sorted({line.day.year for line in lines})
    existing = {entry.day: entry for year in years for entry in list_entries(year)}
    errors, new, unchanged = [], [], 0
    for line in lines:
        entry = existing.get(line.day)
        if entry is None:
            new.append(line)
        elif entry.is_working_day == line.is_working_day and entry.name == line.name:
            unchanged += 1
        else:
            errors.append(_(
                "Line %(n)d: there is already an entry “%(entry)s”; remove it first.",
                n=line.line_no, entry=describe_day(entry.day, entry.name, entry.is_working_day)))
    if errors:
        raise CalendarInputError(errors)
    added = [CalendarDay(day=line.day, is_working_day=line.is_working_day, name=line.name,
                         entered_by=actor) for line in new]
    db.session.add_all(added)
    db.session.flush()
    forget_admin_days()
    for year in sorted({line.day.year for line in new}):
        record(actor, "calendar.enter", None,
               {"entries": [line.describe() for line in new if line.day.year == year]},
               object_type="calendar_year", object_id=year)
    return EnterResult(added, unchanged)


def remove_calendar_day(actor: User | None, entry: CalendarDay) -> None:
    """Remove an administrator's entry: the day goes back to the package (or weekends).
    Audited as ``calendar.remove``."""
    record(actor, "calendar.remove", None,
           {"day": entry.day.isoformat(), "name": entry.name,
            "is_working_day": entry.is_working_day},
           object_type="calendar_year", object_id=entry.day.year)
    db.session.delete(entry)
    db.session.flush()
    forget_admin_days()


def clear_calendar_year(actor: User | None, year: int) -> int:
    """Remove every administrator entry of ``year``; return how many. Audited as
    ``calendar.clear`` with the removed entries (nothing is audited when there were none)."""
    entries = list_entries(year)
    if not entries:
        return 0
    record(actor, "calendar.clear", None,
           {"entries": [describe_day(e.day, e.name, e.is_working_day) for e in entries]},
           object_type="calendar_year", object_id=year)
    for entry in entries:
        db.session.delete(entry)
    db.session.flush()
    forget_admin_days()
    return len(entries)


def set_deadline_policy(actor: User | None, unit: OrgUnit, kind: DeadlineKind,
                        working_days: int | None) -> bool:
    """Set ``unit``'s own number of working days for ``kind`` deadlines, for it and the units
    below it that set none; ``None`` removes it (the parent's or the default applies again).

    Returns whether anything changed. Raises ``ServiceError`` (on the field named after the
    kind) for a number outside 1–60. Audited as ``deadline_policy.set`` or
    ``deadline_policy.clear`` on the unit.
    """
    policy = get_policy(unit, kind)
    old = policy.working_days if policy is not None else None
    if working_days == old:
        return False
    if working_days is None:
        assert policy is not None
        db.session.delete(policy)
        action = "deadline_policy.clear"
    else:
        if not MIN_WORKING_DAYS <= working_days <= MAX_WORKING_DAYS:
            raise ServiceError(
                _("A deadline is between %(low)d and %(high)d working days.",
                  low=MIN_WORKING_DAYS, high=MAX_WORKING_DAYS), kind.value)
        if policy is None:
            policy = DeadlinePolicy(org_unit=unit, kind=kind, working_days=working_days)
            db.session.add(policy)
        policy.working_days = working_days
        policy.updated_by = actor
        policy.updated_at = clock.now()
        action = "deadline_policy.set"
    db.session.flush()
    forget_policies()
    record(actor, action, unit, {"kind": kind.value, "working_days": [old, working_days]})
    return True
