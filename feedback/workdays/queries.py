"""Reads: deadlines per org unit, the calendar's coverage per year, the entries of a year."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

import chinese_calendar
from flask import current_app
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.workdays.calendar import (
    ADMIN,
    PACKAGE,
    SHARED_SECONDS,
    WEEKENDS,
    Deadline,
    DeadlineKind,
    Source,
    add_working_days,
    package_covers,
)
from feedback.workdays.models import CalendarDay, DeadlinePolicy

# The setting that holds each kind's default, in working days.
DEFAULT_SETTINGS = {
    DeadlineKind.CASE_ANSWER: "CASE_ANSWER_WORKING_DAYS",
    DeadlineKind.NOTICE: "NOTICE_WORKING_DAYS",
}

# The first and last year the calendar pages accept: anything else is not a year one plans.
FIRST_YEAR, LAST_YEAR = 1950, 2100


# --- deadlines per org unit ---------------------------------------------------------------


def default_days(kind: DeadlineKind) -> int:
    return int(current_app.config[DEFAULT_SETTINGS[kind]])


class EffectivePolicy(NamedTuple):
    """The working days that apply at a unit, and the unit whose policy set them (None:
    the configured default)."""

    working_days: int
    source: OrgUnit | None


def effective_policy(unit: OrgUnit | None, kind: DeadlineKind) -> EffectivePolicy:
    """The policy of ``unit`` or its nearest ancestor that has one, else the default."""
    if unit is None:
        return EffectivePolicy(default_days(kind), None)
    row = db.session.execute(
        select(DeadlinePolicy.working_days, OrgUnit)
        .join(OrgUnit, DeadlinePolicy.org_unit_id == OrgUnit.id)
        .where(DeadlinePolicy.org_unit_id.in_([*unit.ancestor_ids, unit.id]),
               DeadlinePolicy.kind == kind)
        .order_by(OrgUnit.depth.desc())
        .limit(1)
    ).first()
    if row is None:
        return EffectivePolicy(default_days(kind), None)
    return EffectivePolicy(row[0], row[1])


def deadline_days(unit: OrgUnit | None, kind: DeadlineKind) -> int:
    """Working days for a ``kind`` deadline at ``unit``: the nearest ancestor's policy (the
    unit's own first), else ``CASE_ANSWER_WORKING_DAYS`` / ``NOTICE_WORKING_DAYS``."""
    return effective_policy(unit, kind).working_days


def deadline_for(unit: OrgUnit | None, kind: DeadlineKind, start: datetime) -> Deadline:
    """The ``kind`` deadline of something at ``unit`` that started at ``start``."""
    return add_working_days(start, deadline_days(unit, kind))


# The rating form's hot path reads every policy (they are few) at most once every
# ``SHARED_SECONDS`` per process, like the calendar's entries (``feedback.workdays.calendar``).
_SHARED_POLICIES: list = []  # [(read at, {(unit id, kind): working days})]


def forget_policies() -> None:
    """Drop this process's copy of the policies: ``set_deadline_policy`` calls it."""
    _SHARED_POLICIES.clear()


def _shared_policies() -> dict[tuple[int, DeadlineKind], int]:
    if _SHARED_POLICIES and time.monotonic() - _SHARED_POLICIES[0][0] < SHARED_SECONDS:
        return _SHARED_POLICIES[0][1]
    policies = {(unit_id, kind): days for unit_id, kind, days in db.session.execute(
        select(DeadlinePolicy.org_unit_id, DeadlinePolicy.kind, DeadlinePolicy.working_days))}
    _SHARED_POLICIES[:] = [(time.monotonic(), policies)]
    return policies


def deadline_at_path(unit_path: str, kind: DeadlineKind, start: datetime) -> Deadline:
    """``deadline_for`` the unit whose materialised path is ``unit_path``, for the rating
    form's hot path: policies and calendar come from the process's copies (read at most once
    every ``SHARED_SECONDS``), so a rating asks the database nothing for its deadline."""
    policies = _shared_policies()
    days = default_days(kind)
    for unit_id in reversed([int(part) for part in unit_path.strip("/").split("/") if part]):
        if (unit_id, kind) in policies:
            days = policies[(unit_id, kind)]
            break
    return add_working_days(start, days, shared=True)


def get_policy(unit: OrgUnit, kind: DeadlineKind) -> DeadlinePolicy | None:
    """The unit's own policy for ``kind`` (not an inherited one)."""
    return db.session.scalar(
        select(DeadlinePolicy).where(DeadlinePolicy.org_unit_id == unit.id,
                                     DeadlinePolicy.kind == kind)
    )


@dataclass
class PolicyRow:
    """A line of the policies page: a unit with what applies there for each kind."""

    unit: OrgUnit
    effective: dict[DeadlineKind, EffectivePolicy]
    own: dict[DeadlineKind, int]


def list_policy_rows(units: list[OrgUnit]) -> list[PolicyRow]:
    """What applies at each of ``units`` (in their order), from one query over all policies.

    Policies are few (a unit sets one rarely), so they are read whole and inherited in Python.
    """
    by_unit: dict[int, dict[DeadlineKind, int]] = {}
    for unit_id, kind, days in db.session.execute(
        select(DeadlinePolicy.org_unit_id, DeadlinePolicy.kind, DeadlinePolicy.working_days)
    ):
        by_unit.setdefault(unit_id, {})[kind] = days
    known = {unit.id: unit for unit in units}
    missing = {
        ancestor for unit in units for ancestor in unit.ancestor_ids
        if ancestor in by_unit and ancestor not in known
    }
    if missing:
        known.update({u.id: u for u in db.session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_(missing)))})
    rows = []
    for unit in units:
        effective = {}
        for kind in DeadlineKind:
            found = EffectivePolicy(default_days(kind), None)
            for unit_id in reversed([*unit.ancestor_ids, unit.id]):
                if kind in by_unit.get(unit_id, {}):
                    found = EffectivePolicy(by_unit[unit_id][kind], known[unit_id])
                    break
            effective[kind] = found
        rows.append(PolicyRow(unit, effective, by_unit.get(unit.id, {})))
    return rows


# --- the calendar -------------------------------------------------------------------------


class YearCoverage(NamedTuple):
    """What Manyi knows about a year's holidays."""

    year: int
    source: Source  # admin, package (possibly with admin corrections) or weekends
    package: bool
    admin_days_off: int
    admin_working_days: int

    @property
    def admin_entries(self) -> int:
        return self.admin_days_off + self.admin_working_days


def year_coverage(years: list[int]) -> list[YearCoverage]:
    """Coverage of each of ``years``, with the counts of administrator entries."""
    if not years:
        return []
    year_of = func.extract("year", CalendarDay.day)
    counts: dict[tuple[int, bool], int] = {
        (int(year), bool(working)): n
        for year, working, n in db.session.execute(
            select(year_of, CalendarDay.is_working_day, func.count())
            .where(CalendarDay.day >= date(min(years), 1, 1),
                   CalendarDay.day <= date(max(years), 12, 31))
            .group_by(year_of, CalendarDay.is_working_day)
        )
    }
    result = []
    for year in years:
        off, working = counts.get((year, False), 0), counts.get((year, True), 0)
        package = package_covers(year)
        source = PACKAGE if package else ADMIN if off + working else WEEKENDS
        result.append(YearCoverage(year, source, package, off, working))
    return result


def calendar_years(today: date) -> list[int]:
    """The years the calendar page lists: last year to two years ahead, and every year that
    has administrator entries."""
    year_of = func.extract("year", CalendarDay.day)
    entered = {int(y) for y in db.session.scalars(select(year_of).distinct())}
    return sorted(entered | set(range(today.year - 1, today.year + 3)))


def list_entries(year: int) -> list[CalendarDay]:
    return list(db.session.scalars(
        select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    ))


def get_entry(day: date) -> CalendarDay | None:
    return db.session.get(CalendarDay, day)


class PackageDay(NamedTuple):
    """A day the package names: a holiday on a weekday, or a make-up working day (调休)."""

    day: date
    is_working_day: bool
    name: str


def package_arrangement(year: int) -> list[PackageDay]:
    """The package's holidays and make-up working days of ``year`` (empty when it does not
    know the year), with Chinese names."""
    if not package_covers(year):
        return []
    chinese = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
    result = []
    day = date(year, 1, 1)
    while day.year == year:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        if name is not None:
            result.append(PackageDay(day, not is_holiday, chinese.get(name, name)))
        day += timedelta(days=1)
    return result
