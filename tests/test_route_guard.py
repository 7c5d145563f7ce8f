"""Every route declares who may call it; a route that declares nothing is refused.

The access rules themselves are tested in ``test_access.py``; this file proves that no route
can slip through without one, and that a new public route is a conscious decision.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from feedback.accounts.models import Role
from feedback.api.auth import API_TOKEN, DEVICE
from feedback.permissions import PUBLIC, access_rule_of, public

# Routes anyone may call without signing in. Adding one here is a decision: say why.
PUBLIC_ENDPOINTS = {
    "static": "CSS, images",
    "main.home": "the landing page; shows more when signed in",
    "main.set_language": "choosing the interface language",
    "main.healthz": "readiness check of the load balancer",
    "main.readiness": "readiness with the periodic steps: when each last ran",
    "main.liveness": "liveness check of the process",
    "accounts.login": "signing in",
    "windows.staff_photo": "staff on duty show their face on the window's public page (亮身份)",
    "rate.form": "citizens rate a window from its desk-card QR code, without an account",
    "rate.token_form": "citizens rate one transaction from the QR code on a receipt (一事一评)",
    "rate.about": "a window's public page: staff, commitments, disclosures (亮承诺, 五公开)",
    "api.list_windows": "active windows' public fields (code, name, unit, trade), rate limited",
    "api.openapi": "the API's description; documents no data",
    "cases_public.track": "citizens look up their case with tracking number + second factor",
    "cases_public.case": "a citizen's own case, only after a successful lookup in this session",
    "cases_public.verdict": "the citizen's verdict on the handling, after a successful lookup",
    "cases_public.window_box": "the suggestion box of one window (意见箱), rate limited",
    "cases_public.box": "the general suggestion box, choosing the service hall, rate limited",
    "notices_public.index": "published notices (通报) and last month's best and worst windows: "
                            "public fields only, no personal data",
}


def access_rules(app: Flask) -> dict[str, object]:
    """``{endpoint: access rule}`` for every route of ``app`` (None where none is declared)."""
    with app.test_request_context():
        return {rule.endpoint: access_rule_of(rule.endpoint) for rule in app.url_map.iter_rules()}


def undeclared_endpoints(app: Flask) -> list[str]:
    return sorted(endpoint for endpoint, rule in access_rules(app).items() if rule is None)


def _is_well_formed(rule: object) -> bool:
    if rule in (PUBLIC, DEVICE, API_TOKEN):
        return True
    return (
        isinstance(rule, tuple)
        and len(rule) == 2
        and rule[0] == "login"
        and isinstance(rule[1], tuple)
        and all(isinstance(role, Role) for role in rule[1])
    )


def test_every_route_declares_an_access_rule(app):
    assert undeclared_endpoints(app) == []


def test_every_access_rule_is_well_formed(app):
    """A typo such as ``"pubic"`` would be truthy and pass the check above."""
    malformed = {e: r for e, r in access_rules(app).items() if not _is_well_formed(r)}
    assert malformed == {}


def test_public_routes_are_exactly_the_allow_list(app):
    public = {endpoint for endpoint, rule in access_rules(app).items() if rule == PUBLIC}
    assert public - PUBLIC_ENDPOINTS.keys() == set(), "new public routes: add them on purpose"
    assert PUBLIC_ENDPOINTS.keys() - public == set(), "stale entries in PUBLIC_ENDPOINTS"


def test_public_rule_is_read_from_the_view_function_too(app):
    """``access_rule_of`` and the attribute on the view agree (static aside)."""
    with app.test_request_context():
        for endpoint, view in app.view_functions.items():
            if endpoint != "static":
                assert access_rule_of(endpoint) == getattr(view, "access_rule", None)


def _app_with_undecorated_route(make_app) -> Flask:
    throwaway = make_app()
    bp = Blueprint("throwaway", __name__)

    @bp.route("/throwaway/secret")
    def secret():
        return "the secret page"

    @bp.route("/throwaway/open")
    def open_page():
        return "declared"

    public(open_page)  # the same function object Flask calls, so it carries the rule
    throwaway.register_blueprint(bp)
    return throwaway


def test_the_check_reports_an_undecorated_route(make_app):
    throwaway = _app_with_undecorated_route(make_app)
    assert undeclared_endpoints(throwaway) == ["throwaway.secret"]


def test_an_undecorated_route_answers_403_to_anyone(app, make_app, make_user):
    make_user(Role.ADMIN, username="root", password="root-pass-123")
    throwaway = _app_with_undecorated_route(make_app)
    client = throwaway.test_client()

    response = client.get("/throwaway/secret")
    assert response.status_code == 403
    assert "the secret page" not in response.text
    assert client.get("/throwaway/open").text == "declared"  # the guard itself lets rules pass

    client.post("/login", data={"username": "root", "password": "root-pass-123"})
    assert client.get("/admin/users").status_code == 200  # signed in as an administrator
    response = client.get("/throwaway/secret")
    assert response.status_code == 403
    assert "the secret page" not in response.text


def test_unknown_paths_still_answer_404(client):
    """The guard leaves routing errors to Flask instead of hiding them behind 403."""
    assert client.get("/no/such/page").status_code == 404
