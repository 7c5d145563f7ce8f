"""The public notices page: best and worst windows of last month, only with enough ratings."""

from __future__ import annotations

from datetime import UTC, datetime

from feedback import clock

MAY, JUNE = datetime(2026, 5, 15, 2, tzinfo=UTC), datetime(2026, 6, 3, 1, tzinfo=UTC)


def test_best_and_worst_windows_of_last_month(app, province, make_window, rate):
    app.config["NOTICE_MIN_RATINGS"] = 3
    few = make_window(hall=province.hall_a, name="档案查询窗口")
    for _ in range(4):
        rate(province.window, 2, at=MAY)
        rate(province.neighbour, 5, at=MAY)
    rate(few, 1, at=MAY)  # one rating: not enough to be named worst
    rate(province.window_b, 5, at=MAY)  # city B has one window only: no board
    with clock.frozen_at(JUNE):
        page = app.test_client().get("/notices")
    assert page.status_code == 200
    html = page.text
    assert "长沙市住房和城乡建设局" in html and "2026-05-01" in html and "2026-05-31" in html
    best, worst = html.index("公积金窗口"), html.index("不动产登记窗口")
    assert html.rfind("最好", 0, best) > html.rfind("最差", 0, best)
    assert html.rfind("最差", 0, worst) > html.rfind("最好", 0, worst)
    assert "档案查询窗口" not in html
    assert "株洲市住房和城乡建设局" not in html
    assert "张伟" not in html and "CS-0001" not in html  # people are never ranked here
    assert "暂无通报" in html


def test_the_page_is_public_and_quiet_without_data(client):
    page = client.get("/notices")
    assert page.status_code == 200
    assert "上月评价数量不足" in page.text
