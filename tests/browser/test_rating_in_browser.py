"""A citizen scans the desk card's QR code with a phone, rates, and reaches the thank-you page."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.evaluations.links import qr_key
from feedback.evaluations.models import Evaluation
from feedback.extensions import db
from tests.browser.support import sign_in


def test_decoded_qr_link_leads_to_form_and_thanks(live_server, desktop, phone, make_staff,
                                                  make_user):
    staff = make_staff(name="王芳")
    window = staff.window
    make_user(Role.MANAGER, username="mgr", windows=[window])

    # The manager downloads the desk card's QR code ...
    sign_in(desktop, live_server, "mgr")
    png = desktop.request.get(f"{live_server}/windows/{window.code}/qr.png").body()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(decoded) == 1
    link = decoded[0].text
    assert link.startswith(f"{live_server}/w/{window.code}?k=")

    # ... and a citizen's phone opens it.
    phone.goto(link)
    assert window.name in phone.content()
    phone.locator("fieldset.levels-big").get_by_text("非常不满意", exact=True).click()
    phone.get_by_text("态度差").click()
    phone.get_by_text("王芳").click()
    phone.fill("textarea[name=comment]", "等了一个小时")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_selector("[data-testid=tracking-no]")
    tracking_no = phone.inner_text("[data-testid=tracking-no]").strip()

    stored = db.session.scalars(select(Evaluation)).one()
    assert stored.level == 1
    assert stored.answers["reasons"] == ["attitude"]
    assert stored.staff_id == staff.id
    assert stored.comment == "等了一个小时"
    assert stored.tracking_no == tracking_no

    # The manager sees it.
    desktop.goto(f"{live_server}/admin/evaluations")
    assert "等了一个小时" in desktop.content()


def test_chinese_renders_with_a_chinese_font_even_without_one_installed(live_server, phone,
                                                                        make_window):
    """No empty boxes: the page's own web font covers a machine that has no Chinese font."""
    window = make_window(name="不动产登记窗口")
    phone.goto(f"{live_server}/w/{window.code}?k={qr_key(window)}")
    phone.evaluate("document.fonts.ready")
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    for selector in (".window-head h1", "label.level-5 span", "button.submit"):
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        families = {font["familyName"] for font in fonts}
        assert any("CJK" in name or "Han" in name or "Hei" in name or "PingFang" in name
                   for name in families), (selector, families)
        assert "DejaVu Sans" not in families, (selector, families)
