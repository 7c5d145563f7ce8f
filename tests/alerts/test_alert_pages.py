"""The alert pages: who sees which alert, dismissing with a reason, drafting a notice, and
the rules of an org unit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from feedback.alerts.models import Alert, AlertRule, AlertStatus
from feedback.alerts.queries import rules_for
from feedback.alerts.rules import DEFAULT_RULES, AlertKind, PeriodUnit
from feedback.audit.models import AuditLog
from feedback.extensions import db
from feedback.notices.models import Notice


def alert_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/alerts/(\d+)"', html)}


def fresh(alert: Alert) -> Alert:
    db.session.expire_all()
    return db.session.get(Alert, alert.id)


def audit_count(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.action == action))


@pytest.fixture
def three(world, make_alert):
    """An open alert on window A1, one on A2 (same hall) and one on B (another city)."""
    return {"a1": make_alert(world.window_a1), "a2": make_alert(world.window_a2),
            "b": make_alert(world.window_b, AlertKind.LOW_INDEX)}


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), [
    ("admin", {"a1", "a2", "b"}),
    ("province_sup", {"a1", "a2", "b"}),
    ("sup_a", {"a1", "a2"}),
    ("sup_b", {"b"}),
    ("manager_a1", {"a1"}),
    ("manager_a2", {"a2"}),
    ("operator", None),
    ("staff_user", None),
])
def test_the_list_shows_only_the_alerts_in_scope(world, three, sign_in, who, expected):
    response = sign_in(getattr(world, who)).get("/alerts/")
    if expected is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert alert_ids(response.text) == {three[k].id for k in expected}


@pytest.mark.parametrize(("who", "alert", "status"), [
    ("admin", "b", 200),
    ("sup_a", "a1", 200),
    ("sup_a", "b", 403),
    ("sup_b", "a1", 403),
    ("manager_a1", "a1", 200),
    ("manager_a1", "a2", 403),
    ("operator", "a1", 403),
    ("staff_user", "a1", 403),
])
def test_an_alert_opens_only_in_scope(world, three, sign_in, who, alert, status):
    assert sign_in(getattr(world, who)).get(f"/alerts/{three[alert].id}").status_code == status


@pytest.mark.parametrize(("who", "status"), [
    ("admin", 302), ("sup_a", 302), ("province_sup", 302),
    ("sup_b", 403), ("manager_a1", 403), ("operator", 403), ("staff_user", 403),
])
@pytest.mark.parametrize("action", ["dismiss", "notice"])
def test_who_may_dismiss_or_draft_a_notice(world, three, sign_in, who, status, action):
    alert = three["a1"]
    response = sign_in(getattr(world, who)).post(f"/alerts/{alert.id}/{action}",
                                                 data={"reason": "已电话回访，属误评"})
    assert response.status_code == status
    expected = {"dismiss": AlertStatus.DISMISSED, "notice": AlertStatus.NOTICE_DRAFTED}[action]
    assert fresh(alert).status == (expected if status == 302 else AlertStatus.OPEN)
    notices = db.session.scalar(select(func.count()).select_from(Notice))
    assert notices == (1 if status == 302 and action == "notice" else 0)


def test_a_manager_reads_the_alert_but_gets_no_buttons(world, three, sign_in):
    path = f"/alerts/{three['a1'].id}"
    page = sign_in(world.manager_a1).get(path)
    assert "差评集中出现" in page.text
    assert f"{path}/dismiss" not in page.text and f"{path}/notice" not in page.text
    supervisor_page = sign_in(world.sup_a).get(path)
    assert f"{path}/dismiss" in supervisor_page.text and f"{path}/notice" in supervisor_page.text


def test_filters_by_state_and_kind(world, three, sign_in, make_alert):
    dismissed = make_alert(world.window_b, status=AlertStatus.DISMISSED)
    client = sign_in(world.admin)
    assert alert_ids(client.get("/alerts/").text) == {a.id for a in three.values()}
    assert alert_ids(client.get("/alerts/?status=dismissed").text) == {dismissed.id}
    assert alert_ids(client.get("/alerts/?status=all").text) == (
        {a.id for a in three.values()} | {dismissed.id})
    assert alert_ids(client.get("/alerts/?kind=low_index").text) == {three["b"].id}
    assert alert_ids(client.get(f"/alerts/?unit={world.hall_a.code}").text) == {
        three["a1"].id, three["a2"].id}
    assert client.get("/alerts/?kind=nonsense").status_code == 400
    assert client.get("/alerts/?unit=NO-SUCH").status_code == 404
    assert sign_in(world.sup_a).get(f"/alerts/?unit={world.city_b.code}").status_code == 403


def test_unknown_alert_is_404(world, sign_in):
    client = sign_in(world.admin)
    assert client.get("/alerts/999999").status_code == 404
    assert client.post("/alerts/999999/dismiss", data={"reason": "x"}).status_code == 404


# --- dismissing -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_dismissing_needs_a_reason(world, three, sign_in, reason):
    alert = three["a1"]
    response = sign_in(world.sup_a).post(f"/alerts/{alert.id}/dismiss", data={"reason": reason})
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert fresh(alert).status == AlertStatus.OPEN
    assert audit_count("alert.dismiss") == 0


def test_dismissing_keeps_the_reason_and_who(world, three, sign_in):
    alert = three["a1"]
    client = sign_in(world.sup_a)
    response = client.post(f"/alerts/{alert.id}/dismiss",
                           data={"reason": "系统停电导致重复提交，已核实"})
    assert response.status_code == 302
    alert = fresh(alert)
    assert (alert.status, alert.dismiss_reason, alert.dismissed_by_id) == (
        AlertStatus.DISMISSED, "系统停电导致重复提交，已核实", world.sup_a.id)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "alert.dismiss")).one()
    assert (entry.actor_id, entry.object_id) == (world.sup_a.id, str(alert.id))
    assert entry.changes["reason"] == "系统停电导致重复提交，已核实"
    page = client.get(f"/alerts/{alert.id}")
    assert "系统停电导致重复提交，已核实" in page.text and "已排除" in page.text
    # a dismissed alert can be neither dismissed again nor turned into a notice
    client.post(f"/alerts/{alert.id}/dismiss", data={"reason": "再次"})
    client.post(f"/alerts/{alert.id}/notice")
    assert fresh(alert).dismiss_reason == "系统停电导致重复提交，已核实"
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0
    assert audit_count("alert.dismiss") == 1


# --- rules ----------------------------------------------------------------------------------


def rules_form(**values) -> dict[str, str]:
    return {name: str(value) for name, value in values.items()}


@pytest.mark.parametrize(("who", "unit", "status"), [
    ("admin", "province", 200),
    ("province_sup", "province", 200),
    ("sup_a", "city_a", 200),
    ("sup_a", "hall_a", 200),
    ("sup_a", "province", 403),
    ("sup_a", "city_b", 403),
    ("manager_a1", "hall_a", 403),
    ("operator", "city_a", 403),
])
def test_who_may_open_the_rules_of_a_unit(world, sign_in, who, unit, status):
    code = getattr(world, unit).code
    assert sign_in(getattr(world, who)).get(f"/alerts/rules/{code}").status_code == status


def test_rules_are_inherited_down_the_tree(world, sign_in):
    admin = sign_in(world.admin)
    response = admin.post(f"/alerts/rules/{world.province.code}",
                          data=rules_form(burst_count=3, low_index_threshold="80.5",
                                          pchart_period="week", silence_enabled="0"))
    assert response.status_code == 302
    supervisor = sign_in(world.sup_a)
    response = supervisor.post(f"/alerts/rules/{world.hall_a.code}",
                               data=rules_form(burst_count=7, silence_enabled="1"))
    assert response.status_code == 302

    hall_a, hall_b, county_a = rules_for(world.hall_a), rules_for(world.hall_b), rules_for(
        world.county_a)
    assert (hall_a.burst_count, hall_b.burst_count, county_a.burst_count) == (7, 3, 3)
    assert hall_a.low_index_threshold == hall_b.low_index_threshold == 80.5
    assert hall_a.pchart_period == PeriodUnit.WEEK
    assert (hall_a.silence_enabled, hall_b.silence_enabled) == (True, False)
    assert hall_b.burst_hours == DEFAULT_RULES.burst_hours

    # the hall's page shows what it takes from above where it sets nothing
    page = supervisor.get(f"/alerts/rules/{world.hall_a.code}").text
    assert 'placeholder="80.5"' in page
    assert 'value="7"' in page

    # emptying a field inherits again
    supervisor.post(f"/alerts/rules/{world.hall_a.code}", data=rules_form(burst_count=""))
    assert rules_for(world.hall_a).burst_count == 3
    assert audit_count("alert_rules.update") == 3


def test_a_value_out_of_range_saves_nothing(world, sign_in):
    client = sign_in(world.sup_a)
    response = client.post(f"/alerts/rules/{world.city_a.code}",
                           data=rules_form(burst_count=1, burst_hours=2))
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert db.session.scalar(select(func.count()).select_from(AlertRule)) == 0
    response = client.post(f"/alerts/rules/{world.city_a.code}",
                           data=rules_form(pchart_history=10, pchart_min_history=20))
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(AlertRule)) == 0
    assert audit_count("alert_rules.update") == 0


def test_a_supervisor_cannot_set_rules_above_or_beside_their_unit(world, sign_in):
    client = sign_in(world.sup_a)
    for unit in (world.province, world.city_b):
        response = client.post(f"/alerts/rules/{unit.code}", data=rules_form(burst_count=2))
        assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AlertRule)) == 0
    assert client.get("/alerts/rules/NO-SUCH").status_code == 404


def test_the_rules_index_lists_the_units_in_scope(world, sign_in):
    page = sign_in(world.sup_a).get("/alerts/rules").text
    codes = set(re.findall(r"<code>([^<]+)</code>", page))
    assert codes == {"CS", "CS-WC", "CS-WC-H"}
