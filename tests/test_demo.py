"""``manyi demo``: the demo province, its accounts, and its refusal to touch existing data."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from feedback.accounts.models import Role, User
from feedback.audit.models import AuditLog
from feedback.demo.data import DEMO_PASSWORD, DEMO_USERS
from feedback.demo.loader import load_demo
from feedback.extensions import db
from feedback.orgs.models import SERVICE_CATEGORIES, OrgUnit
from feedback.windows.models import DISCLOSURES, Staff, Window

BADGE_RE = re.compile(r"^HN-[A-Z]+-\d{4}$")


def row_counts() -> dict[str, int]:
    """Rows in every table: what "changes nothing" is checked against."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result


def test_demo_loads_windows_of_every_trade(demo):
    windows = db.session.scalars(select(Window)).all()
    assert len(windows) >= 30
    assert {w.category.code for w in windows} == {code for code, _zh, _en in SERVICE_CATEGORIES}
    for window in windows:
        assert window.org_unit.code.startswith("HN-")
        assert window.location
        assert "一次性告知" in window.commitments and "限时办结" in window.commitments
        for field, _zh, _en in DISCLOSURES:
            assert getattr(window, field), (window.name, field)


def test_demo_tree_has_province_cities_counties_and_halls(demo):
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    assert units["HN"].name == "湖南省住房和城乡建设厅"
    cities = [u for u in units.values() if u.depth == 1 and u.kind == "city"]
    assert len(cities) == 3
    for city in cities:
        counties = [c for c in city.children if c.kind == "county"]
        assert len(counties) == 2
        assert [h.kind for c in counties for h in c.children] == ["hall", "hall"]
        assert any(c.kind == "hall" for c in city.children)


def test_demo_staff_have_unique_badges(demo):
    staff = db.session.scalars(select(Staff)).all()
    assert len(staff) >= 90
    assert len({s.badge_no for s in staff}) == len(staff)
    assert all(BADGE_RE.match(s.badge_no) for s in staff)
    assert 0.2 <= sum(s.party_member for s in staff) / len(staff) <= 0.4
    assert all(s.window.staff for s in staff)


def test_demo_prints_summary_and_accounts(demo):
    assert "100 staff" in demo.output
    assert DEMO_PASSWORD in demo.output
    for spec in DEMO_USERS:
        assert spec.username in demo.output


def test_demo_is_created_by_the_system(demo):
    entries = db.session.scalars(select(AuditLog)).all()
    assert {e.actor_name for e in entries} == {"system"}
    assert all(e.actor_id is None for e in entries)
    created = {action: sum(e.action == action for e in entries)
               for action in ("org_unit.create", "window.create", "staff.create", "user.create")}
    assert created["window.create"] == db.session.scalar(select(func.count(Window.id)))
    assert created["user.create"] == len(DEMO_USERS)


def test_demo_users_have_roles_and_scopes(demo):
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert {name: users[name].role for name in users} == {
        "admin": Role.ADMIN, "supervisor": Role.SUPERVISOR, "changsha": Role.SUPERVISOR,
        "manager": Role.MANAGER, "manager2": Role.MANAGER, "operator": Role.OPERATOR,
        "staff": Role.STAFF,
    }
    assert users["supervisor"].org_unit.code == "HN"
    assert users["changsha"].org_unit.code == "HN-CS"
    assert users["operator"].org_unit.code == "HN"
    for name in ("manager", "manager2"):
        halls = {w.org_unit_id for w in users[name].windows}
        assert 3 <= len(users[name].windows) <= 4 and len(halls) == 1
    assert users["manager"].windows[0].org_unit_id != users["manager2"].windows[0].org_unit_id
    staff = users["staff"].staff
    assert users["staff"].display_name == staff.name
    assert staff.window in users["manager"].windows
    assert all(u.display_name for u in users.values())


def test_each_demo_user_can_sign_in_with_the_documented_password(demo, client, auth):
    for spec in DEMO_USERS:
        response = auth.login(spec.username, DEMO_PASSWORD)
        assert response.status_code == 302, spec.username
        assert client.get("/").status_code == 200
        auth.logout()


@pytest.mark.parametrize("username", ["manager", "manager2"])
def test_manager_sees_exactly_their_windows(demo, client, auth, username):
    manager = db.session.scalar(select(User).where(User.username == username))
    mine = {w.code for w in manager.windows}
    others = set(db.session.scalars(select(Window.code))) - mine
    auth.login(username, DEMO_PASSWORD)
    response = client.get("/admin/windows")
    assert response.status_code == 200
    assert all(code in response.text for code in mine)
    assert not [code for code in others if code in response.text]


def test_city_supervisor_sees_only_their_city(demo, client, auth):
    changsha = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-CS"))
    windows = db.session.scalars(select(Window).join(Window.org_unit)).all()
    auth.login("changsha", DEMO_PASSWORD)
    response = client.get("/admin/windows")
    assert response.status_code == 200
    for window in windows:
        assert (window.code in response.text) == changsha.contains(window.org_unit)


def test_second_run_refuses_and_changes_nothing(demo, runner):
    before = row_counts()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "already holds data" in result.output
    assert "nothing was changed" in result.output
    assert row_counts() == before


def test_if_empty_skips_a_database_with_data(demo, runner):
    before = row_counts()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert row_counts() == before


def test_if_empty_loads_an_empty_database(runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Window.id))) >= 30


def test_refuses_a_database_with_one_user(runner, make_user):
    make_user(Role.ADMIN, username="wang")
    before = row_counts()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "(1 user)" in result.output
    assert row_counts() == before


def test_demo_data_is_the_same_every_run(app):
    def snapshot():
        staff = db.session.scalars(select(Staff).order_by(Staff.badge_no))
        return [(s.badge_no, s.name, s.title, s.party_member, s.window.name) for s in staff]

    now = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    summary = load_demo(now=now)
    first = snapshot()
    assert db.session.scalars(select(Window.created_at)).first() == now
    db.session.rollback()
    assert db.session.scalar(select(func.count(Staff.id))) == 0
    assert load_demo(now=now) == summary
    assert snapshot() == first
    db.session.rollback()


def test_demo_shows_the_loop_running(demo):
    """After ``manyi demo`` the detection has watched the six months and the periodic steps
    have run once: the weak and the silent windows have alerts, the overdue case is escalated,
    the dashboards mark the alerts."""
    from feedback.alerts.models import Alert
    from feedback.alerts.queries import alert_markers
    from feedback.alerts.rules import AlertKind
    from feedback.cases.models import Case, EventKind
    from feedback.clock import local_date
    from feedback.periodic.models import StepRun

    alerts = db.session.scalars(select(Alert)).all()
    kinds = {(a.window.name, a.window.org_unit.code, a.kind) for a in alerts}
    assert ("物业投诉受理窗口", "HN-CS-WC-H1", AlertKind.LOW_INDEX) in kinds
    assert any(kind == AlertKind.SILENCE for *_place, kind in kinds)
    assert "periodic steps run once" in demo.output.lower()

    overdue = db.session.scalars(select(Case).where(Case.overdue.is_(True))).all()
    assert overdue and all(
        any(e.kind == EventKind.OVERDUE and e.details["escalated_to"] for e in case.events)
        for case in overdue)
    assert db.session.get(StepRun, "cases overdue").last_success_at is not None

    weak = next(a.window for a in alerts if a.window.org_unit.code == "HN-CS-WC-H1"
                and a.kind == AlertKind.LOW_INDEX)
    raised = sorted(local_date(a.detected_at) for a in alerts if a.window_id == weak.id)
    markers = alert_markers([weak.id], raised[0], raised[-1])
    assert [day for day, _label in markers] == raised
