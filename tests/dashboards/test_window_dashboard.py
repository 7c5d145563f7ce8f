"""A window manager's dashboard: this period against the last, trend, levels, dimensions,
staff, comments and open cases, and the chart images it points at."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from feedback.accounts.models import Role
from feedback.dashboards.views import chart_cache
from tests.dashboards.conftest import NOW, utc


def chart_urls(html: str) -> dict[str, str]:
    """``{kind: url}`` of the SVG images on the page."""
    found = re.findall(r'<img src="([^"]+/charts/(\w+)-[0-9a-f]{32}\.svg[^"]*)"', html)
    return {kind: unescape(url) for url, kind in found}


@pytest.fixture
def rated(org, rate, make_staff, frozen):
    """Window A1 rated in March (this period of 30 days ends 2026-03-20) and in February."""
    window = org.window_a1
    zhang = make_staff(window=window, name="张伟", badge_no="CS001")
    make_staff(window=window, name="王芳", badge_no="CS002")
    for day in range(1, 4):  # February 1-4: the last period (2026-01-20 to 2026-02-18)
        rate(window, 3, at=utc(2026, 2, day, 3), speed=3)
    rate(window, 1, at=utc(2026, 2, 4, 3))
    for day in range(5):  # March 10-14
        rate(window, 5, at=utc(2026, 3, 10 + day, 3), staff=zhang, speed=5, attitude=4)
    rate(window, 4, at=utc(2026, 3, 15, 3), staff=zhang, comment="<b>很好</b>，谢谢")
    rate(window, 2, at=utc(2026, 3, 16, 3), comment="等了一个小时")
    return window


def test_manager_sees_this_period_against_the_last(as_role, rated):
    response = as_role(Role.MANAGER).get(f"/dashboard/windows/{rated.code}")
    assert response.status_code == 200
    html = response.text
    assert rated.name in html
    # This period: 5×5, 4, 2 → index (500 + 75 + 25) / 7 = 85.7; the last: 3, 3, 3, 1 → 37.5.
    headline = html[html.index('class="headlines"'):html.index('id="trend-heading"')]
    assert "85.7" in headline and "37.5" in headline
    assert "headline-better" in headline  # the index went up
    assert "比上期（37.5）上升48.2" in headline
    assert ">7<" in headline and "4" in headline  # ratings now and then
    # Bad-review share 1/7 = 14.3 % against 1/4 = 25 %: down, and that is better.
    assert "14.3%" in headline and "比上期（25.0%）下降10.7个百分点" in headline


def test_trend_and_levels_have_their_numbers_as_tables(as_role, rated):
    html = as_role(Role.MANAGER).get(f"/dashboard/windows/{rated.code}").text
    trend = html[html.index('id="trend-table"'):]
    trend = trend[:trend.index("</table>")]
    rows = re.findall(r"<tr><td>([\d-]+)</td><td>(\d+)</td><td>([^<]+)</td>", trend)
    assert len(rows) == 30 and rows[0][0] == "2026-02-19" and rows[-1][0] == "2026-03-20"
    by_day = {day: (n, index) for day, n, index in rows}
    assert by_day["2026-03-10"] == ("1", "100.0")
    assert by_day["2026-03-16"] == ("1", "25.0")
    assert by_day["2026-03-17"] == ("0", "—")
    levels = html[html.index('id="distribution-table"'):]
    levels = levels[:levels.index("</table>")]
    assert re.search(r"非常满意</th><td>5</td><td>71.4%</td><td>0</td>", levels)
    assert re.search(r"基本满意</th><td>0</td><td>—|基本满意</th><td>0</td><td>0.0%", levels)
    assert "<figcaption" in html and "本期7条评价，上期4条。" in html


def test_dimensions_staff_and_comments(make_app, rate, org, user_in, rated):
    app = make_app(STAFF_MIN_RATINGS=5)
    client = app.test_client()
    client.post("/login", data={"username": user_in(Role.MANAGER).username,
                                "password": "correct-horse-42"})
    html = client.get(f"/dashboard/windows/{rated.code}").text
    dims = html[html.index('id="dimensions-heading"'):html.index('id="staff-heading"')]
    assert re.search(r"办事效率</th>\s*<td>5.00</td>\s*<td>3.00</td>", dims)
    assert re.search(r"服务态度</th>\s*<td>4.00</td>\s*<td>—</td>", dims)
    staff = html[html.index('id="staff-heading"'):html.index('id="comments-heading"')]
    # 张伟 has 6 ratings (from 5): figures shown; 王芳 none: withheld.
    assert re.search(r"张伟</td><td>CS001</td><td>6</td>\s*<td>95.8</td>", staff)
    assert re.search(r"王芳</td><td>CS002</td><td>0</td>\s*<td colspan=\"3\"[^>]*>满5条评价后显示",
                     staff)
    comments = html[html.index('id="comments-heading"'):html.index('id="cases-heading"')]
    assert comments.index("等了一个小时") < comments.index("很好")  # newest first
    assert "&lt;b&gt;很好&lt;/b&gt;" in comments and "<b>很好</b>" not in comments


def test_staff_figures_stay_hidden_below_the_default_minimum(as_role, rated):
    html = as_role(Role.MANAGER).get(f"/dashboard/windows/{rated.code}").text
    staff = html[html.index('id="staff-heading"'):html.index('id="comments-heading"')]
    assert "95.8" not in staff
    assert staff.count("满30条评价后显示") == 2


def test_open_cases_of_the_window_are_listed(as_role, rated):
    html = as_role(Role.MANAGER).get(f"/dashboard/windows/{rated.code}").text
    cases = html[html.index('id="cases-heading"'):]
    # The bad reviews became cases (the one of February, and the one of March 16).
    assert cases.count("<code>") == 2
    assert "差评" in cases and "等了一个小时" in cases
    assert re.search(r'href="/admin/cases/\d+"', cases)


def test_nothing_rated_shows_empty_states(as_role, org, frozen):
    html = as_role(Role.MANAGER).get(f"/dashboard/windows/{org.window_a1.code}").text
    assert "无法与上期比较" in html
    assert "暂无留言。" in html and "没有未办结事项。" in html
    assert "这两期都没有分项评价。" in html


# --- the period picker -------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "first", "last", "previous"), [
    ("", "2026-02-19", "2026-03-20", "对比2026-01-20至2026-02-18"),
    ("?period=7d", "2026-03-14", "2026-03-20", "对比2026-03-07至2026-03-13"),
    ("?period=90d", "2025-12-21", "2026-03-20", "对比2025-09-22至2025-12-20"),
    ("?period=month&month=2026-02", "2026-02-01", "2026-02-28", "对比2026-01-01至2026-01-31"),
    ("?period=month", "2026-03-01", "2026-03-20", "对比2026-02-01至2026-02-28"),
])
def test_period_picker_chooses_the_days_compared(as_role, rated, query, first, last, previous):
    html = as_role(Role.MANAGER).get(f"/dashboard/windows/{rated.code}{query}").text
    assert f"本期：{first}至{last}，{previous}。" in html


def test_ninety_days_are_shown_by_week_unless_asked_otherwise(as_role, rated):
    client = as_role(Role.MANAGER)
    weekly = client.get(f"/dashboard/windows/{rated.code}?period=90d").text
    assert "每周满意度指数" in weekly
    assert len(re.findall(r"<tr><td>\d{4}-\d\d-\d\d</td>", weekly)) == 14
    daily = client.get(f"/dashboard/windows/{rated.code}?period=90d&granularity=day").text
    assert len(re.findall(r"<tr><td>\d{4}-\d\d-\d\d</td>", daily)) == 90


@pytest.mark.parametrize(("query", "message"), [
    ("?period=365d", "请选择近7天、近30天、近90天或某个自然月。"),
    ("?period=month&month=2026-13", "请按“年-月”填写月份，如2026-03。"),
    ("?period=month&month=March", "请按“年-月”填写月份，如2026-03。"),
    ("?period=month&month=2026-04", "该月份尚未开始。"),
    ("?period=month&month=1999-12", "请选择2000年及以后的月份。"),
    ("?granularity=hour", "数据点只能按日或按周。"),
])
def test_bad_periods_are_refused_clearly(as_role, rated, query, message):
    response = as_role(Role.MANAGER).get(f"/dashboard/windows/{rated.code}{query}")
    assert response.status_code == 400
    assert message in response.text
    assert 'role="alert"' in response.text
    assert "trend-table" not in response.text


# --- the chart images ----------------------------------------------------------------------------


def test_chart_images_are_served_once_rendered_and_cached_forever(app, as_role, rated):
    client = as_role(Role.MANAGER)
    urls = chart_urls(client.get(f"/dashboard/windows/{rated.code}").text)
    assert set(urls) == {"trend", "distribution"}
    cache = chart_cache()
    renders = cache.stats.renders
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.data.lstrip().startswith(b"<?xml")
        assert "immutable" in response.headers["Cache-Control"]
        assert "private" in response.headers["Cache-Control"]
    assert cache.stats.renders == renders + 2
    # A repeat view of the page and its images renders nothing.
    again = chart_urls(client.get(f"/dashboard/windows/{rated.code}").text)
    assert again == urls
    for url in again.values():
        assert client.get(url).status_code == 200
    assert cache.stats.renders == renders + 2
    png = client.get(urls["trend"].replace(".svg?", ".png?"))
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")


def test_new_ratings_change_the_chart_url(as_role, rated, rate):
    client = as_role(Role.MANAGER)
    before = chart_urls(client.get(f"/dashboard/windows/{rated.code}").text)
    rate(rated, 1, at=NOW - timedelta(hours=1))
    after = chart_urls(client.get(f"/dashboard/windows/{rated.code}").text)
    assert before["trend"] != after["trend"]
    assert before["distribution"] != after["distribution"]


def test_an_image_unknown_to_the_cache_is_drawn_again_from_the_figures(as_role, rated, rate):
    client = as_role(Role.MANAGER)
    urls = chart_urls(client.get(f"/dashboard/windows/{rated.code}").text)
    chart_cache().clear()  # another worker, or a restart
    response = client.get(urls["trend"])
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    # The figures changed since the page was drawn: the image of the current figures.
    rate(rated, 1, at=NOW - timedelta(hours=1))
    chart_cache().clear()
    response = client.get(urls["distribution"])
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "private, no-store"
    fresh = client.get(response.headers["Location"])
    assert fresh.status_code == 200 and "immutable" in fresh.headers["Cache-Control"]


def test_a_chart_of_another_window_is_not_served_under_this_one(as_role, org, rated, rate):
    """Keys are filed by window: a supervisor who sees both never gets A1's bytes via A2."""
    client = as_role(Role.SUPERVISOR)
    rate(org.window_a2, 5, at=NOW - timedelta(days=2))
    url = chart_urls(client.get(f"/dashboard/windows/{rated.code}").text)["distribution"]
    a1 = client.get(url).data
    response = client.get(url.replace(rated.code, org.window_a2.code))
    assert response.status_code == 302  # redirected to A2's own chart
    assert client.get(response.headers["Location"]).data != a1


@pytest.mark.parametrize("key", ["0" * 31, "g" * 32, "../" + "0" * 29])
def test_malformed_chart_keys_are_404(as_role, rated, key):
    response = as_role(Role.MANAGER).get(
        f"/dashboard/windows/{rated.code}/charts/trend-{key}.svg")
    assert response.status_code == 404


def test_the_chart_language_follows_the_reader(as_role, rated):
    client = as_role(Role.MANAGER)
    zh = chart_urls(client.get(f"/dashboard/windows/{rated.code}").text)["trend"]
    en = chart_urls(client.get(f"/dashboard/windows/{rated.code}?lang=en").text)["trend"]
    assert zh != en and "lang=zh" in zh and "lang=en" in en
    chart_cache().clear()
    assert client.get(en).status_code == 200  # rebuilt in English, same key


def test_target_line_follows_the_setting(make_app, user_in, rated):
    app = make_app(DASHBOARD_TARGET_INDEX=85.0)
    client = app.test_client()
    client.post("/login", data={"username": user_in(Role.MANAGER).username,
                                "password": "correct-horse-42"})
    html = client.get(f"/dashboard/windows/{rated.code}").text
    assert "目标值85.0" in html


def test_notices_are_passed_to_the_trend_as_markers(as_role, rated, monkeypatch):
    """The notices domain's markers reach the chart and its table."""
    from feedback.dashboards import views

    monkeypatch.setattr(views, "notice_markers", lambda ids, start, end: [
        (date(2026, 3, 12), "整改 2026-0007 下发")])
    html = as_role(Role.MANAGER).get(f"/dashboard/windows/{rated.code}").text
    markers = html[html.index('id="trend-markers"'):]
    assert "2026-03-12" in markers and "整改 2026-0007 下发" in markers


def test_workers_share_rendered_charts_through_files(make_app, user_in, rated, tmp_path):
    """Two apps over one instance directory stand for two gunicorn workers."""
    first = make_app(CHART_CACHE_FILES=True)
    first.instance_path = second_path = str(tmp_path)
    second = make_app(CHART_CACHE_FILES=True)
    second.instance_path = second_path
    manager = user_in(Role.MANAGER).username
    clients = []
    for app in (first, second):
        client = app.test_client()
        client.post("/login", data={"username": manager, "password": "correct-horse-42"})
        clients.append(client)
    url = chart_urls(clients[0].get(f"/dashboard/windows/{rated.code}").text)["trend"]
    body = clients[0].get(url).data
    assert list(tmp_path.glob("charts/window_*/*.svg"))
    assert clients[1].get(url).data == body
    with second.app_context():
        assert chart_cache().stats.renders == 0 and chart_cache().stats.file_hits == 1
