"""Who opens which dashboard: a manager only their windows, a supervisor only their subtree, and
each role lands on the right page at /dashboard."""

from __future__ import annotations

import re

import pytest

from feedback.accounts.models import Role

KEY = "0" * 32


def path(kind: str, code: str) -> str:
    return {
        "window": f"/dashboard/windows/{code}",
        "window_chart": f"/dashboard/windows/{code}/charts/trend-{KEY}.svg",
        "window_png": f"/dashboard/windows/{code}/charts/distribution-{KEY}.png",
        "unit": f"/dashboard/units/{code}",
        "unit_chart": f"/dashboard/units/{code}/charts/ranking-{KEY}.svg",
    }[kind]


REFUSED = [
    # a manager on another manager's window, even in the same hall, and on any subtree
    (Role.MANAGER, "window", "window_a2"),
    (Role.MANAGER, "window", "window_b"),
    (Role.MANAGER, "window_chart", "window_a2"),
    (Role.MANAGER, "window_png", "window_b"),
    (Role.MANAGER, "unit", "hall_a"),
    (Role.MANAGER, "unit_chart", "hall_a"),
    # a supervisor of city A outside it: city B, its windows, the province above
    (Role.SUPERVISOR, "window", "window_b"),
    (Role.SUPERVISOR, "window_chart", "window_b"),
    (Role.SUPERVISOR, "unit", "city_b"),
    (Role.SUPERVISOR, "unit", "hall_b"),
    (Role.SUPERVISOR, "unit", "province"),
    (Role.SUPERVISOR, "unit_chart", "city_b"),
    # roles without dashboards
    (Role.OPERATOR, "window", "window_a1"),
    (Role.OPERATOR, "unit", "city_a"),
    (Role.STAFF, "window", "window_a1"),
    (Role.STAFF, "window_chart", "window_a1"),
]

ALLOWED = [
    (Role.MANAGER, "window", "window_a1"),
    (Role.SUPERVISOR, "window", "window_a1"),
    (Role.SUPERVISOR, "window", "window_a2"),
    (Role.SUPERVISOR, "unit", "city_a"),
    (Role.SUPERVISOR, "unit", "hall_a"),
    (Role.ADMIN, "window", "window_b"),
    (Role.ADMIN, "unit", "province"),
    (Role.ADMIN, "unit", "city_b"),
]


def _code(org, name: str) -> str:
    return getattr(org, name).code


@pytest.mark.parametrize(("role", "kind", "target"), REFUSED,
                         ids=[f"{r.value}-{k}-{t}" for r, k, t in REFUSED])
def test_outside_ones_scope_is_refused(as_role, org, frozen, role, kind, target):
    response = as_role(role).get(path(kind, _code(org, target)))
    assert response.status_code == 403
    assert "trend-table" not in response.text and "ranking-table" not in response.text


@pytest.mark.parametrize(("role", "kind", "target"), ALLOWED,
                         ids=[f"{r.value}-{k}-{t}" for r, k, t in ALLOWED])
def test_inside_ones_scope_opens(as_role, org, frozen, role, kind, target):
    client = as_role(role)
    assert client.get(path(kind, _code(org, target))).status_code == 200
    # Its charts too: an unknown key leads to the chart of the current figures.
    chart = path("window_chart" if kind == "window" else "unit_chart", _code(org, target))
    response = client.get(chart)
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


def test_supervisor_of_city_b_opens_what_city_a_may_not(as_role, org, frozen):
    client = as_role(Role.SUPERVISOR, "b")
    assert client.get(path("unit", org.city_b.code)).status_code == 200
    assert client.get(path("window", org.window_b.code)).status_code == 200
    assert client.get(path("unit", org.city_a.code)).status_code == 403


@pytest.mark.parametrize("kind", ["window", "window_chart", "unit", "unit_chart"])
@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR])
def test_unknown_codes_are_404(as_role, org, frozen, kind, role):
    assert as_role(role).get(path(kind, "no-such-code")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    for kind in ("window", "window_chart", "unit", "unit_chart"):
        response = client.get(path(kind, org.window_a1.code if "window" in kind else "CS"))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "/login" in client.get("/dashboard").headers["Location"]


# --- /dashboard: where each role lands ---------------------------------------------------------


def test_a_manager_lands_on_their_windows(make_user, sign_in, org, rate, frozen):
    manager = make_user(Role.MANAGER, username="two-windows",
                        windows=[org.window_a1, org.window_b])
    rate(org.window_a1, 5)
    html = sign_in(manager).get("/dashboard").text
    links = re.findall(r'<h2><a href="(/dashboard/windows/\w+)\?[^"]*">([^<]+)</a>', html)
    assert sorted(name for _href, name in links) == sorted([org.window_a1.name,
                                                            org.window_b.name])
    assert org.window_a2.name not in html
    assert "100.0" in html  # A1's index this period


def test_a_supervisor_lands_on_their_subtree(as_role, org, frozen):
    response = as_role(Role.SUPERVISOR).get("/dashboard")
    assert response.status_code == 200
    assert f"<h1>{org.city_a.name} <code>CS</code></h1>" in response.text
    assert 'action="/dashboard"' in response.text  # the picker stays on the landing page
    assert org.city_b.name not in response.text


def test_an_administrator_lands_on_the_top_of_the_tree(as_role, org, make_unit, frozen):
    client = as_role(Role.ADMIN)
    assert f"<h1>{org.province.name} <code>HN</code></h1>" in client.get("/dashboard").text
    make_unit("另一个省厅", code="GD")
    html = client.get("/dashboard").text
    assert 'href="/dashboard/units/HN"' in html and 'href="/dashboard/units/GD"' in html


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.STAFF])
def test_roles_without_a_dashboard_are_refused(as_role, org, role):
    assert as_role(role).get("/dashboard").status_code == 403


@pytest.mark.parametrize(("role", "shown"), [
    (Role.ADMIN, True), (Role.SUPERVISOR, True), (Role.MANAGER, True),
    (Role.OPERATOR, False), (Role.STAFF, False),
])
def test_the_dashboard_link_in_the_menu(as_role, org, role, shown):
    html = as_role(role).get("/").text
    assert ('href="/dashboard"' in html) is shown


# --- the one-query access check of chart images agrees with permissions.may ---------------------

WINDOWS = ("window_a1", "window_a2", "window_b")
UNITS = ("province", "city_a", "hall_a", "city_b", "hall_b")


@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize("role", list(Role))
def test_chart_access_answers_as_may_does(app, org, user_in, role, side):
    from feedback.dashboards.queries import ALLOWED, MISSING, REFUSED, unit_access, window_access
    from feedback.permissions import may

    user = user_in(role, side)
    for name in WINDOWS:
        window = getattr(org, name)
        expected = ALLOWED if may(user, "view", window) else REFUSED
        assert window_access(user, window.code) == expected, name
    for name in UNITS:
        unit = getattr(org, name)
        expected = ALLOWED if may(user, "view", unit) else REFUSED
        assert unit_access(user, unit.code) == expected, name
    assert window_access(user, "no-such") in (MISSING, REFUSED)
    assert unit_access(user, "no-such") in (MISSING, REFUSED)


def test_chart_access_refuses_disabled_users(app, org, user_in):
    from feedback.dashboards.queries import REFUSED, window_access
    from feedback.extensions import db

    user = user_in(Role.ADMIN)
    user.active = False
    db.session.commit()
    assert window_access(user, org.window_a1.code) == REFUSED
