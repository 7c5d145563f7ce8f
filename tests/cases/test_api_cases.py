"""``POST /api/v1/cases``: other intake systems open cases with a user's API token."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from feedback.accounts.models import Role
from feedback.cases.models import Case, CaseSource
from feedback.extensions import db
from feedback.stats.tokens import create_api_token
from tests.api.api_support import assert_error, assert_matches, bearer


@pytest.fixture
def token_of(app):
    def _token(user) -> str:
        _row, value = create_api_token(None, user, "12345平台")
        db.session.commit()
        return value

    return _token


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def test_an_intake_system_opens_a_case_and_a_retry_opens_nothing(client, world, token_of):
    key = token_of(world.operator)
    body = {"window": world.window_a.code, "kind": "complaint",
            "content": "12345转办：窗口要求提供\n无法提供的证明", "client_ref": "12345-2027-0001"}
    response = client.post("/api/v1/cases", json=body, headers=bearer(key))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert_matches("Case", created)
    assert created["window"] == world.window_a.code and created["hall"] == world.hall.code
    assert created["access_code"] and created["due_at"]
    case = db.session.scalars(select(Case)).one()
    assert case.source == CaseSource.API and case.created_by_id == world.operator.id
    assert case.content == "12345转办：窗口要求提供\n无法提供的证明"

    again = client.post("/api/v1/cases", json=body, headers=bearer(key))
    assert again.status_code == 200
    assert again.get_json() == created  # the same number and code
    assert count() == 1
    moved = client.post("/api/v1/cases", json={**body, "window": world.window_b.code},
                        headers=bearer(key))
    assert_error(moved, 409, {"client_ref": "reused"})


def test_a_case_about_a_hall_with_a_phone_number(client, world, token_of):
    response = client.post("/api/v1/cases", headers=bearer(token_of(world.admin)), json={
        "hall": world.hall.code, "kind": "praise", "content": "表扬",
        "phone": "13812345678", "consent": True})
    assert response.status_code == 201
    assert response.get_json()["access_code"] is None  # the phone's last four digits
    assert response.get_json()["window"] is None


@pytest.mark.parametrize(("body", "fields"), [
    ({"kind": "complaint", "content": "x"}, {"window": "required"}),
    ({"window": "w", "hall": "h", "kind": "complaint", "content": "x"}, {"window": "required"}),
    ({"window": "{a}", "kind": "bad_review", "content": "x"}, {"kind": "invalid"}),
    ({"window": "{a}", "kind": "complaint", "content": ""}, {"content": "required"}),
    ({"window": "{a}", "kind": "complaint", "content": "x" * 2001}, {"content": "too_long"}),
    ({"window": "{a}", "kind": "complaint", "content": "a\x00b"}, {"content": "invalid"}),
    ({"window": "{a}", "kind": "complaint", "content": "x", "consent": "yes"},
     {"consent": "invalid_type"}),
    ({"window": "{a}", "kind": "complaint", "content": "x", "colour": "red"},
     {"colour": "unknown_field"}),
    ({"window": "{c}", "kind": "complaint", "content": "x"}, {"window": "unknown"}),
    ({"window": "nosuchwin", "kind": "complaint", "content": "x"}, {"window": "unknown"}),
    ({"hall": "NO-SUCH", "kind": "complaint", "content": "x"}, {"hall": "unknown"}),
    ({"window": "{a}", "kind": "complaint", "content": "x", "phone": "12"}, {"phone": "invalid"}),
    ({"window": "{a}", "kind": "complaint", "content": "x", "phone": "13812345678"},
     {"consent": "invalid"}),
])
def test_bad_bodies_are_422_with_an_error_per_field(client, world, token_of, make_user, body,
                                                    fields):
    county_operator = make_user(Role.OPERATOR, username="op-wc", org_unit=world.county)
    codes = {"{a}": world.window_a.code, "{c}": world.window_c.code}
    body = {k: codes.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = client.post("/api/v1/cases", json=body, headers=bearer(token_of(county_operator)))
    assert_error(response, 422, fields)
    assert count() == 0


def test_no_token_bad_json_and_the_wrong_role(client, world, token_of):
    assert_error(client.post("/api/v1/cases", json={}), 401)
    key = token_of(world.operator)
    assert_error(client.post("/api/v1/cases", data="{", headers=bearer(key)), 400)
    assert_error(client.post("/api/v1/cases", json=[1], headers=bearer(key)), 400)
    manager = token_of(world.manager_a)
    refused = client.post("/api/v1/cases", headers=bearer(manager), json={
        "window": world.window_a.code, "kind": "complaint", "content": "x"})
    assert_error(refused, 403)
    assert count() == 0
