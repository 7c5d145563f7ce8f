"""Printable desk cards 台牌: real Chinese text, a QR code that scans, who may print them."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.evaluations.links import rating_url
from feedback.extensions import db
from feedback.orgs.models import UnitKind
from feedback.windows.models import Window
from feedback.windows.services import save_staff_photo, update_window_settings

COMMITMENTS = "1. 一次性告知办事所需材料\n2. 材料齐全当场受理，五个工作日内办结"


def jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (90, 120, 180)).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


@pytest.fixture
def window(make_window, make_staff):
    window = make_window(name="不动产登记窗口", commitments=COMMITMENTS)
    with_photo = make_staff(window=window, name="张伟", badge_no="HN10086", title="窗口负责人",
                            party_member=True)
    save_staff_photo(None, with_photo, jpeg())
    make_staff(window=window, name="欧阳晓明", badge_no="HN10087")  # no photo: a placeholder
    off_duty = make_staff(window=window, name="休假人员", badge_no="HN10088")
    off_duty.active = False
    db.session.commit()
    return window


@pytest.mark.parametrize("size, codes_on_page", [("a4", 1), ("tent", 2)])
def test_card_has_chinese_text_and_a_code_that_scans(client, sign_in, window, read_pdf,
                                                     decode_qr, size, codes_on_page):
    sign_in(Role.ADMIN)
    response = client.get(f"/windows/{window.code}/card.pdf?size={size}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert f"card-{window.code}-{size}.pdf" in response.headers["Content-Disposition"]

    (page,) = read_pdf(response.data)
    # real text, not outlines: the reader finds the characters (the tent's upright half
    # reads left to right; its turned half comes out reversed)
    for expected in ("不动产登记窗口", "政务服务大厅", "张伟", "欧阳晓明", "HN10086", "党员",
                     "窗口负责人", "一次性告知办事所需材料", "请扫码评价本窗口服务"):
        assert expected in page.text, expected
    assert "休假人员" not in page.text  # only staff on duty

    links = decode_qr(page.image)
    assert links == [rating_url(window)] * codes_on_page
    form = client.get(links[0])
    assert form.status_code == 200
    assert "不动产登记窗口" in form.text


def test_card_embeds_its_font_as_type3_from_the_package(client, sign_in, window):
    sign_in(Role.ADMIN)
    pdf = client.get(f"/windows/{window.code}/card.pdf").data
    assert b"/Subtype /Type3" in pdf
    assert b"NotoSansCJKsc-Regular" in pdf
    assert b"/FontFile2" not in pdf  # no CFF outlines posing as TrueType (pdf.fonttype 42)


def test_a_card_without_staff_or_commitments_still_prints(client, sign_in, make_window,
                                                          read_pdf, decode_qr):
    bare = make_window(name="12319热线窗口")
    sign_in(Role.ADMIN)
    (page,) = read_pdf(client.get(f"/windows/{bare.code}/card.pdf?size=tent").data)
    assert "12319热线窗口" in page.text
    assert "暂无在岗工作人员信息" in page.text
    assert len(decode_qr(page.image)) == 2


def test_after_revoking_the_card_carries_the_new_code(client, sign_in, window, read_pdf,
                                                      decode_qr):
    sign_in(Role.ADMIN)
    old = decode_qr(read_pdf(client.get(f"/windows/{window.code}/card.pdf").data)[0].image)
    client.post(f"/admin/windows/{window.code}/revoke-qr", data={"confirm": "yes"})
    (page,) = read_pdf(client.get(f"/windows/{window.code}/card.pdf").data)
    new = decode_qr(page.image)
    assert new != old
    assert client.get(old[0]).status_code == 410
    assert client.get(new[0]).status_code == 200
    assert "二维码第2版" in page.text


@pytest.mark.parametrize("query", ["size=a3", "size=", "size=A4", "size=tent%00"])
def test_unknown_size_is_400(client, sign_in, window, query):
    sign_in(Role.ADMIN)
    assert client.get(f"/windows/{window.code}/card.pdf?{query}").status_code == 400


def test_card_access(client, sign_in, window, make_window):
    response = client.get(f"/windows/{window.code}/card.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(Role.MANAGER, windows=[make_window()])
    assert client.get(f"/windows/{window.code}/card.pdf").status_code == 403
    assert client.get("/windows/nosuchcode/card.pdf").status_code == 404


def test_the_manager_of_the_window_prints_its_card(client, sign_in, window):
    sign_in(Role.MANAGER, windows=[window])
    assert client.get(f"/windows/{window.code}/card.pdf?size=tent").status_code == 200


# --- a unit's cards at once ------------------------------------------------------------------


@pytest.fixture
def county(make_hall, make_unit, make_window, category):
    """A county with two halls: three active windows and one closed; another county aside."""
    hall = make_hall(name="望城区政务服务大厅")
    county = hall.parent
    second = make_unit("丁字湾服务站", parent=county, kind=UnitKind.HALL)
    make_window(hall=hall, name="一号窗口")
    make_window(hall=hall, name="二号窗口")
    make_window(hall=second, name="三号窗口")
    closed = make_window(hall=second, name="撤销的窗口")
    update_window_settings(None, closed, name=closed.name, org_unit=second,
                           category=category, active=False)
    db.session.commit()
    make_window(hall=make_hall(parent=county.parent, name="另一区县大厅"), name="别县窗口")
    return county


def test_unit_cards_have_one_page_per_active_window(client, sign_in, county, read_pdf,
                                                    decode_qr):
    sign_in(Role.SUPERVISOR, org_unit=county)
    response = client.get(f"/admin/org-units/{county.code}/cards.pdf?size=a4")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages = read_pdf(response.data, dpi=100)
    names = sorted(next(n for n in ("一号窗口", "二号窗口", "三号窗口") if n in page.text)
                   for page in pages)
    assert names == ["一号窗口", "三号窗口", "二号窗口"]
    assert all("撤销的窗口" not in page.text and "别县窗口" not in page.text for page in pages)
    assert all(len(decode_qr(page.image)) == 1 for page in pages)


def test_unit_cards_as_tents(client, sign_in, county, read_pdf):
    sign_in(Role.ADMIN)
    response = client.get(f"/admin/org-units/{county.code}/cards.pdf?size=tent")
    assert response.status_code == 200
    assert len(read_pdf(response.data, dpi=30)) == 3


def test_unit_cards_are_refused_outside_ones_subtree(client, sign_in, county, make_hall):
    sign_in(Role.SUPERVISOR, org_unit=make_hall().parent)
    assert client.get(f"/admin/org-units/{county.code}/cards.pdf").status_code == 403


@pytest.mark.parametrize("role", [Role.MANAGER, Role.OPERATOR])
def test_unit_cards_are_for_admins_and_supervisors(client, sign_in, county, role):
    in_county = db.session.scalar(select(Window).where(Window.name == "一号窗口"))
    scope = {"org_unit": county} if role == Role.OPERATOR else {"windows": [in_county]}
    sign_in(role, **scope)
    assert client.get(f"/admin/org-units/{county.code}/cards.pdf").status_code == 403


def test_unit_cards_ask_to_sign_in_and_know_units(client, sign_in, county):
    response = client.get(f"/admin/org-units/{county.code}/cards.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(Role.ADMIN)
    assert client.get("/admin/org-units/NOPE/cards.pdf").status_code == 404
    assert client.get(f"/admin/org-units/{county.code}/cards.pdf?size=a5").status_code == 400


def test_unit_without_active_windows_says_so(client, sign_in, make_hall):
    hall = make_hall()
    sign_in(Role.ADMIN)
    response = client.get(f"/admin/org-units/{hall.code}/cards.pdf", follow_redirects=True)
    assert response.request.path == "/admin/windows"
    assert "no active windows" in response.text or "没有" in response.text


def test_too_many_windows_are_refused_with_a_message(client, sign_in, county, monkeypatch):
    monkeypatch.setattr("feedback.cards.views.MAX_CARDS_PER_PDF", 2)
    sign_in(Role.ADMIN)
    response = client.get(f"/admin/org-units/{county.code}/cards.pdf?lang=en")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/windows?unit={county.code}")


@pytest.mark.slow
def test_render_times(client, sign_in, make_hall, make_window, make_staff, read_pdf, capsys):
    """One card and a batch of 30, with three people on duty each (one with a photo)."""
    hall = make_hall()
    for number in range(30):
        window = make_window(hall=hall, name=f"{number + 1}号窗口 不动产登记",
                             commitments=COMMITMENTS)
        first = make_staff(window=window, name="张伟", party_member=True)
        save_staff_photo(None, first, jpeg())
        make_staff(window=window, name="李娜")
        make_staff(window=window, name="王芳")
    db.session.commit()
    sign_in(Role.ADMIN)
    client.get(f"/windows/{window.code}/card.pdf")  # load the font once, as a server has

    timings = {}
    for label, path in (("one card", f"/windows/{window.code}/card.pdf"),
                        ("30 cards", f"/admin/org-units/{hall.code}/cards.pdf")):
        for size in ("a4", "tent"):
            started = time.perf_counter()
            response = client.get(f"{path}?size={size}")
            timings[f"{label}, {size}"] = (time.perf_counter() - started, len(response.data))
            assert response.status_code == 200
    assert len(read_pdf(response.data, dpi=20)) == 30
    with capsys.disabled():
        for label, (seconds, size) in timings.items():
            print(f"\n  desk cards: {label}: {seconds:.2f} s, {size / 1024:.0f} KiB", end="")
    assert timings["30 cards, tent"][0] < 60
