"""Reads on alerts and alert rules, always within what the user may see; the numbers the
detection needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from feedback.accounts.models import Role, User
from feedback.alerts.models import Alert, AlertRule, AlertStatus
from feedback.alerts.rules import DEFAULT_RULES, AlertKind, RuleSet, effective_rules
from feedback.evaluations.models import Evaluation
from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.permissions import visible_windows_filter
from feedback.stats.models import WindowDayStats
from feedback.windows.models import Window
from surveys import BAD_LEVELS

# --- alerts ---------------------------------------------------------------------------------


def get_alert(alert_id: int) -> Alert | None:
    return db.session.get(Alert, alert_id)


def alerts_query(
    user: User,
    *,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    unit: OrgUnit | None = None,
    window: Window | None = None,
) -> Select:
    """Alerts on the windows ``user`` may see, newest first, optionally narrowed."""
    query = (
        select(Alert)
        .join(Alert.window)
        .join(Window.org_unit)
        .where(visible_windows_filter(user))
        .options(joinedload(Alert.window).joinedload(Window.org_unit))
        .order_by(Alert.detected_at.desc(), Alert.id.desc())
    )
    if status is not None:
        query = query.where(Alert.status == status)
    if kind is not None:
        query = query.where(Alert.kind == kind)
    if unit is not None:
        query = query.where(OrgUnit.in_subtree(unit))
    if window is not None:
        query = query.where(Alert.window_id == window.id)
    return query


def open_alerts(user: User, unit: OrgUnit | None = None, limit: int = 20) -> list[Alert]:
    """The newest open alerts ``user`` may see (in ``unit``'s subtree when given).

    For the subtree dashboard; each alert comes with its window and org unit loaded.
    """
    query = alerts_query(user, status=AlertStatus.OPEN, unit=unit).limit(limit)
    return list(db.session.scalars(query))


def count_open_alerts(user: User, unit: OrgUnit | None = None) -> int:
    query = alerts_query(user, status=AlertStatus.OPEN, unit=unit).order_by(None)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


# --- rules ----------------------------------------------------------------------------------


def get_rule(unit: OrgUnit) -> AlertRule | None:
    return db.session.scalar(select(AlertRule).where(AlertRule.org_unit_id == unit.id))


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def rules_chain(unit: OrgUnit) -> list[tuple[OrgUnit, AlertRule | None]]:
    """The unit's ancestors and the unit itself, root first, each with its settings row."""
    ids = _path_ids(unit.path)
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    rows = {r.org_unit_id: r for r in db.session.scalars(
        select(AlertRule).where(AlertRule.org_unit_id.in_(ids)))}
    return [(units[i], rows.get(i)) for i in ids if i in units]


def rules_for(unit: OrgUnit, base: RuleSet = DEFAULT_RULES) -> RuleSet:
    """The rules that apply at ``unit`` (and to the windows of a hall)."""
    return effective_rules((row.settings() for _u, row in rules_chain(unit) if row), base)


def inherited_rules(unit: OrgUnit, base: RuleSet = DEFAULT_RULES) -> RuleSet:
    """What ``unit`` would have without settings of its own: its parent's rules."""
    chain = rules_chain(unit)[:-1]
    return effective_rules((row.settings() for _u, row in chain if row), base)


def units_with_rules() -> dict[int, AlertRule]:
    """``{org_unit_id: row}`` of every settings row (the rules page marks those units)."""
    return {r.org_unit_id: r for r in db.session.scalars(select(AlertRule))}


class RuleBook:
    """Effective rules of many units from one read of every settings row (for the sweep)."""

    def __init__(self, base: RuleSet = DEFAULT_RULES) -> None:
        self.base = base
        rows = db.session.scalars(select(AlertRule))
        self._settings = {r.org_unit_id: r.settings() for r in rows}
        self._cache: dict[str, RuleSet] = {}

    def for_path(self, path: str) -> RuleSet:
        rules = self._cache.get(path)
        if rules is None:
            chain = (self._settings[i] for i in _path_ids(path) if i in self._settings)
            rules = self._cache[path] = effective_rules(chain, self.base)
        return rules


def nearest_supervisors(unit: OrgUnit) -> list[User]:
    """The active supervisors of the nearest unit at or above ``unit`` that has any."""
    ids = _path_ids(unit.path)
    users = list(db.session.scalars(
        select(User).join(User.org_unit)
        .where(User.role == Role.SUPERVISOR, User.active.is_(True), User.org_unit_id.in_(ids))
        .order_by(OrgUnit.depth.desc(), User.id)))
    nearest = users[0].org_unit_id if users else None
    return [u for u in users if u.org_unit_id == nearest]


# --- what the detection reads ---------------------------------------------------------------


class WindowRef(NamedTuple):
    id: int
    code: str
    name: str
    path: str
    created_at: datetime


def active_windows() -> list[WindowRef]:
    """Every active window of an active hall, with its unit's path (for the rules)."""
    rows = db.session.execute(
        select(Window.id, Window.code, Window.name, OrgUnit.path, Window.created_at)
        .join(Window.org_unit)
        .where(Window.active.is_(True), OrgUnit.active.is_(True))
        .order_by(Window.id)
    )
    return [WindowRef(*row) for row in rows]


def bad_review_times(window_ids: Collection[int], since: datetime,
                     until: datetime) -> dict[int, list[tuple[datetime, int]]]:
    """``{window_id: [(created_at, evaluation id), …]}`` of counted bad reviews in
    ``[since, until]``, oldest first."""
    found: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    if not window_ids:
        return found
    rows = db.session.execute(
        select(Evaluation.window_id, Evaluation.created_at, Evaluation.id)
        .where(Evaluation.window_id.in_(window_ids), Evaluation.counted,
               Evaluation.level.in_([int(level) for level in BAD_LEVELS]),
               Evaluation.created_at >= since, Evaluation.created_at <= until)
        .order_by(Evaluation.created_at)
    )
    for window_id, created_at, evaluation_id in rows:
        found[window_id].append((created_at, evaluation_id))
    return found


class DayLevels(NamedTuple):
    """Counted ratings of one window on one day: total, bad reviews, and per level 1..5."""

    n: int
    bad: int
    levels: tuple[int, int, int, int, int]  # levels 1, 2, 3, 4, 5


def daily_levels(window_ids: Collection[int], start: date,
                 end: date) -> dict[int, dict[date, DayLevels]]:
    """``{window_id: {day: DayLevels}}`` of counted ratings on local days ``start``..``end``,
    days without ratings left out.

    Reads the rollups that ``feedback.stats.queries.daily_counts`` reads, but keeps only the
    days with ratings, as plain tuples: the sweep reads two months of every window (1,000
    windows: 60,000 window-days) every few minutes.
    """
    found: dict[int, dict[date, DayLevels]] = defaultdict(dict)
    if not window_ids or start > end:
        return found
    s = WindowDayStats.__table__.c
    # Core, not the ORM: tens of thousands of plain rows, no objects wanted.
    rows = db.session.connection().execute(
        select(s.window_id, s.day, s.n1, s.n2, s.n3, s.n4, s.n5)
        .where(s.day >= start, s.day <= end, s.n1 + s.n2 + s.n3 + s.n4 + s.n5 > 0)
    )
    wanted = set(window_ids)
    for window_id, day, n1, n2, n3, n4, n5 in rows:
        if window_id in wanted:
            found[window_id][day] = DayLevels(n1 + n2 + n3 + n4 + n5, n1 + n2,
                                              (n1, n2, n3, n4, n5))
    return found


def existing_periods(window_ids: Iterable[int],
                     since: date) -> dict[tuple[int, AlertKind], list[tuple[date, date]]]:
    """``{(window_id, kind): [(start, end), …]}`` of alerts ending on or after ``since``."""
    found: dict[tuple[int, AlertKind], list[tuple[date, date]]] = defaultdict(list)
    ids = list(window_ids)
    if not ids:
        return found
    rows = db.session.execute(
        select(Alert.window_id, Alert.kind, Alert.period_start, Alert.period_end)
        .where(Alert.window_id.in_(ids), Alert.period_end >= since)
    )
    for window_id, kind, start, end in rows:
        found[(window_id, AlertKind(kind))].append((start, end))
    return found


def alert_markers(window_ids: Collection[int], start: date,
                  end: date) -> list[tuple[date, str]]:
    """Markers for a trend chart of ``window_ids``: the local days alerts on those windows
    were raised within ``start``..``end`` (dismissed ones too: they were raised), labelled
    with the alert's kind in the current language, in date order."""
    from flask_babel import gettext as _

    from feedback.alerts.texts import kind_label
    from feedback.clock import end_of_local_day, local_date, start_of_local_day

    ids = sorted({int(i) for i in window_ids})
    if not ids or end < start:
        return []
    rows = db.session.execute(
        select(Alert.detected_at, Alert.kind)
        .where(Alert.window_id.in_(ids),
               Alert.detected_at >= start_of_local_day(start),
               Alert.detected_at < end_of_local_day(end))
        .order_by(Alert.detected_at))
    return [(local_date(at), _("Alert: %(kind)s", kind=kind_label(kind))) for at, kind in rows]
