"""Who sees and moves which case: lists per role, the case page and every action, 403 and 404.

(The route-wide checks — anonymous visitors, wrong roles, unknown ids for every route — run in
``tests/test_access.py`` from the url map; these are about cases inside and outside a scope.)
"""

from __future__ import annotations

import pytest

from feedback.accounts.models import Role
from feedback.cases.models import CaseKind, CaseSource, CaseState
from feedback.cases.workflow import services
from feedback.extensions import db
from tests.cases.support import tracking_numbers


@pytest.fixture
def cases(world):
    """A complaint at each of window A, window B, window C (another county) and hall A."""

    def open_(window=None, hall=None):
        return services.open_case(world.operator, kind=CaseKind.COMPLAINT,
                                  source=CaseSource.HOTLINE, content="反映", window=window,
                                  hall=hall).case

    made = {"a": open_(world.window_a), "b": open_(world.window_b), "c": open_(world.window_c),
            "hall": open_(hall=world.hall)}
    db.session.commit()
    return made


VISIBLE = {
    "manager_a": {"a"},
    "manager_b": {"b"},
    "supervisor": {"a", "b", "hall"},  # the county of the hall, not the other county
    "province_supervisor": {"a", "b", "c", "hall"},
    "operator": {"a", "b", "c", "hall"},
    "admin": {"a", "b", "c", "hall"},
}


@pytest.mark.parametrize("who", list(VISIBLE))
def test_each_role_lists_exactly_the_cases_in_its_scope(world, cases, sign_in, who):
    client = sign_in(getattr(world, who))
    response = client.get("/admin/cases")
    assert response.status_code == 200
    assert tracking_numbers(response.text) == {cases[k].tracking_no for k in VISIBLE[who]}
    for key, case in cases.items():
        expected = 200 if key in VISIBLE[who] else 403
        assert client.get(f"/admin/cases/{case.id}").status_code == expected, key


def test_staff_have_no_case_pages(world, cases, sign_in, make_staff, make_user):
    staff = make_staff(window=world.window_a)
    client = sign_in(make_user(Role.STAFF, username="clerk", staff=staff))
    assert client.get("/admin/cases").status_code == 403
    assert client.get(f"/admin/cases/{cases['a'].id}").status_code == 403


ACTIONS = {
    "take": {},
    "assign": {"assignee": "0"},
    "verify": {"founded": "yes", "finding": "x", "triage": "fix_now"},
    "answer": {"reply": "x"},
    "callback": {"verdict": "satisfied"},
    "close": {},
    "phone": {"purpose": "回访"},
    "appeal": {"grounds": "malicious", "evidence": "x"},
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", ["manager_b", "supervisor"])
def test_actions_outside_the_scope_are_403(world, cases, sign_in, who, action):
    """Manager B on window A's case; the county supervisor on the other county's case."""
    target = cases["a"] if who == "manager_b" else cases["c"]
    client = sign_in(getattr(world, who))
    response = client.post(f"/admin/cases/{target.id}/{action}", data=ACTIONS[action])
    assert response.status_code == 403
    db.session.expire_all()
    assert target.state == CaseState.NEW and not target.events


@pytest.mark.parametrize(("action", "expected"), [
    ("verify", 403), ("answer", 403), ("close", 403), ("take", 403), ("appeal", 403),
    ("callback", 422),  # operators may call back: refused only because nothing is answered yet
])
def test_operators_call_back_but_do_not_handle(world, cases, sign_in, action, expected):
    client = sign_in(world.operator)
    response = client.post(f"/admin/cases/{cases['a'].id}/{action}", data=ACTIONS[action])
    assert response.status_code == expected


@pytest.mark.parametrize("action", [*ACTIONS, ""])
def test_unknown_cases_are_404_before_anything_else(world, sign_in, action):
    client = sign_in(world.manager_b)
    path = f"/admin/cases/999999/{action}".rstrip("/")
    response = client.post(path, data=ACTIONS.get(action, {})) if action else client.get(path)
    assert response.status_code == 404


def test_only_supervisors_above_decide_appeals(world, sign_in, app):
    from tests.cases.support import case_by_number, rate, shown

    tracking_no = shown(rate(app.test_client(), world.window_a, overall="1").text, "tracking-no")
    case = case_by_number(tracking_no)
    manager = sign_in(world.manager_a)
    assert manager.post(f"/admin/cases/{case.id}/appeal",
                        data={"grounds": "mistaken", "evidence": "评错了窗口"}).status_code == 302
    appeal = case_by_number(tracking_no).pending_appeal
    decision = {"decision": "uphold", "note": "成立"}
    assert manager.post(f"/admin/appeals/{appeal.id}/decide", data=decision).status_code == 403
    outsider = sign_in(_supervisor_of(world.other_hall.parent))
    assert outsider.post(f"/admin/appeals/{appeal.id}/decide", data=decision).status_code == 403
    assert sign_in(world.supervisor).post(f"/admin/appeals/{appeal.id}/decide",
                                          data=decision).status_code == 302


def _supervisor_of(unit):
    from feedback.accounts.services import create_user
    from tests.conftest import PASSWORD

    user = create_user(None, username="sup-kf", password=PASSWORD, role=Role.SUPERVISOR,
                       org_unit=unit)
    db.session.commit()
    return user


def test_the_citizen_pages_need_a_successful_lookup(app, world, cases):
    client = app.test_client()
    number = cases["a"].tracking_no
    assert client.get(f"/track/{number}").status_code == 302
    assert client.get("/track/not-a-number").status_code == 302
