"""A window manager signs in, opens their dashboard and sees its charts load, with the numbers
beside them for screen readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feedback import clock
from feedback.accounts.models import Role
from feedback.clock import local_date
from feedback.evaluations.models import Channel
from feedback.evaluations.services import Contact, Submission, submit_evaluation
from feedback.extensions import db
from feedback.questionnaires.queries import current_version_ref
from tests.conftest import PASSWORD

NOW = datetime(2026, 3, 20, 4, tzinfo=UTC)


def rate(window, level: int, at: datetime, n: int) -> None:
    with clock.frozen_at(at):
        version = current_version_ref(window.id, window.category_id, local_date(at))
        submit_evaluation(window, version, {"overall": str(level)}, Contact(),
                          Submission(channel=Channel.QR, client_id=f"b-{at:%j}-{level}-{n}"))
    db.session.commit()


def test_manager_sees_the_dashboard_with_its_charts(live_server, desktop, make_window,
                                                   make_user):
    window = make_window(name="不动产登记窗口")
    make_user(Role.MANAGER, username="mgr", windows=[window])
    with clock.frozen_at(NOW):
        for day in range(20):
            for n, level in enumerate((5, 5, 4, 2 if day % 5 == 0 else 5)):
                rate(window, level, NOW - timedelta(days=day, hours=1 + n), n)

        desktop.goto(f"{live_server}/login?next=/dashboard")
        desktop.fill("input[name=username]", "mgr")
        desktop.fill("input[name=password]", PASSWORD)
        desktop.click("button[type=submit]:not(.link), input[type=submit]")
        desktop.wait_for_url(f"{live_server}/dashboard")
        desktop.get_by_role("link", name="不动产登记窗口").click()
        desktop.wait_for_url(f"{live_server}/dashboard/windows/{window.code}?**")
        desktop.wait_for_load_state("networkidle")

        assert desktop.locator("h1").inner_text().startswith("不动产登记窗口")
        images = desktop.locator("figure.chart img")
        assert images.count() == 2
        for index in range(2):
            image = images.nth(index)
            image.scroll_into_view_if_needed()
            desktop.wait_for_function("img => img.complete", arg=image.element_handle())
            assert image.evaluate("img => img.naturalWidth") > 0, image.get_attribute("src")
            assert image.get_attribute("alt")
        # The numbers behind each chart are in the page, as tables.
        trend = desktop.locator("#trend-table")
        assert trend.count() == 1
        assert trend.locator("tbody tr").count() == 30
        assert desktop.locator("#distribution-table tbody tr").count() == 5
        desktop.get_by_text("图表数据").first.click()
        assert trend.is_visible()
        assert "2026-03-20" in trend.inner_text()

        # Another period, chosen with the picker, draws other charts.
        before = images.first.get_attribute("src")
        desktop.select_option("select[name=period]", "7d")
        desktop.get_by_role("button", name="查看").click()
        desktop.wait_for_load_state("networkidle")
        assert images.first.get_attribute("src") != before
        assert images.first.evaluate("img => img.naturalWidth") > 0
        assert desktop.locator("#trend-table tbody tr").count() == 7
