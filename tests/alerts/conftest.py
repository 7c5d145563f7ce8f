"""Fixtures for the alert tests: two cities with their people, ratings through the real
service, alerts as the detection stores them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from feedback import clock
from feedback.accounts.models import Role, User
from feedback.alerts.models import Alert, AlertStatus
from feedback.alerts.rules import AlertKind
from feedback.clock import local_date
from feedback.evaluations.models import Channel
from feedback.evaluations.services import Contact, Submission, submit_evaluation
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.questionnaires.queries import current_version_ref
from feedback.windows.models import Window

# Wednesday 1 April 2026, 10:00 in Shanghai: four ordinary working weeks lie before it.
NOW = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)


@dataclass
class World:
    province: OrgUnit
    city_a: OrgUnit
    county_a: OrgUnit
    hall_a: OrgUnit
    city_b: OrgUnit
    hall_b: OrgUnit
    window_a1: Window
    window_a2: Window
    window_b: Window
    admin: User
    province_sup: User
    sup_a: User
    sup_b: User
    manager_a1: User
    manager_a2: User
    operator: User
    staff_user: User


@pytest.fixture
def world(make_unit, make_window, make_staff, make_user) -> World:
    province = make_unit("湖南省住房和城乡建设厅", code="HN")
    city_a = make_unit("长沙市住房和城乡建设局", parent=province, code="CS")
    county_a = make_unit("望城区住房和城乡建设局", parent=city_a, code="CS-WC")
    hall_a = make_unit("望城区政务服务大厅", parent=county_a, kind=UnitKind.HALL, code="CS-WC-H")
    city_b = make_unit("株洲市住房和城乡建设局", parent=province, code="ZZ")
    hall_b = make_unit("株洲市政务服务大厅", parent=city_b, kind=UnitKind.HALL, code="ZZ-H")
    window_a1 = make_window(hall=hall_a, name="不动产登记窗口")
    window_a2 = make_window(hall=hall_a, name="公积金窗口")
    window_b = make_window(hall=hall_b, name="物业管理窗口")
    staff = make_staff(window=window_a1, name="张伟", badge_no="CS-0001")
    return World(
        province, city_a, county_a, hall_a, city_b, hall_b, window_a1, window_a2, window_b,
        admin=make_user(Role.ADMIN, username="root"),
        province_sup=make_user(Role.SUPERVISOR, username="hn-sup", org_unit=province),
        sup_a=make_user(Role.SUPERVISOR, username="cs-sup", org_unit=city_a),
        sup_b=make_user(Role.SUPERVISOR, username="zz-sup", org_unit=city_b),
        manager_a1=make_user(Role.MANAGER, username="bdc-mgr", windows=[window_a1]),
        manager_a2=make_user(Role.MANAGER, username="gjj-mgr", windows=[window_a2]),
        operator=make_user(Role.OPERATOR, username="hotline", org_unit=city_a),
        staff_user=make_user(Role.STAFF, username="zhangwei", staff=staff),
    )


@pytest.fixture
def rate(app):
    """``rate(window, level, at)``: one evaluation stored by the real rating service, from a
    new browser each time (so nothing is flagged as a repeat). Commits."""
    browsers = itertools.count(1)

    def _rate(window: Window, level: int, at: datetime) -> int:
        with clock.frozen_at(at):
            version = current_version_ref(window.id, window.category_id, local_date(at))
            stored = submit_evaluation(
                window, version, {"overall": str(level)}, Contact(),
                Submission(channel=Channel.QR, client_id=f"alert-browser-{next(browsers)}"),
            )
        db.session.commit()
        return stored.id

    return _rate


@pytest.fixture
def history(rate):
    """``history(window, per_day, bad_per_day=0, days=..., end=...)``: ratings on each working
    day (Monday to Friday) of the ``days`` days before ``end``, spread over office hours."""

    def _history(window: Window, per_day: int, bad_per_day: int = 0, *, days: int = 28,
                 end: date = date(2026, 3, 28)) -> None:
        for back in range(days, 0, -1):
            day = end - timedelta(days=back)
            if day.weekday() >= 5:
                continue
            opening = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)  # 09:00 local
            for i in range(per_day):
                level = 1 if i < bad_per_day else 5
                rate(window, level, opening + timedelta(minutes=i * 480 // per_day))

    return _history


@pytest.fixture
def make_alert(app):
    """``make_alert(window, kind=..., status=...)``: an alert as the detection stores it."""
    days = itertools.count(0)

    def _make(window: Window, kind: AlertKind = AlertKind.BURST,
              status: AlertStatus = AlertStatus.OPEN) -> Alert:
        day = date(2026, 3, 1) + timedelta(days=next(days))
        evidence = {
            AlertKind.BURST: {"bad": 6, "count": 5, "hours": 2, "evaluations": [],
                              "first_at": "2026-03-01T01:00:00+00:00",
                              "last_at": "2026-03-01T02:00:00+00:00"},
            AlertKind.LOW_INDEX: {"index": 55.0, "threshold": 70, "n": 40, "min_ratings": 30,
                                  "bad": 10, "bad_share": 0.25,
                                  "counts": {"5": 10, "4": 10, "3": 10, "2": 5, "1": 5}},
        }[kind]
        alert = Alert(window_id=window.id, kind=kind, status=AlertStatus.OPEN,
                      period_start=day, period_end=day,
                      evidence=evidence, detected_at=NOW)
        if status == AlertStatus.DISMISSED:
            alert.dismiss(None, "已核实", NOW)
        db.session.add(alert)
        db.session.commit()
        return alert

    return _make
