"""Fixtures for the dashboard tests: ratings stored through the real service, rollup rows for
rankings over many ratings, a small organisation with its users, and signed-in clients."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient

from feedback import clock
from feedback.accounts.models import Role, User
from feedback.clock import local_date
from feedback.evaluations.models import Channel, Evaluation
from feedback.evaluations.services import Contact, Submission, submit_evaluation
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.questionnaires.queries import current_version_ref
from feedback.stats.models import WindowDayStats
from feedback.windows.models import Window

# Noon in China on 2026-03-20: "today" of most tests.
NOW = datetime(2026, 3, 20, 4, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def charts_in_memory_only(app):
    """Chart files under the shared test instance would outlive the test that drew them."""
    app.config["CHART_CACHE_FILES"] = False


@pytest.fixture
def frozen():
    with clock.frozen_at(NOW):
        yield NOW


@pytest.fixture
def rate(app):
    """``rate(window, level, at=..., staff=..., comment=..., **dimensions)`` → Evaluation,
    stored by ``submit_evaluation`` so the rollups follow as in production."""
    browsers = itertools.count(1)

    def _rate(window, level: int, *, at: datetime | None = None, staff=None, comment: str = "",
              flagged: bool = False, **dimensions) -> Evaluation:
        moment = at or clock.now()
        answers = {"overall": str(level), **{k: str(v) for k, v in dimensions.items()}}
        if staff is not None:
            answers["staff"] = str(staff.id)
        if comment:
            answers["comment"] = comment
        with clock.frozen_at(moment):
            version = current_version_ref(window.id, window.category_id, local_date(moment))
            stored = submit_evaluation(
                window, version, answers, Contact(),
                Submission(channel=Channel.QR, client_id=f"browser-{next(browsers)}",
                           staff_session=flagged),
            )
        db.session.commit()
        return db.session.get(Evaluation, stored.id)

    return _rate


def put_day(window: Window, day: date, **levels: int) -> None:
    """Rollup rows written directly: for rankings over thousands of ratings."""
    counts = {f"n{level}": 0 for level in range(1, 6)}
    counts.update(levels)
    db.session.add(WindowDayStats(window_id=window.id, day=day, flagged=0, verified=0,
                                  ch_qr=sum(counts.values()), ch_token=0, ch_device=0, ch_web=0,
                                  ch_hotline=0, ch_sms=0, **counts))
    db.session.commit()


@dataclass
class Org:
    province: OrgUnit
    city_a: OrgUnit
    hall_a: OrgUnit
    city_b: OrgUnit
    hall_b: OrgUnit
    window_a1: Window
    window_a2: Window
    window_b: Window


@pytest.fixture
def org(make_unit, make_window) -> Org:
    province = make_unit("湖南省住房和城乡建设厅", code="HN")
    city_a = make_unit("长沙市住房和城乡建设局", parent=province, code="CS")
    hall_a = make_unit("望城区政务服务大厅", parent=city_a, kind=UnitKind.HALL, code="CS-H")
    city_b = make_unit("株洲市住房和城乡建设局", parent=province, code="ZZ")
    hall_b = make_unit("株洲市政务服务大厅", parent=city_b, kind=UnitKind.HALL, code="ZZ-H")
    return Org(province, city_a, hall_a, city_b, hall_b,
               window_a1=make_window(hall=hall_a, name="不动产登记窗口"),
               window_a2=make_window(hall=hall_a, name="存量房交易窗口"),
               window_b=make_window(hall=hall_b, name="公积金提取窗口"))


@pytest.fixture
def user_in(org, make_user, make_staff) -> Callable[..., User]:
    """``user_in(role, side="a")``: a user scoped to city A (or B) of ``org``."""

    def _make(role: Role, side: str = "a") -> User:
        scope = {
            Role.ADMIN: dict,
            Role.SUPERVISOR: lambda: {"org_unit": getattr(org, f"city_{side}")},
            Role.OPERATOR: lambda: {"org_unit": getattr(org, f"city_{side}")},
            Role.MANAGER: lambda: {"windows": [org.window_a1 if side == "a" else org.window_b]},
            Role.STAFF: lambda: {"staff": make_staff(window=org.window_a1, name="赵敏")},
        }[role]()
        return make_user(role, username=f"{role.value}-{side}", **scope)

    return _make


@pytest.fixture
def as_role(user_in, sign_in) -> Callable[..., FlaskClient]:
    return lambda role, side="a": sign_in(user_in(role, side))
