"""Deadline policies per org unit: inherited down the tree, set by administrators and by
supervisors inside their subtree only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.config import Config, ConfigError
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.orgs.models import UnitKind
from feedback.workdays.calendar import DeadlineKind
from feedback.workdays.models import DeadlinePolicy
from feedback.workdays.queries import deadline_days, deadline_for
from feedback.workdays.services import set_deadline_policy

BJ = ZoneInfo("Asia/Shanghai")
CASE, NOTICE = DeadlineKind.CASE_ANSWER, DeadlineKind.NOTICE


@pytest.fixture
def tree(make_unit):
    province = make_unit("湖南省住房和城乡建设厅", code="HN")
    city_a = make_unit("长沙市住房和城乡建设局", parent=province, code="CS")
    county_a = make_unit("望城区住房和城乡建设局", parent=city_a, code="CS-WC")
    hall_a = make_unit("望城区政务服务大厅", parent=county_a, kind=UnitKind.HALL, code="CS-WC-H")
    city_b = make_unit("株洲市住房和城乡建设局", parent=province, code="ZZ")
    hall_b = make_unit("株洲市政务服务大厅", parent=city_b, kind=UnitKind.HALL, code="ZZ-H")
    return {u.code: u for u in (province, city_a, county_a, hall_a, city_b, hall_b)}


def policies() -> dict[tuple[str, str], int]:
    db.session.expire_all()
    return {(p.org_unit.code, p.kind.value): p.working_days
            for p in db.session.scalars(select(DeadlinePolicy))}


def test_defaults_apply_without_policies(app, tree):
    assert deadline_days(None, CASE) == 5
    assert deadline_days(None, NOTICE) == 15
    assert deadline_days(tree["CS-WC-H"], CASE) == 5


def test_the_nearest_ancestors_policy_wins(app, tree):
    set_deadline_policy(None, tree["HN"], CASE, 3)
    set_deadline_policy(None, tree["CS"], CASE, 7)
    set_deadline_policy(None, tree["CS-WC-H"], NOTICE, 10)
    db.session.commit()
    assert deadline_days(tree["CS-WC-H"], CASE) == 7  # from the city, nearer than the province
    assert deadline_days(tree["CS-WC"], CASE) == 7
    assert deadline_days(tree["CS"], CASE) == 7  # a unit's own policy applies to itself
    assert deadline_days(tree["ZZ-H"], CASE) == 3  # the other city inherits the province's
    assert deadline_days(tree["HN"], CASE) == 3
    assert deadline_days(tree["CS-WC-H"], NOTICE) == 10  # each kind on its own
    assert deadline_days(tree["CS-WC"], NOTICE) == 15  # a hall's policy does not go upwards
    assert deadline_days(None, CASE) == 5


def test_removing_a_policy_lets_the_parents_apply_again(app, tree):
    set_deadline_policy(None, tree["HN"], CASE, 3)
    set_deadline_policy(None, tree["CS"], CASE, 7)
    set_deadline_policy(None, tree["CS"], CASE, None)
    db.session.commit()
    assert deadline_days(tree["CS-WC-H"], CASE) == 3
    assert policies() == {("HN", "case_answer"): 3}


def test_deadline_for_counts_the_units_working_days(app, tree):
    set_deadline_policy(None, tree["CS"], CASE, 2)
    db.session.commit()
    # Opened Tuesday 29 September 2026: 30 September, then National Day until 7 October.
    deadline = deadline_for(tree["CS-WC-H"], CASE, datetime(2026, 9, 29, 10, tzinfo=BJ))
    assert deadline.working_days == 2
    assert deadline.due_at == datetime(2026, 10, 8, tzinfo=BJ).astimezone(UTC) + timedelta(days=1)
    assert deadline_for(None, NOTICE, datetime(2026, 9, 29, 10, tzinfo=BJ)).working_days == 15


def test_the_defaults_come_from_the_configuration(make_app, make_unit):
    app = make_app(CASE_ANSWER_WORKING_DAYS=8, NOTICE_WORKING_DAYS=20)
    with app.app_context():
        assert deadline_days(None, CASE) == 8
        assert deadline_days(None, NOTICE) == 20


@pytest.mark.parametrize("value", ["0", "61", "five"])
def test_a_bad_default_in_the_environment_stops_the_app(monkeypatch, tmp_path, value):
    monkeypatch.setenv("NOTICE_WORKING_DAYS", value)
    with pytest.raises(ConfigError, match="NOTICE_WORKING_DAYS"):
        Config(str(tmp_path))


def test_the_defaults_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CASE_ANSWER_WORKING_DAYS", "3")
    assert Config(str(tmp_path)).CASE_ANSWER_WORKING_DAYS == 3
    assert Config(str(tmp_path)).NOTICE_WORKING_DAYS == 15


@pytest.mark.parametrize("days", [0, 61])
def test_a_policy_stays_within_1_to_60_working_days(app, tree, days):
    with pytest.raises(ServiceError) as caught:
        set_deadline_policy(None, tree["CS"], CASE, days)
    assert caught.value.field == "case_answer"
    db.session.rollback()
    assert policies() == {}


# --- the pages -----------------------------------------------------------------------------------


def test_a_supervisor_sets_a_policy_in_their_subtree_and_it_is_audited(
    app, client, auth, tree, make_user
):
    make_user(Role.SUPERVISOR, username="sup-cs", org_unit=tree["CS"])
    auth.login("sup-cs")
    response = client.post("/admin/deadlines/CS-WC", data={"case_answer": "4", "notice": ""})
    assert response.status_code == 302
    assert policies() == {("CS-WC", "case_answer"): 4}
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "deadline_policy.set")).one()
    assert entry.actor_name == "sup-cs"
    assert entry.object_type == "OrgUnit" and entry.object_id == str(tree["CS-WC"].id)
    assert entry.changes == {"kind": "case_answer", "working_days": [None, 4]}
    # Their own bureau too: its policy applies below it.
    assert client.post("/admin/deadlines/CS", data={"notice": "12"}).status_code == 302
    assert deadline_days(tree["CS-WC-H"], NOTICE) == 12
    # Emptying the field removes the policy again.
    assert client.post("/admin/deadlines/CS-WC", data={"case_answer": ""}).status_code == 302
    assert policies() == {("CS", "notice"): 12}
    assert "deadline_policy.clear" in set(db.session.scalars(select(AuditLog.action)))


@pytest.mark.parametrize("code", ["ZZ", "ZZ-H", "HN"])
def test_a_supervisor_cannot_touch_policies_outside_their_subtree(
    app, client, auth, tree, make_user, code
):
    make_user(Role.SUPERVISOR, username="sup-cs", org_unit=tree["CS"])
    auth.login("sup-cs")
    assert client.get(f"/admin/deadlines/{code}").status_code == 403
    assert client.post(f"/admin/deadlines/{code}", data={"case_answer": "1"}).status_code == 403
    assert policies() == {}


def test_the_policy_list_shows_only_the_supervisors_subtree_with_inherited_values(
    app, client, auth, tree, make_user
):
    set_deadline_policy(None, tree["HN"], CASE, 3)
    db.session.commit()
    make_user(Role.SUPERVISOR, username="sup-cs", org_unit=tree["CS"])
    auth.login("sup-cs")
    page = client.get("/admin/deadlines")
    assert page.status_code == 200
    assert "望城区政务服务大厅" in page.text
    assert "株洲" not in page.text
    # The province's 3 days reach the city, named as where they come from.
    assert "3 个工作日" in page.text and "湖南省住房和城乡建设厅" in page.text


@pytest.mark.parametrize("role", [Role.MANAGER, Role.OPERATOR, Role.STAFF])
def test_other_roles_cannot_open_the_policies(app, client, auth, tree, make_user, make_staff,
                                              role):
    staff = make_staff()
    scope = {
        Role.MANAGER: {"windows": [staff.window]},
        Role.OPERATOR: {"org_unit": tree["CS"]},
        Role.STAFF: {"staff": staff},
    }[role]
    make_user(role, username="someone", **scope)
    auth.login("someone")
    assert client.get("/admin/deadlines").status_code == 403
    assert client.post("/admin/deadlines/CS-WC", data={"case_answer": "1"}).status_code == 403
    assert policies() == {}


def test_a_bad_number_is_refused_and_nothing_changes(app, client, auth, tree, make_user):
    make_user(Role.ADMIN, username="root")
    auth.login("root")
    page = client.post("/admin/deadlines/CS", data={"case_answer": "61", "notice": "10"})
    assert page.status_code == 200
    assert 'aria-invalid="true"' in page.text
    assert policies() == {}  # the valid notice field was not saved either
    assert client.get("/admin/deadlines/NO-SUCH").status_code == 404
