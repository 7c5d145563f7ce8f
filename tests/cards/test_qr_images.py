"""The QR code images of a window's rating link: what they decode to, who gets them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from feedback.accounts.models import Role
from feedback.cards.qr import qr_modules
from feedback.evaluations.links import rating_url

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def window(make_window):
    return make_window(name="不动产登记窗口")


def test_png_decodes_to_the_rating_link_which_opens_the_form(client, sign_in, window,
                                                              decode_qr):
    sign_in(Role.ADMIN)
    response = client.get(f"/windows/{window.code}/qr.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "private, no-store"

    (link,) = decode_qr(response.data)
    assert link == rating_url(window)
    assert link.startswith(f"http://manyi.test/w/{window.code}?k=")

    form = client.get(link)
    assert form.status_code == 200
    assert "不动产登记窗口" in form.text


def test_svg_is_an_svg_of_the_same_modules(client, sign_in, window):
    sign_in(Role.ADMIN)
    response = client.get(f"/windows/{window.code}/qr.svg?size=10&ec=h")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"

    root = ET.fromstring(response.data)  # noqa: S314 (our own output, not untrusted input)
    assert root.tag == f"{SVG}svg"
    (path,) = root.iter(f"{SVG}path")
    # Each dark module is one "M x,y" square, 1 mm a side at size 10, after a 4-module border.
    drawn = {(round(float(y)) - 4, round(float(x)) - 4)
             for x, y in re.findall(r"M([\d.]+),([\d.]+)", path.get("d"))}
    modules = qr_modules(rating_url(window), error="H")
    expected = {(r, c) for r, row in enumerate(modules) for c, dark in enumerate(row) if dark}
    assert drawn == expected


@pytest.mark.parametrize("fmt", ["png", "svg"])
@pytest.mark.parametrize("query", [
    "size=abc", "size=1", "size=41", "size=-3", "size=2.5", "size=", "ec=X", "ec=MM", "ec=",
])
def test_bad_options_are_refused_with_400(client, sign_in, window, fmt, query):
    sign_in(Role.ADMIN)
    assert client.get(f"/windows/{window.code}/qr.{fmt}?{query}").status_code == 400


@pytest.mark.parametrize("query", ["size=2", "size=40&ec=l", "ec=Q", "ec=h&size=12"])
def test_good_options_are_accepted(client, sign_in, window, query, decode_qr):
    sign_in(Role.ADMIN)
    response = client.get(f"/windows/{window.code}/qr.png?{query}")
    assert response.status_code == 200
    assert decode_qr(response.data) == [rating_url(window)]


def test_unknown_format_and_window_are_404(client, sign_in, window):
    sign_in(Role.ADMIN)
    assert client.get(f"/windows/{window.code}/qr.gif").status_code == 404
    assert client.get("/windows/nosuchcode/qr.png").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, window):
    for path in ("qr.png", "qr.svg"):
        response = client.get(f"/windows/{window.code}/{path}")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_the_manager_of_another_window_is_refused(client, sign_in, window, make_window):
    sign_in(Role.MANAGER, windows=[make_window()])
    assert client.get(f"/windows/{window.code}/qr.png").status_code == 403


def test_the_manager_of_the_window_gets_it(client, sign_in, window):
    sign_in(Role.MANAGER, windows=[window])
    assert client.get(f"/windows/{window.code}/qr.png").status_code == 200


def test_a_supervisor_outside_the_subtree_is_refused(client, sign_in, window, make_hall):
    elsewhere = make_hall().parent  # another province, city and county
    sign_in(Role.SUPERVISOR, org_unit=elsewhere)
    assert client.get(f"/windows/{window.code}/qr.svg").status_code == 403


def test_staff_and_operators_are_refused(client, sign_in, window, make_staff):
    sign_in(Role.STAFF, staff=make_staff(window=window))
    assert client.get(f"/windows/{window.code}/qr.png").status_code == 403
