"""A supervisor and a window's manager walk a rectification notice in a real browser: drafted
and sent, acknowledged, reported with a photo chosen from disk, returned, reported again,
verified."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.extensions import db
from feedback.notices.models import EvidenceFile, Notice
from feedback.notices.workflow import NoticeState
from feedback.orgs.models import UnitKind
from tests.browser.support import sign_in


def test_supervisor_and_manager_walk_a_notice_with_a_photo(live_server, desktop, phone,
                                                          make_unit, make_window, make_user,
                                                          tmp_path):
    province = make_unit("湖南省住房和城乡建设厅", code="HN")
    city = make_unit("长沙市住房和城乡建设局", parent=province, code="CS")
    county = make_unit("望城区住房和城乡建设局", parent=city, code="CS-WC")
    hall = make_unit("望城区政务服务大厅", parent=county, kind=UnitKind.HALL, code="CS-WC-H")
    window = make_window(hall=hall, name="不动产登记窗口")
    make_user(Role.SUPERVISOR, username="sup", org_unit=city)
    make_user(Role.MANAGER, username="mgr", windows=[window])
    photo = tmp_path / "整改现场.png"
    Image.new("RGB", (120, 80), (30, 140, 60)).save(photo, "PNG")

    # The supervisor drafts the notice from the menu and sends it.
    sign_in(desktop, live_server, "sup")
    desktop.get_by_role("link", name="整改通知").first.click()
    desktop.get_by_role("link", name="新建通知").click()
    desktop.fill("input[name=window]", window.code)
    desktop.fill("textarea[name=problem]", "近两周差评集中反映等候时间过长。")
    desktop.fill("textarea[name=requirement]", "高峰时段增开窗口，并公示等候人数。")
    desktop.get_by_role("button", name="保存草稿").click()
    desktop.get_by_role("button", name="下发通知").click()
    assert "已下发" in desktop.inner_text("[data-testid=notice-state]")
    notice = db.session.scalars(select(Notice)).one()
    assert notice.number and notice.state == NoticeState.ISSUED

    # The manager, on a phone, finds it, acknowledges it and reports with the photo.
    sign_in(phone, live_server, "mgr")
    phone.goto(f"{live_server}/admin/notices")
    phone.get_by_role("link", name=notice.title).click()
    phone.get_by_role("button", name="签收通知").click()
    assert "已签收" in phone.inner_text("[data-testid=notice-state]")
    phone.fill("textarea[name=measures]", "已增开2号窗口，安排引导员分流。")
    phone.set_input_files("input[name=files]", str(photo))
    phone.get_by_role("button", name="提交整改报告").click()
    assert "已报告" in phone.inner_text("[data-testid=notice-state]")
    image = phone.locator("[data-testid=report-1] img")
    image.wait_for()
    # Lazily loaded: bring it into view and wait for the bytes, rather than racing them.
    image.scroll_into_view_if_needed()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0",
                            arg=image.element_handle())
    assert phone.evaluate("img => img.naturalWidth", image.element_handle()) == 120
    stored = db.session.scalars(select(EvidenceFile)).one()
    assert stored.original_name == "整改现场.png" and stored.content_type == "image/png"

    # The supervisor returns it once ...
    desktop.reload()
    assert desktop.locator("[data-testid=report-1] img").get_attribute("alt") == "整改现场.png"
    desktop.fill("form[action$='/return'] textarea[name=comment]", "请补充公示等候人数的照片。")
    desktop.get_by_role("button", name="退回重新报告").click()
    assert "已退回" in desktop.inner_text("[data-testid=notice-state]")

    # ... the manager reads why and reports again, with the same photo from disk ...
    phone.reload()
    assert "请补充公示等候人数的照片。" in phone.content()
    phone.fill("textarea[name=measures]", "已在大厅显示屏公示等候人数，见照片。")
    phone.set_input_files("input[name=files]", str(photo))
    phone.get_by_role("button", name="提交整改报告").click()
    assert "已报告" in phone.inner_text("[data-testid=notice-state]")

    # ... and the supervisor verifies and closes it.
    desktop.reload()
    desktop.fill("form[action$='/verify'] textarea[name=comment]", "整改到位。")
    desktop.get_by_role("button", name="验收并办结").click()
    assert "已验收办结" in desktop.inner_text("[data-testid=notice-state]")
    db.session.expire_all()
    notice = db.session.get(Notice, notice.id)
    assert notice.state == NoticeState.CLOSED and len(notice.files) == 2
    # The evidence downloads in the browser session, byte for byte.
    body = phone.request.get(f"{live_server}/admin/notices/{notice.id}/files/{stored.id}").body()
    assert Image.open(io.BytesIO(body)).size == (120, 80)
