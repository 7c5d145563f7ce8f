"""GET /api/v1/windows: what anyone may know about the windows, a page at a time."""

from __future__ import annotations

import pytest
from api_support import assert_error, assert_matches
from sqlalchemy import select

from feedback.evaluations.links import qr_key
from feedback.extensions import db
from feedback.orgs.models import ServiceCategory, UnitKind
from feedback.windows.services import create_window


@pytest.fixture
def tree(make_unit, make_window, make_staff):
    """Two halls in two counties of one city; one window inactive, one of another trade."""
    province = make_unit("湖南省住房和城乡建设厅", code="HN")
    city = make_unit("长沙市住房和城乡建设局", parent=province, code="CS")
    county_a = make_unit("望城区住房和城乡建设局", parent=city, code="CS-WC")
    county_b = make_unit("浏阳市住房和城乡建设局", parent=city, code="CS-LY")
    hall_a = make_unit("望城政务服务大厅", parent=county_a, kind=UnitKind.HALL, code="CS-WC-H")
    hall_b = make_unit("浏阳政务服务大厅", parent=county_b, kind=UnitKind.HALL, code="CS-LY-H")
    fund = db.session.scalar(select(ServiceCategory).where(ServiceCategory.code == "housing_fund"))
    windows = {
        "a1": make_window(hall_a, "1号窗口"),
        "a2": make_window(hall_a, "2号窗口", commitments="承诺：一次办好"),
        "a3": make_window(hall_a, "3号窗口"),
        "b1": create_window(None, name="公积金窗口", org_unit=hall_b, category=fund),
    }
    make_staff(windows["a1"], name="李娜", badge_no="HN-SECRET-01")
    windows["a3"].active = False
    db.session.commit()
    return windows


def listing(client, query=""):
    response = client.get("/api/v1/windows" + query)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert_matches("WindowPage", body)
    return body


def test_only_active_windows_and_only_public_fields(client, tree):
    body = listing(client)
    assert [w["name"] for w in body["items"]] == ["1号窗口", "2号窗口", "公积金窗口"]
    assert body["total"] == 3 and body["pages"] == 1
    first = body["items"][0]
    assert first == {
        "code": tree["a1"].code,
        "name": "1号窗口",
        "org_unit": {"code": "CS-WC-H", "name": "望城政务服务大厅"},
        "category": {"code": "licensing", "name": "行政许可"},
    }
    text = client.get("/api/v1/windows").get_data(as_text=True)
    for secret in ("李娜", "HN-SECRET-01", qr_key(tree["a1"]), "一次办好", tree["a3"].code):
        assert secret not in text


def test_anyone_may_list_without_a_key_or_session(app, tree):
    response = app.test_client().get("/api/v1/windows")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_pages_are_stable_and_cover_every_window(client, tree):
    whole = [w["code"] for w in listing(client, "?per_page=200")["items"]]
    paged = []
    for page in (1, 2):
        body = listing(client, f"?per_page=2&page={page}")
        assert body["page"] == page and body["per_page"] == 2 and body["pages"] == 2
        paged += [w["code"] for w in body["items"]]
    assert paged == whole
    assert listing(client, "?per_page=2&page=3")["items"] == []


def test_filter_by_subtree_and_trade(client, tree):
    assert [w["name"] for w in listing(client, "?org_unit=CS-LY")["items"]] == ["公积金窗口"]
    assert len(listing(client, "?org_unit=CS")["items"]) == 3
    assert len(listing(client, "?org_unit=CS-WC-H")["items"]) == 2
    assert [w["name"] for w in listing(client, "?category=housing_fund")["items"]] == [
        "公积金窗口"]
    assert listing(client, "?org_unit=CS-WC&category=housing_fund")["items"] == []


@pytest.mark.parametrize(("query", "field"), [
    ("?page=0", "page"),
    ("?page=-1", "page"),
    ("?page=abc", "page"),
    ("?page=1.5", "page"),
    ("?page=９", "page"),
    ("?page=99999999999999999999", "page"),
    ("?per_page=0", "per_page"),
    ("?per_page=201", "per_page"),
    ("?per_page=x", "per_page"),
    ("?org_unit=NOPE", "org_unit"),
    ("?org_unit=" + "X" * 33, "org_unit"),
    ("?org_unit=CS%01", "org_unit"),
    ("?category=nope", "category"),
])
def test_bad_parameters_are_refused(client, tree, query, field):
    response = client.get("/api/v1/windows" + query)
    error = assert_error(response, 400)
    assert field in error["errors"]


def test_listing_is_rate_limited_per_address(app, make_app, tree):
    limited = make_app(RATELIMIT_ENABLED=True, API_PUBLIC_RATE_LIMIT="2 per minute")
    with limited.app_context():
        client = limited.test_client()
        codes = [client.get("/api/v1/windows").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert_error(client.get("/api/v1/windows"), 429)
