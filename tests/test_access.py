"""Who may open which page: anonymous visitors, wrong roles, objects outside one's scope.

The route lists are read from ``app.url_map``, so a new route is covered by the anonymous,
wrong-role and unknown-object tests without anyone writing a line here. Pages that need real
objects to be opened on purpose name them in ``IN_SCOPE``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from feedback import create_app
from feedback.accounts.models import Role, User
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.permissions import PUBLIC, may
from feedback.windows.models import Staff, Window

PASSWORD = "correct-horse-42"
ROLES = tuple(Role)


# --- the routes, read from the url map -------------------------------------------------------


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    methods: tuple[str, ...]  # GET and/or POST
    roles: tuple[Role, ...]  # empty: any signed-in user

    def __str__(self) -> str:
        return self.endpoint


@functools.cache
def _routes_by_rule_kind() -> dict[str, tuple[Route, ...]]:
    # Built at collection time only to read the url map; no database is touched.
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    routes: dict[str, list[Route]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        access = getattr(app.view_functions.get(rule.endpoint), "access_rule", PUBLIC)
        if access == PUBLIC:
            continue
        kind, roles = access[0], tuple(access[1]) if access[0] == "login" else ()
        methods = tuple(m for m in ("GET", "POST") if m in rule.methods)
        routes.setdefault(kind, []).append(Route(rule.endpoint, rule.rule, methods, roles))
    return {kind: tuple(found) for kind, found in routes.items()}


def protected_routes() -> tuple[Route, ...]:
    """Routes for signed-in users (``@login_required``)."""
    return _routes_by_rule_kind()["login"]


def device_routes() -> tuple[Route, ...]:
    """Routes for devices with an API key (``@device_required``)."""
    return _routes_by_rule_kind().get("device", ())


ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<options>[^)]*)\))?:)?(?P<name>\w+)>")


def placeholder_args(route: Route, *, missing: bool) -> dict[str, Any]:
    """Values for the route's URL arguments; ``missing`` makes them name no object."""
    values: dict[str, Any] = {}
    for match in ARGUMENT.finditer(route.rule):
        converter, name = match["converter"] or "default", match["name"]
        if converter == "int":
            values[name] = 999_999 if missing else 1
        elif converter == "any":
            values[name] = match["options"].split(",")[0].strip()
        else:
            values[name] = "no-such-object"
    return values


def has_object_arguments(route: Route) -> bool:
    return any(m["converter"] != "any" for m in ARGUMENT.finditer(route.rule))


def anonymous_cases():
    return [pytest.param(r, m, id=f"{r}-{m}") for r in protected_routes() for m in r.methods]


def wrong_role_cases():
    return [
        pytest.param(r, m, role, id=f"{r}-{m}-{role.value}")
        for r in protected_routes()
        if r.roles
        for role in ROLES
        if role not in r.roles
        for m in r.methods
    ]


def missing_object_cases():
    return [
        pytest.param(r, r.methods[0], id=str(r))
        for r in protected_routes()
        if has_object_arguments(r)
    ]


# --- a small organisation: city A and city B under one province -------------------------------


@dataclass
class World:
    province: OrgUnit
    city_a: OrgUnit
    county_a: OrgUnit
    hall_a: OrgUnit
    city_b: OrgUnit
    county_b: OrgUnit
    hall_b: OrgUnit
    window_a1: Window
    window_a2: Window
    window_b: Window
    staff_a1: Staff
    staff_a1b: Staff
    staff_a2: Staff
    staff_b: Staff


@pytest.fixture
def world(make_unit, make_window, make_staff) -> World:
    province = make_unit("湖南省住房和城乡建设厅", code="HN")
    city_a = make_unit("长沙市住房和城乡建设局", parent=province, code="CS")
    county_a = make_unit("望城区住房和城乡建设局", parent=city_a, code="CS-WC")
    hall_a = make_unit("望城区政务服务大厅", parent=county_a, kind=UnitKind.HALL, code="CS-WC-H")
    city_b = make_unit("株洲市住房和城乡建设局", parent=province, code="ZZ")
    county_b = make_unit("醴陵市住房和城乡建设局", parent=city_b, code="ZZ-LL")
    hall_b = make_unit("醴陵市政务服务大厅", parent=county_b, kind=UnitKind.HALL, code="ZZ-LL-H")
    window_a1 = make_window(hall=hall_a, name="不动产登记窗口")
    window_a2 = make_window(hall=hall_a, name="公积金窗口")
    window_b = make_window(hall=hall_b, name="物业管理窗口")
    return World(
        province,
        city_a,
        county_a,
        hall_a,
        city_b,
        county_b,
        hall_b,
        window_a1,
        window_a2,
        window_b,
        staff_a1=make_staff(window=window_a1, name="张伟", badge_no="CS001"),
        staff_a1b=make_staff(window=window_a1, name="王芳", badge_no="CS002"),
        staff_a2=make_staff(window=window_a2, name="李娜", badge_no="CS003"),
        staff_b=make_staff(window=window_b, name="刘洋", badge_no="ZZ001"),
    )


@pytest.fixture
def user_of(world, make_user) -> Callable[..., User]:
    """``user_of(role)``: a user of ``role`` whose scope is city A's side of the world."""

    def _make(role: Role, side: str = "a") -> User:
        scope: dict[str, Any] = {
            Role.ADMIN: {},
            Role.SUPERVISOR: {"org_unit": getattr(world, f"city_{side}")},
            Role.OPERATOR: {"org_unit": getattr(world, f"city_{side}")},
            Role.MANAGER: {
                "windows": [getattr(world, f"window_{side}1" if side == "a" else "window_b")]
            },
            Role.STAFF: {"staff": getattr(world, f"staff_{side}1" if side == "a" else "staff_b")},
        }[role]
        return make_user(role, username=f"{role.value}-{side}", **scope)

    return _make


@pytest.fixture
def as_role(user_of, sign_in) -> Callable[..., FlaskClient]:
    return lambda role, side="a": sign_in(user_of(role, side))


def url(app: Flask, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def call(client: FlaskClient, method: str, path: str, data: dict | None = None):
    return client.open(path, method=method, data=data or {})


# --- anonymous visitors --------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "method"), anonymous_cases())
def test_anonymous_visitors_are_sent_to_sign_in(app, route, method):
    path = url(app, route.endpoint, **placeholder_args(route, missing=False))
    response = call(app.test_client(), method, path)

    if path.startswith("/api/"):
        assert response.status_code == 401
        assert response.json["error"]["status"] == 401
        return
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [path]


@pytest.mark.parametrize(
    ("route", "method"),
    [pytest.param(r, m, id=f"{r}-{m}") for r in device_routes() for m in r.methods],
)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin-session"])
def test_device_routes_refuse_requests_without_a_key(app, as_role, route, method, signed_in):
    """A device key is the only way in: not even an administrator's session will do."""
    client = as_role(Role.ADMIN) if signed_in else app.test_client()
    path = url(app, route.endpoint, **placeholder_args(route, missing=False))
    response = client.open(path, method=method, json={})
    assert response.status_code == 401
    assert response.json["error"]["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_redirect_keeps_the_query_string(client):
    response = client.get("/admin/windows?q=%E7%AA%97&page=2")
    location = urlsplit(response.headers["Location"])
    assert parse_qs(location.query)["next"] == ["/admin/windows?q=%E7%AA%97&page=2"]


# --- signed in with the wrong role -------------------------------------------------------------


@pytest.mark.parametrize(("route", "method", "role"), wrong_role_cases())
def test_wrong_role_is_refused(app, as_role, route, method, role):
    client = as_role(role)
    path = url(app, route.endpoint, **placeholder_args(route, missing=False))
    assert call(client, method, path).status_code == 403


def test_every_protected_route_is_in_the_tables():
    """Guards the generators above: an empty url map would make every test pass."""
    endpoints = {r.endpoint for r in protected_routes()}
    assert {"accounts.users", "orgs.edit", "windows.edit", "windows.edit_staff"} <= endpoints
    assert len(wrong_role_cases()) > len(endpoints)


# --- signed in with the right role, on objects inside one's scope -----------------------------

# URL arguments naming objects inside the scope of ``user_of(role)``.
IN_SCOPE: dict[str, Callable[[World, User], dict[str, Any]]] = {
    "orgs.edit": lambda w, _u: {"code": w.county_a.code},
    "windows.edit": lambda w, _u: {"code": w.window_a1.code},
    "windows.new_staff": lambda w, _u: {"code": w.window_a1.code},
    "windows.edit_staff": lambda w, _u: {"staff_id": w.staff_a1.id},
    "accounts.edit_user": lambda _w, u: {"user_id": u.id},
}


def right_role_cases():
    cases = []
    for route in protected_routes():
        if "GET" not in route.methods:
            continue
        if has_object_arguments(route) and route.endpoint not in IN_SCOPE:
            continue  # pages of other domains test their own objects
        for role in route.roles or ROLES:
            cases.append(pytest.param(route, role, id=f"{route}-{role.value}"))
    return cases


@pytest.mark.parametrize(("route", "role"), right_role_cases())
def test_right_role_in_scope_opens_the_page(app, world, user_of, sign_in, route, role):
    """The other side of the 403 tests: the same pages do open for those who may."""
    user = user_of(role)
    values = placeholder_args(route, missing=False)
    if route.endpoint in IN_SCOPE:
        values.update(IN_SCOPE[route.endpoint](world, user))
    response = sign_in(user).get(url(app, route.endpoint, **values))
    assert response.status_code == 200, response.status_code


# --- signed in with the right role, on objects outside one's scope -------------------------------


def _outside_scope_cases() -> list:
    w = "world"
    return [
        # a manager on another manager's window, even in the same hall, and on its staff
        (Role.MANAGER, "GET", "windows.edit", {"code": (w, "window_a2")}),
        (Role.MANAGER, "GET", "windows.edit", {"code": (w, "window_b")}),
        (Role.MANAGER, "GET", "windows.new_staff", {"code": (w, "window_a2")}),
        (Role.MANAGER, "GET", "windows.edit_staff", {"staff_id": (w, "staff_a2")}),
        (Role.MANAGER, "GET", "windows.edit_staff", {"staff_id": (w, "staff_b")}),
        # a supervisor of city A on city B, on the province above, and on their own root
        (Role.SUPERVISOR, "GET", "orgs.edit", {"code": (w, "city_b")}),
        (Role.SUPERVISOR, "GET", "orgs.edit", {"code": (w, "county_b")}),
        (Role.SUPERVISOR, "GET", "orgs.edit", {"code": (w, "hall_b")}),
        (Role.SUPERVISOR, "GET", "orgs.edit", {"code": (w, "province")}),
        (Role.SUPERVISOR, "GET", "orgs.edit", {"code": (w, "city_a")}),
        (Role.SUPERVISOR, "GET", "windows.edit", {"code": (w, "window_b")}),
        (Role.SUPERVISOR, "GET", "windows.new_staff", {"code": (w, "window_b")}),
        (Role.SUPERVISOR, "GET", "windows.edit_staff", {"staff_id": (w, "staff_b")}),
        (Role.SUPERVISOR, "GET", "windows.index", {"unit": (w, "city_b")}),
        (Role.SUPERVISOR, "GET", "windows.index", {"unit": (w, "province")}),
        (Role.OPERATOR, "GET", "windows.index", {"unit": (w, "hall_b")}),
    ]


def _resolve(world: World, values: dict) -> dict[str, Any]:
    resolved = {}
    for name, (_w, attr) in values.items():
        obj = getattr(world, attr)
        resolved[name] = obj.id if name.endswith("_id") else obj.code
    return resolved


@pytest.mark.parametrize(
    ("role", "method", "endpoint", "values"),
    [
        pytest.param(*case, id=f"{case[0].value}-{case[2]}-{next(iter(case[3].values()))[1]}")
        for case in _outside_scope_cases()
    ],
)
def test_right_role_outside_scope_is_refused(app, world, as_role, role, method, endpoint, values):
    client = as_role(role)
    assert call(client, method, url(app, endpoint, **_resolve(world, values))).status_code == 403


def test_outside_scope_cases_open_for_the_other_side(app, world, as_role):
    """The same objects open for city B's supervisor: the 403s above are about scope."""
    client = as_role(Role.SUPERVISOR, "b")
    assert client.get(url(app, "orgs.edit", code=world.county_b.code)).status_code == 200
    assert client.get(url(app, "windows.edit", code=world.window_b.code)).status_code == 200
    assert client.get(url(app, "windows.edit_staff", staff_id=world.staff_b.id)).status_code == 200
    assert client.get(url(app, "windows.index", unit=world.city_b.code)).status_code == 200


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_supervisor_cannot_create_a_unit_in_another_city(app, world, as_role):
    client = as_role(Role.SUPERVISOR)
    data = {"code": "ZZ-NEW", "name": "新县局", "kind": "county", "parent": world.city_b.code}
    assert client.post("/admin/org-units/new", data=data).status_code == 403
    assert _count(OrgUnit, OrgUnit.code == "ZZ-NEW") == 0
    # ... while under their own city it works.
    data = {**data, "code": "CS-NEW", "parent": world.city_a.code}
    assert client.post("/admin/org-units/new", data=data).status_code == 302
    assert _count(OrgUnit, OrgUnit.code == "CS-NEW") == 1


def test_supervisor_cannot_create_a_root_unit(app, world, as_role):
    client = as_role(Role.SUPERVISOR)
    data = {"code": "ROOT2", "name": "另一个省厅", "kind": "province", "parent": ""}
    assert client.post("/admin/org-units/new", data=data).status_code == 200
    assert _count(OrgUnit, OrgUnit.code == "ROOT2") == 0


def test_supervisor_cannot_create_a_window_in_another_city(app, world, as_role, category):
    client = as_role(Role.SUPERVISOR)
    data = {"name": "新窗口", "org_unit": world.hall_b.code, "category": str(category.id)}
    before = _count(Window)
    assert client.post("/admin/windows/new", data=data).status_code == 403
    assert _count(Window) == before


def test_supervisor_cannot_move_a_window_to_another_city(app, world, as_role):
    client = as_role(Role.SUPERVISOR)
    window = world.window_a1
    data = {
        "name": window.name,
        "org_unit": world.hall_b.code,
        "category": str(window.category_id),
        "active": "y",
    }
    assert client.post(url(app, "windows.edit", code=window.code), data=data).status_code == 403
    assert _count(Window, Window.id == window.id, Window.org_unit_id == world.hall_a.id) == 1


def test_supervisor_cannot_rename_a_unit_of_another_city(app, world, as_role):
    client = as_role(Role.SUPERVISOR)
    path = url(app, "orgs.edit", code=world.county_b.code)
    assert client.post(path, data={"name": "改名", "active": "y"}).status_code == 403
    assert _count(OrgUnit, OrgUnit.name == "改名") == 0


def test_manager_cannot_change_another_managers_window(app, world, as_role):
    client = as_role(Role.MANAGER)
    path = url(app, "windows.edit", code=world.window_a2.code)
    assert client.post(path, data={"location": "被改了"}).status_code == 403
    assert _count(Window, Window.location == "被改了") == 0


def test_manager_edits_the_public_text_but_not_the_settings_of_their_window(app, world, as_role):
    client = as_role(Role.MANAGER)
    window = world.window_a1
    data = {"location": "一楼3号", "name": "改名窗口", "org_unit": world.hall_b.code, "active": ""}
    assert client.post(url(app, "windows.edit", code=window.code), data=data).status_code == 302
    db.session.expire_all()
    window = db.session.get(Window, window.id)
    assert window.location == "一楼3号"
    assert (window.name, window.org_unit_id, window.active) == (
        "不动产登记窗口",
        world.hall_a.id,
        True,
    )


STAFF_FORBIDDEN = [
    ("accounts.users", {}),
    ("accounts.new_user", {}),
    ("orgs.index", {}),
    ("orgs.new", {}),
    ("windows.index", {}),
    ("windows.new", {}),
    ("windows.import_data", {}),
    ("audit.index", {}),
    ("windows.edit", {"code": "window_a1"}),
    ("windows.new_staff", {"code": "window_a1"}),
    ("windows.edit_staff", {"staff_id": "staff_a1"}),
]


@pytest.mark.parametrize(
    ("endpoint", "values"), STAFF_FORBIDDEN, ids=[e for e, _v in STAFF_FORBIDDEN]
)
def test_staff_user_cannot_open_admin_pages(app, world, as_role, endpoint, values):
    """Even their own window's and their own record's admin pages."""
    client = as_role(Role.STAFF)
    resolved = {
        k: getattr(getattr(world, v), "id" if k.endswith("_id") else "code")
        for k, v in values.items()
    }
    assert client.get(url(app, endpoint, **resolved)).status_code == 403


# --- unknown objects -----------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "method"), missing_object_cases())
def test_unknown_object_is_404(app, world, as_role, route, method):
    role = Role.ADMIN if not route.roles or Role.ADMIN in route.roles else route.roles[0]
    client = as_role(role)
    path = url(app, route.endpoint, **placeholder_args(route, missing=True))
    assert call(client, method, path).status_code == 404


@pytest.mark.parametrize(
    ("role", "endpoint", "values"),
    [
        (Role.SUPERVISOR, "orgs.edit", {"code": "NO-SUCH"}),
        (Role.SUPERVISOR, "windows.edit", {"code": "nosuchwin"}),
        (Role.MANAGER, "windows.edit", {"code": "nosuchwin"}),
        (Role.MANAGER, "windows.edit_staff", {"staff_id": 999_999}),
        (Role.SUPERVISOR, "windows.index", {"unit": "NO-SUCH"}),
        (Role.ADMIN, "windows.index", {"unit": "NO-SUCH"}),
    ],
)
def test_unknown_object_is_404_before_any_scope_check(app, world, as_role, role, endpoint, values):
    client = as_role(role)
    assert client.get(url(app, endpoint, **values)).status_code == 404


# --- lists show only what one may see -----------------------------------------------------------


def codes_shown(html: str) -> set[str]:
    return set(re.findall(r"<code>([^<]+)</code>", html))


def _windows(world: World, *names: str) -> set[str]:
    return {getattr(world, name).code for name in names}


ALL_UNITS = {"HN", "CS", "CS-WC", "CS-WC-H", "ZZ", "ZZ-LL", "ZZ-LL-H"}


@pytest.mark.parametrize(
    ("role", "side", "expected"),
    [
        (Role.ADMIN, "a", ("window_a1", "window_a2", "window_b")),
        (Role.SUPERVISOR, "a", ("window_a1", "window_a2")),
        (Role.SUPERVISOR, "b", ("window_b",)),
        (Role.OPERATOR, "a", ("window_a1", "window_a2")),
        (Role.MANAGER, "a", ("window_a1",)),
        (Role.MANAGER, "b", ("window_b",)),
    ],
)
def test_window_list_shows_only_visible_windows(world, as_role, role, side, expected):
    response = as_role(role, side).get("/admin/windows")
    assert response.status_code == 200
    assert codes_shown(response.text) == _windows(world, *expected)


def test_window_list_narrowed_to_a_unit_stays_inside_the_scope(world, as_role):
    client = as_role(Role.SUPERVISOR)
    response = client.get(f"/admin/windows?unit={world.hall_a.code}")
    assert codes_shown(response.text) == _windows(world, "window_a1", "window_a2")


@pytest.mark.parametrize(
    ("role", "side", "expected"),
    [
        (Role.ADMIN, "a", ALL_UNITS),
        (Role.SUPERVISOR, "a", {"CS", "CS-WC", "CS-WC-H"}),
        (Role.SUPERVISOR, "b", {"ZZ", "ZZ-LL", "ZZ-LL-H"}),
        (Role.OPERATOR, "a", {"CS", "CS-WC", "CS-WC-H"}),
    ],
)
def test_unit_list_shows_only_the_subtree(world, as_role, role, side, expected):
    response = as_role(role, side).get("/admin/org-units/")
    assert response.status_code == 200
    assert codes_shown(response.text) == expected


def test_supervisor_of_a_county_sees_neither_siblings_nor_parents(
    app, world, make_unit, make_user, sign_in
):
    sibling = make_unit("开福区住房和城乡建设局", parent=world.city_a, code="CS-KF")
    supervisor = make_user(Role.SUPERVISOR, username="county-sup", org_unit=world.county_a)
    client = sign_in(supervisor)
    assert codes_shown(client.get("/admin/org-units/").text) == {"CS-WC", "CS-WC-H"}
    assert client.get(url(app, "orgs.edit", code=sibling.code)).status_code == 403


# --- the object rules themselves: a truth table for may() ---------------------------------------

UNITS = ("province", "city_a", "county_a", "hall_a", "city_b")
WINDOWS = ("window_a1", "window_a2", "window_b")
STAFF = ("staff_a1", "staff_a1b", "staff_a2", "staff_b")
ACTIONS = {
    "unit": ("view", "edit", "add_under"),
    "window": ("view", "edit", "manage"),
    "staff": ("view", "edit"),
    "user": ("view", "edit"),
}


def _table(allowed: set[tuple[str, str]]) -> dict[tuple[str, str], bool]:
    """Every (action, object) pair of the world, True where listed in ``allowed``."""
    pairs = [(a, o) for a in ACTIONS["unit"] for o in UNITS]
    pairs += [(a, o) for a in ACTIONS["window"] for o in WINDOWS]
    pairs += [(a, o) for a in ACTIONS["staff"] for o in STAFF]
    pairs += [(a, "other_user") for a in ACTIONS["user"]]
    return {pair: pair in allowed for pair in pairs}


def _each(actions, objects) -> set[tuple[str, str]]:
    return {(a, o) for a in actions for o in objects}


EVERYTHING = set(_table(set()))
EXPECTED = {
    "admin": _table(EVERYTHING),
    "disabled admin": _table(set()),
    "anonymous": _table(set()),
    "supervisor": _table(
        _each(["view"], ["city_a", "county_a", "hall_a"])
        | _each(["edit"], ["county_a", "hall_a"])  # not their own root
        | _each(["add_under"], ["city_a", "county_a", "hall_a"])
        | _each(ACTIONS["window"], ["window_a1", "window_a2"])
        | _each(ACTIONS["staff"], ["staff_a1", "staff_a1b", "staff_a2"])
    ),
    "operator": _table(
        _each(["view"], ["city_a", "county_a", "hall_a"])
        | _each(["view"], ["window_a1", "window_a2"])
        | _each(["view"], ["staff_a1", "staff_a1b", "staff_a2"])
    ),
    "manager": _table(
        _each(["view", "edit"], ["window_a1"]) | _each(["view", "edit"], ["staff_a1", "staff_a1b"])
    ),
    "staff": _table(_each(["view"], ["window_a1", "staff_a1"])),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_may_truth_table(world, user_of, make_user, who):
    if who == "anonymous":
        user: Any = AnonymousUserMixin()
    elif who == "disabled admin":
        user = make_user(Role.ADMIN, username="retired")
        user.active = False
    else:
        user = user_of(Role(who))
    objects = {name: getattr(world, name) for name in (*UNITS, *WINDOWS, *STAFF)}
    objects["other_user"] = make_user(Role.ADMIN, username="someone-else")

    actual = {(action, name): may(user, action, objects[name]) for action, name in EXPECTED[who]}
    assert actual == EXPECTED[who]


def test_may_refuses_unknown_actions_and_objects(world, user_of):
    admin = user_of(Role.ADMIN)
    assert may(admin, "view", world.window_a1)
    assert not may(admin, "delete", world.window_a1)
    assert not may(admin, "view", "a string")
    assert not may(admin, "view", None)
