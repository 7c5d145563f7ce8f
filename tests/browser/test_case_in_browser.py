"""A bad review from a phone, answered by the window's manager at a desk, and the reply read by
the citizen at /track — in Debian's chromium."""

from __future__ import annotations

from feedback.accounts.models import Role
from feedback.evaluations.links import qr_key
from tests.browser.support import sign_in

REPLY = "系统已修复，已增加审核人员，向您致歉。"


def test_manager_answers_and_the_citizen_reads_the_reply(live_server, desktop, phone,
                                                         make_window, make_user):
    window = make_window(name="不动产登记窗口")
    make_user(Role.MANAGER, username="mgr", windows=[window])

    # A citizen rates badly from the desk card's link and leaves a number for the callback.
    phone.goto(f"{live_server}/w/{window.code}?k={qr_key(window)}")
    phone.locator("fieldset.levels-big").get_by_text("不满意", exact=True).click()
    phone.get_by_text("效率低").click()
    phone.fill("textarea[name=comment]", "材料审核太慢，等了一上午")
    phone.fill("input[name=phone]", "13812345678")
    phone.check("input[name=consent]")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_selector("[data-testid=tracking-no]")
    tracking_no = phone.inner_text("[data-testid=tracking-no]").strip()

    # The manager finds it in the list, takes it, verifies and answers.
    sign_in(desktop, live_server, "mgr")
    desktop.get_by_role("link", name="诉求工单").click()
    desktop.get_by_role("link", name=tracking_no).click()
    assert "材料审核太慢" in desktop.content()
    desktop.get_by_role("button", name="由我办理").click()
    desktop.check("input[name=founded][value=yes]")
    desktop.fill("textarea[name=finding]", "当日系统故障，审核积压属实。")
    desktop.check("input[name=triage][value=fix_now]")
    desktop.get_by_role("button", name="登记核实结果").click()
    desktop.fill("textarea[name=reply]", REPLY)
    desktop.get_by_role("button", name="发送答复").click()
    assert desktop.inner_text("[data-testid=case-state]").strip() == "已答复"

    # The citizen follows the link on the thank-you page and reads the reply.
    phone.get_by_role("link", name="查询办理进度").click()
    assert phone.input_value("input[name=tracking_no]") == tracking_no
    phone.fill("input[name=factor]", "5678")
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_selector("[data-testid=public-reply]")
    assert phone.inner_text("[data-testid=public-reply]") == REPLY

    # … and says the handling satisfied them.
    phone.locator("#verdict").get_by_text("满意", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_selector("text=感谢您的评价")
