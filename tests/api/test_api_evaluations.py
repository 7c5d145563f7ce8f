"""POST /api/v1/evaluations: a rating device stores what the citizen pressed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from api_support import assert_error, assert_matches, bearer, count
from sqlalchemy import select

from feedback import clock
from feedback.evaluations.models import Channel, Evaluation, EvaluationToken, FlagStatus
from feedback.extensions import db
from surveys import Level

NOW = datetime(2026, 5, 4, 1, 30, tzinfo=UTC)  # 09:30 in Changsha


@pytest.fixture
def device(make_device):
    """A device and its key for one window, as ``(window, key)``."""
    device, key = make_device()
    return device.windows[0], key


def post(client, key, body, **kwargs):
    return client.post("/api/v1/evaluations", headers=bearer(key), json=body, **kwargs)


def body_for(window, **fields):
    return {"window": window.code, "answers": {"overall": 5}, **fields}


@pytest.mark.parametrize("level", list(Level))
def test_every_level_is_stored_through_the_api(client, device, level):
    window, key = device
    response = post(client, key, {"window": window.code, "answers": {"overall": level.value}})
    assert response.status_code == 201
    body = response.get_json()
    assert_matches("Evaluation", body)
    stored = db.session.scalars(select(Evaluation)).one()
    assert body == {"id": stored.id, "level": level.value, "tracking_no": stored.tracking_no,
                    "access_code": body["access_code"], "verified": False, "flagged": False}
    assert (body["access_code"] is not None) == (level.value <= 2)
    assert stored.level == level.value
    assert stored.channel == Channel.DEVICE
    assert stored.window_id == window.id
    assert stored.flag_status == FlagStatus.COUNTED
    assert (stored.tracking_no is not None) == (level.value <= 2)


def test_a_bad_review_from_a_device_can_be_followed_at_track(app, client, device):
    """The device shows the tracking number and the code; the citizen finds the case with
    them, and a retry of the same answer shows the same code."""
    window, key = device
    first = post(client, key, body_for(window, answers={"overall": 1}, client_ref="r-1"))
    retry = post(client, key, body_for(window, answers={"overall": 1}, client_ref="r-1"))
    assert (first.status_code, retry.status_code) == (201, 200)
    body = first.get_json()
    assert retry.get_json() == body
    assert re.fullmatch(r"\d{6}", body["access_code"])

    citizen = app.test_client()
    wrong = str((int(body["access_code"]) + 1) % 10**6).zfill(6)
    refused = citizen.post("/track", data={"tracking_no": body["tracking_no"], "factor": wrong})
    assert refused.status_code == 422
    found = citizen.post("/track", data={"tracking_no": body["tracking_no"],
                                         "factor": body["access_code"]})
    assert found.status_code == 302
    assert citizen.get(found.headers["Location"]).status_code == 200


def test_answers_may_be_numbers_strings_and_lists(client, make_staff, make_device):
    staff = make_staff()
    _device, key = make_device([staff.window])
    response = post(client, key, {"window": staff.window.code, "answers": {
        "overall": "1", "speed": 2, "attitude": None, "staff": staff.id,
        "reasons": ["attitude", "slow"], "comment": "  排队太久  ", "not_a_question": [1, "x"],
    }})
    assert response.status_code == 201, response.get_json()
    stored = db.session.scalars(select(Evaluation)).one()
    assert stored.answers["overall"] == 1 and stored.answers["speed"] == 2
    assert "attitude" not in stored.answers and "not_a_question" not in stored.answers
    assert stored.staff_id == staff.id
    assert stored.answers["reasons"] == ["attitude", "slow"]
    assert stored.comment == "排队太久"


def test_a_retry_with_the_same_client_ref_stores_one(client, device):
    window, key = device
    first = post(client, key, body_for(window, client_ref="2026-05-04/0001"))
    second = post(client, key, body_for(window, client_ref="2026-05-04/0001"[:10] + ":0001"))
    retry = post(client, key, body_for(window, client_ref="2026-05-04/0001"[:10] + ":0001"))
    assert first.status_code == 422  # "/" is not allowed in a client_ref
    assert second.status_code == 201
    assert retry.status_code == 200
    assert retry.get_json() == second.get_json()
    assert count(Evaluation) == 1


def test_client_refs_are_per_device(client, make_window, make_device):
    window = make_window()
    _a, key_a = make_device([window])
    _b, key_b = make_device([window])
    assert post(client, key_a, body_for(window, client_ref="r1")).status_code == 201
    assert post(client, key_b, body_for(window, client_ref="r1")).status_code == 201
    assert count(Evaluation) == 2


def test_a_client_ref_reused_for_another_window_is_refused(client, make_window, make_device):
    first, second = make_window(), make_window()
    _device, key = make_device([first, second])
    assert post(client, key, body_for(first, client_ref="r1")).status_code == 201
    assert_error(post(client, key, body_for(second, client_ref="r1")), 409,
                 {"client_ref": "reused"})
    assert count(Evaluation) == 1


def test_a_retry_after_the_answers_were_refused_can_succeed(client, device):
    window, key = device
    bad = post(client, key, {"window": window.code, "answers": {"overall": 9}, "client_ref": "a"})
    assert_error(bad, 422, {"answers.overall": "not_a_level"})
    good = post(client, key, body_for(window, client_ref="a"))
    assert good.status_code == 201


def test_a_retry_is_answered_even_after_the_window_closed(client, device):
    window, key = device
    first = post(client, key, body_for(window, client_ref="r1"))
    window.active = False
    db.session.commit()
    retry = post(client, key, body_for(window, client_ref="r1"))
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.get_json() == first.get_json()
    assert_error(post(client, key, body_for(window, client_ref="r2")), 422,
                 {"window": "inactive"})


def test_rated_at_is_stored_when_given(client, device):
    window, key = device
    with clock.frozen_at(NOW):
        response = post(client, key, body_for(window, rated_at="2026-05-04T08:00:00+08:00"))
    assert response.status_code == 201
    stored = db.session.scalars(select(Evaluation)).one()
    assert stored.created_at == datetime(2026, 5, 4, 0, 0, tzinfo=UTC)


def test_a_slightly_fast_device_clock_is_accepted_as_now(client, device):
    window, key = device
    with clock.frozen_at(NOW):
        ahead = (NOW + timedelta(minutes=2)).isoformat()
        assert post(client, key, body_for(window, rated_at=ahead)).status_code == 201
    assert db.session.scalars(select(Evaluation)).one().created_at == NOW


@pytest.mark.parametrize(("rated_at", "code"), [
    ((NOW + timedelta(hours=1)).isoformat(), "in_future"),
    ((NOW - timedelta(days=4)).isoformat(), "too_old"),
    ("2026-05-04T09:30:00", "invalid"),  # no offset: whose 09:30?
    ("yesterday", "invalid"),
    ("2026-02-30T09:30:00+08:00", "invalid"),
    ("0001-01-01T00:00:00+14:00", "invalid"),  # before year 1 in UTC
    ("9999-12-31T23:59:59-14:00", "invalid"),  # after year 9999 in UTC
    ("2026-05-04", "invalid"),
])
def test_rated_at_out_of_bounds_is_refused(client, device, rated_at, code):
    window, key = device
    with clock.frozen_at(NOW):
        response = post(client, key, body_for(window, rated_at=rated_at))
    assert_error(response, 422, {"rated_at": code})
    assert count(Evaluation) == 0


def test_an_inactive_window_is_refused(client, device):
    window, key = device
    window.active = False
    db.session.commit()
    assert_error(post(client, key, body_for(window)), 422, {"window": "inactive"})
    assert count(Evaluation) == 0


def test_an_unknown_window_is_refused(client, device):
    _window, key = device
    assert_error(post(client, key, {"window": "nosuchwin", "answers": {"overall": 5}}), 422,
                 {"window": "unknown"})


# --- one evaluation per transaction ----------------------------------------------------------


def test_a_transaction_number_binds_the_evaluation_and_allows_one(client, device):
    window, key = device
    first = post(client, key, body_for(window, transaction_no="HN-2026-0001"))
    assert first.status_code == 201
    assert first.get_json()["verified"] is True
    token = db.session.scalars(select(EvaluationToken)).one()
    assert token.transaction_no == "HN-2026-0001" and token.used_at is not None
    again = post(client, key, body_for(window, transaction_no="HN-2026-0001"))
    assert_error(again, 409, {"transaction_no": "evaluated"})
    assert count(Evaluation) == 1
    stored = db.session.scalars(select(Evaluation)).one()
    assert stored.channel == Channel.DEVICE and stored.token_id == token.id


def test_refused_answers_leave_the_transaction_open(client, device):
    window, key = device
    bad = post(client, key, {"window": window.code, "answers": {}, "transaction_no": "T-9"})
    assert_error(bad, 422, {"answers.overall": "required"})
    assert count(EvaluationToken) == 0
    assert post(client, key, body_for(window, transaction_no="T-9")).status_code == 201


def issue(client, key, window, transaction_no="T-1"):
    response = client.post("/api/v1/tokens", headers=bearer(key),
                           json={"window": window.code, "transaction_no": transaction_no})
    assert response.status_code in (200, 201)
    return response.get_json()["token"]


def test_a_device_may_rate_with_a_token_once(client, device):
    window, key = device
    token = issue(client, key, window)
    first = post(client, key, body_for(window, token=token, transaction_no="T-1"))
    assert first.status_code == 201 and first.get_json()["verified"] is True
    assert_error(post(client, key, body_for(window, token=token)), 409, {"token": "used"})
    assert count(Evaluation) == 1


def test_an_expired_token_is_refused_to_a_device(app, client, device):
    window, key = device
    token = issue(client, key, window)
    later = clock.now() + timedelta(days=app.config["EVALUATION_TOKEN_DAYS"], minutes=1)
    with clock.frozen_at(later):
        assert_error(post(client, key, body_for(window, token=token)), 409, {"token": "expired"})
    assert count(Evaluation) == 0


@pytest.mark.parametrize(("fields", "errors"), [
    ({"token": "no-such-token"}, {"token": "unknown"}),
    ({"token": "TOKEN", "transaction_no": "T-2"}, {"transaction_no": "mismatch"}),
])
def test_token_problems_are_reported_per_field(client, device, fields, errors):
    window, key = device
    token = issue(client, key, window)
    if fields.get("token") == "TOKEN":
        fields = {**fields, "token": token}
    assert_error(post(client, key, body_for(window, **fields)), 422, errors)
    assert count(Evaluation) == 0


def test_a_token_of_another_window_is_refused(client, make_window, make_device):
    first, second = make_window(), make_window()
    _device, key = make_device([first, second])
    token = issue(client, key, first)
    assert_error(post(client, key, body_for(second, token=token)), 422, {"token": "other_window"})
    assert count(Evaluation) == 0


# --- malformed input: 4xx JSON of the one shape, never 500 -------------------------------------

RAW_BODIES = [
    b"",
    b"not json",
    b"{",
    b"[1, 2]",
    b"null",
    b"42",
    b'"overall"',
    b"\xff\xfe{\x00",
    b"[" * 20_000 + b"]" * 20_000,
    b'{"window": "x", "answers": {"overall": 1' + b"0" * 5000 + b"}}",
]


@pytest.mark.parametrize("raw", RAW_BODIES, ids=range(len(RAW_BODIES)))
def test_a_body_that_is_not_a_json_object_is_refused(client, device, raw):
    _window, key = device
    response = client.post("/api/v1/evaluations", headers=bearer(key), data=raw,
                           content_type="application/json")
    assert_error(response, 400)
    assert count(Evaluation) == 0


def test_an_oversized_body_is_refused(client, device):
    window, key = device
    body = body_for(window)
    body["answers"]["comment"] = "差" * 70_000
    assert_error(post(client, key, body), 413)
    assert count(Evaluation) == 0


@pytest.mark.parametrize("content_type", [None, "text/plain",
                                          "application/x-www-form-urlencoded"])
def test_a_json_body_is_read_whatever_its_content_type(client, device, content_type):
    """Small devices send none, and ``curl -d`` says it is a form."""
    window, key = device
    response = client.post("/api/v1/evaluations", headers=bearer(key),
                           data=json.dumps(body_for(window)), content_type=content_type)
    assert response.status_code == 201


BAD_BODIES = [
    ({}, {"window": "required", "answers": "required"}),
    ({"answers": {"overall": 5}}, {"window": "required"}),
    ({"window": None, "answers": {"overall": 5}}, {"window": "required"}),
    ({"window": 5, "answers": {"overall": 5}}, {"window": "invalid_type"}),
    ({"window": ["w"], "answers": {"overall": 5}}, {"window": "invalid_type"}),
    ({"window": "  ", "answers": {"overall": 5}}, {"window": "required"}),
    ({"window": "a\x00b", "answers": {"overall": 5}}, {"window": "invalid"}),
    ({"window": "w" * 33, "answers": {"overall": 5}}, {"window": "too_long"}),
    ({"window": "nosuchwin", "answers": {"overall": 5}}, {"window": "unknown"}),
    ({"window": "W", "answers": None}, {"answers": "required"}),
    ({"window": "W", "answers": [5]}, {"answers": "invalid_type"}),
    ({"window": "W", "answers": "overall=5"}, {"answers": "invalid_type"}),
    ({"window": "W", "answers": 5}, {"answers": "invalid_type"}),
    ({"window": "W", "answers": {}}, {"answers.overall": "required"}),
    ({"window": "W", "answers": {"overall": None}}, {"answers.overall": "required"}),
    ({"window": "W", "answers": {"overall": ""}}, {"answers.overall": "required"}),
    ({"window": "W", "answers": {"overall": 0}}, {"answers.overall": "not_a_level"}),
    ({"window": "W", "answers": {"overall": 6}}, {"answers.overall": "not_a_level"}),
    ({"window": "W", "answers": {"overall": -1}}, {"answers.overall": "not_a_level"}),
    ({"window": "W", "answers": {"overall": "6"}}, {"answers.overall": "not_a_level"}),
    ({"window": "W", "answers": {"overall": "five"}}, {"answers.overall": "not_a_level"}),
    ({"window": "W", "answers": {"overall": "\x00"}}, {"answers.overall": "not_a_level"}),
    ({"window": "W", "answers": {"overall": 10**30}}, {"answers.overall": "not_a_level"}),
    ({"window": "W", "answers": {"overall": 4.5}}, {"answers.overall": "invalid_type"}),
    ({"window": "W", "answers": {"overall": 5.0}}, {"answers.overall": "invalid_type"}),
    ({"window": "W", "answers": {"overall": True}}, {"answers.overall": "invalid_type"}),
    ({"window": "W", "answers": {"overall": {"v": 5}}}, {"answers.overall": "invalid_type"}),
    ({"window": "W", "answers": {"overall": [5, 4]}}, {"answers.overall": "invalid"}),
    ({"window": "W", "answers": {"overall": [[5]]}}, {"answers.overall": "invalid_type"}),
    ({"window": "W", "answers": {"overall": [None]}}, {"answers.overall": "invalid_type"}),
    ({"window": "W", "answers": {"overall": 5, "speed": 9}}, {"answers.speed": "not_a_level"}),
    ({"window": "W", "answers": {"overall": 1, "reasons": ["nope"]}},
     {"answers.reasons": "unknown_option"}),
    ({"window": "W", "answers": {"overall": 1, "reasons": list(range(60))}},
     {"answers.reasons": "invalid_type"}),
    ({"window": "W", "answers": {"overall": 5, "staff": 999_999}},
     {"answers.staff": "unknown_staff"}),
    ({"window": "W", "answers": {"overall": 5, "staff": "x\x00"}},
     {"answers.staff": "unknown_staff"}),
    ({"window": "W", "answers": {"overall": 5, "comment": "差" * 501}},
     {"answers.comment": "too_long"}),
    ({"window": "W", "answers": {"overall": 5, "comment": {"text": "hi"}}},
     {"answers.comment": "invalid_type"}),
    ({"window": "W", "answers": {"overall": 5}, "transaction_no": 12},
     {"transaction_no": "invalid_type"}),
    ({"window": "W", "answers": {"overall": 5}, "transaction_no": "T" * 65},
     {"transaction_no": "too_long"}),
    ({"window": "W", "answers": {"overall": 5}, "transaction_no": "T\x001"},
     {"transaction_no": "invalid"}),
    ({"window": "W", "answers": {"overall": 5}, "token": "not a token!"}, {"token": "invalid"}),
    ({"window": "W", "answers": {"overall": 5}, "token": ["x"]}, {"token": "invalid_type"}),
    ({"window": "W", "answers": {"overall": 5}, "rated_at": 1_714_800_000},
     {"rated_at": "invalid_type"}),
    ({"window": "W", "answers": {"overall": 5}, "rated_at": "2026-05-04T09:30:00\x00+08:00"},
     {"rated_at": "invalid"}),
    ({"window": "W", "answers": {"overall": 5}, "client_ref": "has space"},
     {"client_ref": "invalid"}),
    ({"window": "W", "answers": {"overall": 5}, "client_ref": "r" * 41},
     {"client_ref": "too_long"}),
    ({"window": "W", "answers": {"overall": 5}, "client_ref": 7}, {"client_ref": "invalid_type"}),
    ({"window": "W", "answers": {"overall": 5}, "windw": "W"}, {"windw": "unknown_field"}),
    ({"window": "W", "answers": {"overall": 5}, "phone": "13812345678"},
     {"phone": "unknown_field"}),
]


@pytest.mark.parametrize(("body", "errors"), BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_bad_bodies_are_refused_field_by_field(client, device, body, errors):
    window, key = device
    if body.get("window") == "W":
        body = {**body, "window": window.code}
    with clock.frozen_at(NOW):
        response = post(client, key, body)
    assert_error(response, 422, errors)
    assert count(Evaluation) == 0
    assert count(EvaluationToken) == 0


def test_answer_errors_come_in_both_languages(make_app, device):
    window, key = device
    # An app of its own: each request gets its own context, so the language is chosen afresh.
    client = make_app().test_client()
    error = assert_error(post(client, key, {"window": window.code, "answers": {"overall": 7}}),
                         422)
    overall = error["errors"]["answers.overall"]
    assert overall["message_en"] == "Please choose one of the five satisfaction levels."
    assert overall["message_zh"] == "请在五个满意度等级中选择一项。"
    assert overall["message"] == overall["message_zh"]  # Chinese unless asked otherwise
    english = client.post("/api/v1/evaluations?lang=en", headers=bearer(key),
                          json={"window": window.code, "answers": {"overall": 7}})
    assert assert_error(english, 422)["errors"]["answers.overall"]["message"] == (
        overall["message_en"])


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/api/v1/evaluations", 405),
    ("put", "/api/v1/evaluations", 405),
    ("delete", "/api/v1/windows", 405),
    ("get", "/api/v1/tokens", 405),
    ("get", "/api/v1/nothing", 404),
    ("post", "/api/v1/evaluations/1", 404),
    ("get", "/api/nothing", 404),
    ("get", "/api/v2/windows", 404),
])
def test_unknown_paths_and_methods_answer_json(client, method, path, status):
    assert_error(getattr(client, method)(path), status)
