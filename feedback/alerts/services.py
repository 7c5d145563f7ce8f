"""Raising, dismissing and escalating alerts; saving alert rules.

Services flush, never commit: the sweep or the request commits once. Every change is
written to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from feedback import clock
from feedback.alerts.models import Alert, AlertRule, AlertStatus, IllegalTransition
from feedback.alerts.queries import (
    DayLevels,
    RuleBook,
    WindowRef,
    active_windows,
    bad_review_times,
    daily_levels,
    existing_periods,
    get_rule,
    inherited_rules,
    nearest_supervisors,
)
from feedback.alerts.rules import (
    RULE_BOUNDS,
    RULE_FIELDS,
    AlertKind,
    Day,
    Finding,
    PeriodUnit,
    Point,
    RuleSet,
    detect_burst,
    detect_cusum,
    detect_low_index,
    detect_p_chart,
    detect_silence,
    overlaps,
    week_start,
)
from feedback.alerts.texts import KIND_LABELS, describe, requirement
from feedback.audit.services import apply_changes, record
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.notices.effect import relapses
from feedback.notices.models import Notice
from feedback.notices.services import draft_follow_up, draft_notice
from feedback.notifications.services import notify
from feedback.orgs.models import OrgUnit
from feedback.stats.queries import window_summary
from feedback.windows.models import Window
from feedback.workdays.calendar import is_working_day

if TYPE_CHECKING:
    from feedback.accounts.models import User

REASON_MAX = 1000
# A burst is looked for in at least the last day, so a sweep that did not run for a few hours
# still finds it.
BURST_LOOKBACK = timedelta(hours=24)
# Days of history before a silence that the detection reads beyond the baseline: a window
# silent for longer has had its alert already.
SILENCE_SLACK_DAYS = 14
# Bad reviews linked from a burst alert's evidence, at most.
MAX_LINKED_EVALUATIONS = 50


# --- detection ------------------------------------------------------------------------------


class _Calendar:
    """The days one detection reads, from ``first`` to today, and which are working days."""

    def __init__(self, first: date, today: date) -> None:
        self.first = first
        self.dates = [first + timedelta(days=i) for i in range((today - first).days + 1)]
        self.working = [is_working_day(day) for day in self.dates]

    def index(self, day: date) -> int:
        i = (day - self.first).days
        if not 0 <= i < len(self.dates):
            raise ValueError(f"{day} is outside the days read")
        return i


class _Series:
    """One window's daily counts on the calendar's days, as the detectors want them."""

    def __init__(self, calendar: _Calendar, by_day: Mapping[date, DayLevels]) -> None:
        self.calendar = calendar
        self.by_day = by_day
        size = len(calendar.dates)
        self.n, self.bad = [0] * size, [0] * size
        for day, counts in by_day.items():
            i = (day - calendar.first).days
            if 0 <= i < size:
                self.n[i], self.bad[i] = counts.n, counts.bad

    def point(self, day: date) -> Point:
        i = self.calendar.index(day)
        return Point(self.n[i], self.bad[i])

    def days(self, start: date, end: date, open_days: bool) -> list[Day]:
        c = self.calendar
        return [Day(c.dates[i], self.n[i], self.bad[i], c.working[i] if open_days else True)
                for i in range(c.index(start), c.index(end) + 1)]

    def points(self, start: date, end: date) -> list[Point]:
        first, last = self.calendar.index(start), self.calendar.index(end)
        return [Point(n, bad) for n, bad in zip(self.n[first:last + 1],
                                                self.bad[first:last + 1], strict=True)]

    def levels(self, start: date, end: date) -> dict[int, int]:
        total = [0, 0, 0, 0, 0]
        for day, counts in self.by_day.items():
            if start <= day <= end:
                for i, count in enumerate(counts.levels):
                    total[i] += count
        return {level: total[level - 1] for level in (1, 2, 3, 4, 5)}


def _days_needed(rules: RuleSet) -> int:
    """How many days back (before today) the daily detectors of ``rules`` read."""
    needed = 0
    if rules.low_index_enabled:
        needed = max(needed, rules.low_index_days)
    if rules.pchart_enabled:
        per = 7 if rules.pchart_period == PeriodUnit.WEEK else 1
        needed = max(needed, (rules.pchart_history + 1) * per)
    if rules.cusum_enabled:
        needed = max(needed, rules.cusum_days + rules.cusum_history_days)
    if rules.silence_enabled:
        needed = max(needed, rules.silence_baseline_days + SILENCE_SLACK_DAYS)
    return needed


def daily_findings(rules: RuleSet, series: _Series, today: date) -> list[Finding]:
    """What the day-based detectors find in one window's series, as of ``today``."""
    findings: list[Finding | None] = []
    yesterday = today - timedelta(days=1)
    if rules.low_index_enabled:
        start = today - timedelta(days=rules.low_index_days - 1)
        findings.append(detect_low_index(
            series.levels(start, today), threshold=rules.low_index_threshold,
            min_ratings=rules.low_index_min_ratings, start=start, end=today))
    if rules.pchart_enabled:
        findings.append(_p_chart(rules, series, today))
    if rules.cusum_enabled:
        first = today - timedelta(days=rules.cusum_days)
        findings.append(detect_cusum(
            series.points(first - timedelta(days=rules.cusum_history_days), first
                          - timedelta(days=1)),
            series.days(first, yesterday, False),
            k=rules.cusum_k, h=rules.cusum_h, min_history=rules.cusum_min_history))
    if rules.silence_enabled:
        start = today - timedelta(days=rules.silence_baseline_days + SILENCE_SLACK_DAYS)
        findings.append(detect_silence(
            series.days(start, yesterday, rules.silence_working_days),
            silent_days=rules.silence_days, min_median=rules.silence_min_median,
            baseline_days=rules.silence_baseline_days))
    return [f for f in findings if f is not None]


def _p_chart(rules: RuleSet, series: _Series, today: date) -> Finding | None:
    common = {"sigmas": rules.pchart_sigmas, "min_history": rules.pchart_min_history,
              "min_count": rules.pchart_min_count}
    if rules.pchart_period == PeriodUnit.DAY:
        history = series.points(today - timedelta(days=rules.pchart_history),
                                today - timedelta(days=1))
        return detect_p_chart(history, series.point(today), start=today, end=today,
                              unit=PeriodUnit.DAY, **common)
    monday = week_start(today)
    weeks = []
    for back in range(rules.pchart_history, 0, -1):
        first = monday - timedelta(weeks=back)
        points = series.points(first, first + timedelta(days=6))
        weeks.append(Point(sum(p.n for p in points), sum(p.bad for p in points)))
    current = series.points(monday, today)
    return detect_p_chart(
        weeks, Point(sum(p.n for p in current), sum(p.bad for p in current)),
        start=monday, end=monday + timedelta(days=6), unit=PeriodUnit.WEEK, **common)


def detect_alerts(now: datetime | None = None, *, base: RuleSet | None = None) -> list[Alert]:
    """Run every enabled detector on every active window and store what is new.

    Idempotent: a finding whose period overlaps an earlier alert of the same window and kind
    (open, dismissed or turned into a notice) is not stored again. Each new alert is audited
    as ``alert.raise`` (by the system) and its window's supervisors are notified. Returns the
    new alerts. For the sweep (``manyi sweep``); flushes, the caller commits.
    """
    now = now or clock.now()
    tz = clock.local_zone()
    today = now.astimezone(tz).date()
    book = RuleBook(base or RuleSet())
    windows = active_windows()
    rules_of = {w.id: book.for_path(w.path) for w in windows}

    findings: list[tuple[WindowRef, Finding]] = []
    bursting = [w for w in windows if rules_of[w.id].burst_enabled]
    if bursting:
        hours = max(rules_of[w.id].burst_hours for w in bursting)
        since = now - max(BURST_LOOKBACK, timedelta(hours=hours))
        times = bad_review_times([w.id for w in bursting], since, now)
        for window in bursting:
            rules = rules_of[window.id]
            reviews = times.get(window.id, [])
            found = detect_burst([t for t, _id in reviews], count=rules.burst_count,
                                 hours=rules.burst_hours, tz=tz)
            if found is not None:
                first, last = (datetime.fromisoformat(found.evidence[k])
                               for k in ("first_at", "last_at"))
                ids = [i for t, i in reviews if first <= t <= last]
                found.evidence["evaluations"] = ids[-MAX_LINKED_EVALUATIONS:]
                findings.append((window, found))

    needed = {w.id: _days_needed(rules_of[w.id]) for w in windows}
    daily = [w for w in windows if needed[w.id]]
    if daily:
        calendar = _Calendar(today - timedelta(days=max(needed.values())), today)
        counts = daily_levels([w.id for w in daily], calendar.first, today)
        for window in daily:
            if not counts.get(window.id):
                continue  # no rating in two months: nothing any daily rule could find
            series = _Series(calendar, counts[window.id])
            findings.extend((window, f) for f in daily_findings(rules_of[window.id], series,
                                                                today))
    findings.extend(_relapse_findings(now, today, book))
    return _store(findings, now)


def _relapse_findings(now: datetime, today: date,
                      book: RuleBook) -> list[tuple[WindowRef, Finding]]:
    """Closed notices whose windows fell back below their unit's index threshold.

    ``relapses`` pools a notice's windows; an alert is about one window, so a notice to a
    whole unit raises an alert on each of its windows that is itself below the threshold.
    """
    def threshold(notice: Notice) -> float:
        return book.for_path((notice.window.org_unit if notice.window else notice.org_unit)
                             .path).low_index_threshold

    found = []
    for relapse in relapses(now, threshold_for=threshold):
        summary, notice = relapse.summary, relapse.notice
        windows = {w.id: w for w in db.session.scalars(
            select(Window).where(Window.id.in_(relapse.window_ids), Window.active.is_(True)))}
        for window_id in relapse.window_ids:
            window = windows.get(window_id)
            if window is None:
                continue
            own = summary if len(relapse.window_ids) == 1 else window_summary(
                [window_id], summary.start, summary.end)
            if own.n == 0 or own.index is None or own.index >= relapse.threshold:
                continue
            ref = WindowRef(window.id, window.code, window.name, window.org_unit.path,
                            window.created_at)
            found.append((ref, Finding(
                AlertKind.RELAPSE, summary.start, summary.end,
                {"notice_id": notice.id, "notice_number": notice.number,
                 "closed_at": notice.closed_at.isoformat() if notice.closed_at else None,
                 "index": round(own.index, 2), "threshold": relapse.threshold, "n": own.n,
                 "bad": own.counts.bad,
                 "counts": {str(level): own.counts[level] for level in (5, 4, 3, 2, 1)}})))
    return found


def _store(findings: list[tuple[WindowRef, Finding]], now: datetime) -> list[Alert]:
    if not findings:
        return []
    since = min(f.period_start for _w, f in findings)
    known = existing_periods({w.id for w, _f in findings}, since)
    raised = []
    for window, finding in findings:
        periods = known[(window.id, finding.kind)]
        if any(overlaps(finding.period_start, finding.period_end, s, e) for s, e in periods):
            continue
        periods.append((finding.period_start, finding.period_end))
        alert = Alert(window_id=window.id, kind=finding.kind, status=AlertStatus.OPEN,
                      period_start=finding.period_start, period_end=finding.period_end,
                      evidence=finding.evidence, detected_at=now)
        db.session.add(alert)
        raised.append(alert)
    db.session.flush()
    for alert in raised:
        record(None, "alert.raise", alert,
               {"kind": alert.kind.value, "window": alert.window.code,
                "period": [alert.period_start.isoformat(), alert.period_end.isoformat()]})
    _notify(raised)
    return raised


def _notify(alerts: list[Alert]) -> None:
    """Tell the supervisors nearest above each alert's window (inbox and e-mail)."""
    for alert in alerts:
        recipients = nearest_supervisors(alert.window.org_unit)
        if recipients:
            notify(recipients, "alert.raised", alert, alert_path(alert.id),
                   _l("New alert: %(kind)s at %(window)s",
                      kind=KIND_LABELS[alert.kind], window=alert.window.name),
                   describe(alert))


def _path(endpoint: str, **values: Any) -> str:
    """A local path, built without a request (the sweep runs from cron)."""
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(endpoint, values)


def alert_path(alert_id: int) -> str:
    return _path("alerts.show", alert_id=alert_id)


# --- what people do with an alert -----------------------------------------------------------


def dismiss_alert(actor: User, alert: Alert, reason: str) -> None:
    """Dismiss an open alert with the reason (required). Audited as ``alert.dismiss``.

    Raises ``ServiceError`` for an empty or overlong reason, or an alert no longer open.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Please say why the alert is dismissed."), "reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_("Please keep the reason under %(n)d characters.", n=REASON_MAX),
                           "reason")
    try:
        alert.dismiss(actor, reason, clock.now())
    except IllegalTransition:
        raise ServiceError(_("This alert is no longer open.")) from None
    record(actor, "alert.dismiss", alert, {"status": ["open", "dismissed"], "reason": reason})


def draft_notice_from_alert(actor: User, alert: Alert) -> Notice:
    """Turn an open alert into a draft rectification notice for its window and link the
    notice from the alert (status ``notice_drafted``). Audited as ``alert.draft_notice``.

    The notice states the alert's numbers in its problem and links the alert, the bad
    reviews behind a burst and the window's dashboard as evidence. A relapse alert drafts the
    follow-up of the closed notice instead. Raises ``ServiceError`` when the alert is no
    longer open, and the notices' ``NotAllowed`` when ``actor`` may not address the window.
    """
    if alert.status != AlertStatus.OPEN:
        raise ServiceError(_("This alert is no longer open."))
    if alert.kind == AlertKind.RELAPSE:
        closed = db.session.get(Notice, alert.evidence["notice_id"])
        if closed is None:
            raise ServiceError(_("The closed notice of this alert no longer exists."))
        notice = draft_follow_up(actor, closed)
    else:
        key = "alert:" + str(alert.id)  # drafting again returns the same notice
        evidence: dict[str, Any] = {"alert": alert.id,
                                    "chart": window_dashboard_path(alert.window)}
        if alert.evidence.get("evaluations"):
            evidence["evaluations"] = alert.evidence["evaluations"]
        notice = draft_notice(
            actor, target_window=alert.window, problem=describe(alert),
            requirement=requirement(alert), evidence=evidence, source="alert",
            title=_("Rectification: %(kind)s at %(window)s", kind=KIND_LABELS[alert.kind],
                    window=alert.window.name),
            source_key=key)
    alert.attach_notice(notice.id, actor, clock.now())
    record(actor, "alert.draft_notice", alert,
           {"status": ["open", "notice_drafted"], "notice": notice.id})
    return notice


def window_dashboard_path(window: Window) -> str:
    """The window's dashboard (feedback/dashboards), where its trend shows."""
    return _path("dashboards.window", code=window.code)


# --- rules ----------------------------------------------------------------------------------


def save_rules(actor: User, unit: OrgUnit, values: Mapping[str, Any]) -> AlertRule | None:
    """Set ``unit``'s alert settings; ``None`` inherits from the unit above.

    Raises ``ServiceError`` naming the field for a value out of range, or for minimum history
    longer than the history read. Audited as ``alert_rules.update`` with what changed.
    """
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown alert settings: {sorted(unknown)}")
    for name, value in values.items():
        bounds = RULE_BOUNDS.get(name)
        if value is not None and bounds is not None and not bounds.low <= value <= bounds.high:
            raise ServiceError(_("Please enter a value between %(low)s and %(high)s.",
                                 low=format(bounds.low, "g"), high=format(bounds.high, "g")), name)
    effective = inherited_rules(unit).merged(values)
    if effective.pchart_min_history > effective.pchart_history:
        raise ServiceError(_("The minimum history cannot be longer than the history read."),
                           "pchart_min_history")
    if effective.cusum_min_history > effective.cusum_history_days:
        raise ServiceError(_("The minimum history cannot be longer than the history read."),
                           "cusum_min_history")
    row = get_rule(unit)
    if row is None:
        if all(value is None for value in values.values()):
            return None
        row = AlertRule(org_unit=unit)
        db.session.add(row)
    changes = apply_changes(row, dict(values))
    if changes:
        row.updated_at = clock.now()
        row.updated_by_id = actor.id
        db.session.flush()
        record(actor, "alert_rules.update", row, {"org_unit": unit.code, **changes})
    return row


def sweep_step(now: datetime) -> int:
    """The sweep's step (``manyi sweep``): raise what is new, return how many alerts."""
    return len(detect_alerts(now))
