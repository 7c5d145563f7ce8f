"""A supervisor's subtree dashboard: the fair ranking, child units by month, movers, alerts."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from feedback.accounts.models import Role
from feedback.alerts.models import Alert, AlertStatus
from feedback.alerts.rules import AlertKind
from feedback.dashboards.views import chart_cache
from feedback.extensions import db
from tests.dashboards.conftest import put_day


def ranking_rows(html: str) -> list[tuple[str, str, str]]:
    """(rank, window name, adjusted index) of the full ranking table, in order."""
    table = html[html.index('class="ranking-table"'):]
    table = table[:table.index("</table>")]
    return re.findall(
        r"<td>([\d—]+)</td>\s*<td><a [^>]+>([^<]+)</a>.*?</td>\s*<td>[^<]*</td>\s*<td>([^<]+)</td>",
        table, re.S)


@pytest.fixture
def ranked(org, make_window, frozen):
    """Three windows of city A in March: few perfect ratings, many very good, many poor."""
    few = make_window(hall=org.hall_a, name="三条满分窗口")
    many = org.window_a1  # 3,000 ratings averaging 4.8 stars: index 95
    poor = org.window_a2
    put_day(few, date(2026, 3, 10), n5=3)
    for day in range(10):
        put_day(many, date(2026, 3, 1 + day), n5=240, n4=60)
        put_day(poor, date(2026, 3, 1 + day), n3=20, n2=10)
    put_day(org.window_b, date(2026, 3, 5), n1=50)  # city B: outside city A's subtree
    return few, many, poor


def test_three_perfect_ratings_do_not_outrank_three_thousand_very_good_ones(as_role, org,
                                                                           ranked):
    few, many, poor = ranked
    html = as_role(Role.SUPERVISOR).get(f"/dashboard/units/{org.city_a.code}").text
    rows = ranking_rows(html)
    assert [name for _rank, name, _index in rows] == [many.name, few.name, poor.name]
    assert [rank for rank, _name, _index in rows] == ["1", "2", "3"]
    # The own index of the small window is 100, its adjusted index much lower.
    table = html[html.index('class="ranking-table"'):]
    assert re.search(rf"{few.name}</a>.*?<td>\d+\.\d</td><td>100.0</td><td>3</td>", table, re.S)
    # The Wilson interval of its good-review share is wide: 43.9 % to 100 %.
    assert "100.0% <span class=\"muted\">(43.9%–100.0%)</span>" in table
    assert org.window_b.name not in table


def test_ranking_chart_and_its_table(as_role, org, ranked):
    client = as_role(Role.SUPERVISOR)
    html = client.get(f"/dashboard/units/{org.city_a.code}").text
    url = unescape(re.search(r'<img src="([^"]+/charts/ranking-[0-9a-f]{32}\.svg[^"]*)"',
                             html).group(1))
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "immutable" in response.headers["Cache-Control"]
    chart_table = html[html.index('id="ranking-chart-table"'):]
    chart_table = chart_table[:chart_table.index("</table>")]
    assert chart_table.count("<tr><td>") == 3
    assert "参与排名的3个窗口。" in html


def test_large_subtrees_chart_the_best_and_the_lowest_ten(make_app, org, make_window, frozen,
                                                         user_in):
    for i in range(25):
        window = make_window(hall=org.hall_a, name=f"窗口{i:02d}")
        put_day(window, date(2026, 3, 10), n5=10 + i, n1=25 - i)
    app = make_app(PAGE_SIZE=10)
    client = app.test_client()
    client.post("/login", data={"username": user_in(Role.SUPERVISOR).username,
                                "password": "correct-horse-42"})
    html = client.get(f"/dashboard/units/{org.city_a.code}").text
    chart_table = html[html.index('id="ranking-chart-table"'):]
    chart_table = chart_table[:chart_table.index("</table>")]
    ranks = re.findall(r"<tr><td>(\d+)</td>", chart_table)
    assert ranks == [str(r) for r in [*range(1, 11), *range(16, 26)]]
    assert "25个参与排名窗口中的前10名和后10名。" in html
    # The full table is paged; the unrated windows come last, unranked.
    assert len(ranking_rows(html)) == 10
    last = client.get(f"/dashboard/units/{org.city_a.code}?page=3").text
    ranks = [rank for rank, _n, _i in ranking_rows(last)]
    assert ranks == ["21", "22", "23", "24", "25", "—", "—"]
    assert client.get(f"/dashboard/units/{org.city_a.code}?page=4").status_code == 404
    assert 'href="/dashboard/units/CS?page=2#ranking-heading"' in html


def test_headline_of_the_subtree_against_the_last_period(as_role, org, ranked):
    put_day(org.window_a1, date(2026, 2, 10), n5=10, n1=10)  # the last period: index 50
    html = as_role(Role.SUPERVISOR).get(f"/dashboard/units/{org.city_a.code}").text
    headline = html[html.index('class="headlines"'):html.index("</section>")]
    # This period: 2,400×5, 600×4, 3×5, 200×3, 100×2 → (2403·100 + 600·75 + 200·50 + 100·25)
    # / 3303 = 90.16
    assert "90.2" in headline and "比上期（50.0）上升40.2" in headline
    assert ">3303<" in headline


def test_units_by_month_and_biggest_movers(as_role, org, ranked):
    put_day(org.window_a1, date(2026, 2, 10), n5=5, n3=10)  # index 66.7 last period
    put_day(org.window_a2, date(2026, 2, 10), n5=15)  # index 100 last period
    html = as_role(Role.SUPERVISOR).get(f"/dashboard/units/{org.city_a.code}?period=month").text
    months = html[html.index('class="months-table"'):]
    months = months[:months.index("</table>")]
    assert re.findall(r'<th scope="col">(\d{4}-\d\d)</th>', months) == [
        "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    assert org.hall_a.name in months
    movers = html[html.index('id="movers-heading"'):]
    movers = movers[:movers.index("</table>")]
    names = re.findall(r'<td><a href="/dashboard/windows/\w+[^"]*">([^<]+)</a></td>', movers)
    # A2 fell by 58.3 points, A1 rose by 28.3: the biggest move first.
    assert names == [org.window_a2.name, org.window_a1.name]
    assert "下降58.3" in movers and "上升28.3" in movers


def test_alerts_block_lists_the_open_alerts_of_the_subtree(as_role, org, ranked):
    evidence = {"index": 62.5, "threshold": 80, "n": 40}
    for window in (org.window_a2, org.window_b):
        db.session.add(Alert(window_id=window.id, kind=AlertKind.LOW_INDEX,
                             status=AlertStatus.OPEN, period_start=date(2026, 3, 18),
                             period_end=date(2026, 3, 19), evidence=evidence))
    db.session.commit()
    html = as_role(Role.SUPERVISOR).get(f"/dashboard/units/{org.city_a.code}").text
    block = html[html.index('id="alerts"'):html.index('id="ranking-heading"')]
    assert org.window_a2.name in block
    assert org.window_b.name not in block
    assert 'href="/alerts/?unit=CS"' in block


def test_an_empty_subtree_says_so(as_role, org, frozen):
    html = as_role(Role.SUPERVISOR).get(f"/dashboard/units/{org.hall_a.code}").text
    assert "没有窗口在两期都有足够的评价可供比较。" in html
    assert "ranking-chart" not in html  # no chart without a ranked window
    assert "本单位没有下级单位。" not in html or "（本级窗口）" in html


def test_chart_of_a_changed_ranking_is_redirected(as_role, org, ranked):
    client = as_role(Role.SUPERVISOR)
    html = client.get(f"/dashboard/units/{org.city_a.code}").text
    url = unescape(re.search(r'<img src="([^"]+ranking-[0-9a-f]{32}\.svg[^"]*)"', html).group(1))
    put_day(ranked[0], date(2026, 3, 11), n1=5)
    chart_cache().clear()
    response = client.get(url)
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
