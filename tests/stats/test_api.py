"""The statistics API: bearer tokens of users, scoped like the user, and the tokens' CLI."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from feedback import clock
from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.extensions import db
from feedback.stats.models import ApiToken
from feedback.stats.tokens import hash_token
from tests.api.api_support import assert_matches
from tests.stats.conftest import utc

TOKEN_RE = re.compile(r"^mst_([a-z0-9]{8})_([A-Za-z0-9]{32})$", re.MULTILINE)


def make_token(runner, username: str) -> str:
    result = runner.invoke(args=["token", "create", username, "--name", "省级平台"])
    assert result.exit_code == 0, result.output
    return TOKEN_RE.search(result.output).group(0)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def province(rate, make_unit, make_hall, make_window):
    """Two halls in two cities; ratings on 2 March 2026 (local)."""
    root = make_unit("湖南省住房和城乡建设厅", code="HN")
    city = make_unit("长沙市住房和城乡建设局", parent=root, code="HN-CS")
    other_city = make_unit("株洲市住房和城乡建设局", parent=root, code="HN-ZZ")
    hall = make_hall(parent=make_unit("望城区", parent=city))
    other_hall = make_hall(parent=make_unit("芦淞区", parent=other_city))
    mine, theirs = make_window(hall=hall), make_window(hall=other_hall)
    rate(mine, 5, at=utc(2026, 3, 2, 2), speed=5)
    rate(mine, 4, at=utc(2026, 3, 2, 3), speed=3)
    rate(mine, 1, at=utc(2026, 3, 2, 4))
    rate(mine, 2, at=utc(2026, 3, 2, 5), flagged=True)
    rate(theirs, 3, at=utc(2026, 3, 2, 2))
    rate(mine, 5, at=utc(2026, 4, 2, 2))  # outside the period asked for
    return {"root": root, "city": city, "other_city": other_city, "mine": mine,
            "theirs": theirs}


PERIOD = "?from=2026-03-01&to=2026-03-31"


def test_a_managers_token_sees_their_windows_figures_and_nothing_else(
    client, runner, make_user, province
):
    mine, theirs = province["mine"], province["theirs"]
    make_user(Role.MANAGER, username="wang", windows=[mine])
    token = make_token(runner, "wang")
    response = client.get(f"/api/v1/windows/{mine.code}/stats{PERIOD}", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert_matches("WindowStats", body)
    assert body["window"]["code"] == mine.code
    assert (body["from"], body["to"]) == ("2026-03-01", "2026-03-31")
    assert body["count"] == 3
    assert body["counts"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    assert body["index"] == pytest.approx(58.33, abs=0.01)
    assert body["good_share"] == pytest.approx(0.6667, abs=1e-4)
    assert body["bad_share"] == pytest.approx(0.3333, abs=1e-4)
    assert body["flagged"] == 1  # counted apart, not in count
    assert body["dimensions"] == {"speed": 4.0}
    # Outside the manager's scope: as if it did not exist.
    assert client.get(f"/api/v1/windows/{theirs.code}/stats",
                      headers=bearer(token)).status_code == 404
    assert client.get("/api/v1/windows/nosuchcode/stats", headers=bearer(token)).status_code == 404
    assert client.get("/api/v1/org-units/HN-CS/stats", headers=bearer(token)).status_code == 404


def test_a_supervisors_token_sees_their_subtree(client, runner, make_user, province):
    make_user(Role.SUPERVISOR, username="lili", org_unit=province["city"])
    token = make_token(runner, "lili")
    response = client.get(f"/api/v1/org-units/HN-CS/stats{PERIOD}", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert_matches("OrgUnitStats", body)
    assert body["org_unit"]["code"] == "HN-CS"
    assert (body["windows"], body["count"], body["flagged"]) == (1, 3, 1)
    for outside in ("HN", "HN-ZZ", "NOPE"):
        assert client.get(f"/api/v1/org-units/{outside}/stats",
                          headers=bearer(token)).status_code == 404
    assert client.get(f"/api/v1/windows/{province['theirs'].code}/stats",
                      headers=bearer(token)).status_code == 404
    make_user(Role.ADMIN, username="root")
    whole = client.get(f"/api/v1/org-units/HN/stats{PERIOD}",
                       headers=bearer(make_token(runner, "root"))).get_json()
    assert (whole["windows"], whole["count"]) == (2, 4)


def test_default_period_is_the_last_30_days(client, runner, make_user, province):
    make_user(Role.ADMIN, username="root")
    token = make_token(runner, "root")
    with clock.frozen_at(utc(2026, 3, 31, 4)):
        body = client.get(f"/api/v1/windows/{province['mine'].code}/stats",
                          headers=bearer(token)).get_json()
    assert (body["from"], body["to"], body["count"]) == ("2026-03-02", "2026-03-31", 3)


@pytest.mark.parametrize("query, field", [
    ("?from=2026-13-01", "from"),
    ("?to=yesterday", "to"),
    ("?from=2026-3-1", "from"),
    ("?from=2026-03-31&to=2026-03-01", "from"),
    ("?from=2020-01-01&to=2026-01-01", "from"),
])
def test_bad_dates_are_a_400_json_error(client, runner, make_user, province, query, field):
    make_user(Role.ADMIN, username="root")
    token = make_token(runner, "root")
    for url in (f"/api/v1/windows/{province['mine'].code}/stats{query}",
                f"/api/v1/org-units/HN/stats{query}"):
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 400
        assert_matches("Error", response.get_json())
        assert field in response.get_json()["error"]["errors"]


def test_without_a_valid_token_the_answer_is_401(client, runner, make_user, province):
    code = province["mine"].code
    make_user(Role.ADMIN, username="root")
    token = make_token(runner, "root")
    for headers in ({}, bearer(token[:-1] + ("a" if token[-1] != "a" else "b")),
                    bearer("mst_aaaaaaaa_" + "A" * 32), {"Authorization": token}):
        response = client.get(f"/api/v1/windows/{code}/stats", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert_matches("Error", response.get_json())
    # A device key is not a user token.
    from feedback.evaluations.devices import create_device

    _device, key = create_device(None, "评价器", [province["mine"]])
    db.session.commit()
    assert client.get(f"/api/v1/windows/{code}/stats", headers=bearer(key)).status_code == 401


def test_tokens_are_stored_hashed_shown_once_revocable_and_record_their_use(
    client, runner, make_user, province
):
    user = make_user(Role.ADMIN, username="root")
    token = make_token(runner, "root")
    prefix = TOKEN_RE.match(token).group(1)
    stored = db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    assert stored.user_id == user.id and stored.name == "省级平台"
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert stored.last_used_at is None
    listing = runner.invoke(args=["token", "list"]).output
    assert prefix in listing and "root" in listing and "never" in listing
    assert token not in listing
    url = f"/api/v1/windows/{province['mine'].code}/stats"
    with clock.frozen_at(utc(2026, 3, 31, 4)):
        assert client.get(url, headers=bearer(token)).status_code == 200
    db.session.refresh(stored)
    assert stored.last_used_at == utc(2026, 3, 31, 4)

    result = runner.invoke(args=["token", "revoke", prefix])
    assert result.exit_code == 0, result.output
    assert client.get(url, headers=bearer(token)).status_code == 401
    assert runner.invoke(args=["token", "revoke", prefix]).exit_code != 0
    assert "revoked" in runner.invoke(args=["token", "list", "root"]).output
    actions = list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions[-2:] == ["api_token.create", "api_token.revoke"]


def test_a_disabled_users_token_stops_working(client, runner, make_user, province):
    make_user(Role.ADMIN, username="root")
    token = make_token(runner, "root")
    url = f"/api/v1/windows/{province['mine'].code}/stats"
    assert client.get(url, headers=bearer(token)).status_code == 200
    assert runner.invoke(args=["user", "disable", "root"]).exit_code == 0
    assert client.get(url, headers=bearer(token)).status_code == 401


def test_token_create_refuses_an_unknown_user(runner):
    result = runner.invoke(args=["token", "create", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output
    assert db.session.scalar(select(ApiToken)) is None


def test_stats_rebuild_command(runner, rate, province):
    from feedback.stats.models import WindowDayStats
    from feedback.stats.queries import window_summary

    db.session.execute(WindowDayStats.__table__.delete())
    db.session.commit()
    assert window_summary([province["mine"].id], date(2026, 3, 1), date(2026, 3, 31)).n == 0
    result = runner.invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "6 evaluations" in result.output
    assert window_summary([province["mine"].id], date(2026, 3, 1), date(2026, 3, 31)).n == 3
    result = runner.invoke(args=["stats", "rebuild", "--window", "nosuch"])
    assert result.exit_code != 0
