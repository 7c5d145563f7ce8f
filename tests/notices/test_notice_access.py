"""Nobody outside a notice's scope sees it, touches it or downloads its evidence."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from feedback import clock
from feedback.extensions import db
from feedback.notices.models import Notice, NoticeEvent
from feedback.notices.services import (
    acknowledge_notice,
    draft_notice,
    issue_notice,
    mark_overdue_notices,
    publish_notice,
    return_notice,
    submit_report,
    verify_notice,
)
from feedback.notices.workflow import NoticeState

ISSUED = datetime(2026, 5, 11, 2, 0, tzinfo=UTC)


@pytest.fixture
def two_notices(province, files):
    """A closed notice and an overdue, published one, both with evidence files."""
    made = []
    with clock.frozen_at(ISSUED):
        for title in ("已办结的整改通知", "逾期并通报的整改通知"):
            notice = draft_notice(province.city_sup, target_window=province.window,
                                  problem="问题", requirement="要求", title=title)
            issue_notice(province.city_sup, notice)
            acknowledge_notice(province.manager, notice)
            submit_report(province.manager, notice, "措施",
                          [("照片.png", io.BytesIO(files.png())),
                           ("记录.pdf", io.BytesIO(files.pdf()))])
            made.append(notice)
        verify_notice(province.city_sup, made[0])
        return_notice(province.city_sup, made[1], "不够")
    mark_overdue_notices(made[1].due_at + timedelta(hours=1))
    publish_notice(province.city_sup, made[1], "未按期整改，予以通报。")
    db.session.commit()
    assert (made[0].state, made[1].state) == (NoticeState.CLOSED, NoticeState.RETURNED)
    return made


OUTSIDERS = ["city_b_sup", "manager_b", "neighbour_manager", "operator", "staff_user"]


def requests_on(notice: Notice) -> list[tuple[str, str, dict]]:
    base = f"/admin/notices/{notice.id}"
    file_id = notice.files[0].id
    return [
        ("GET", base, {}),
        ("GET", f"{base}/files/{file_id}", {}),
        ("GET", f"{base}/files/{notice.files[1].id}?download=1", {}),
        ("GET", f"{base}/edit", {}),
        ("POST", f"{base}/issue", {}),
        ("POST", f"{base}/cancel", {"reason": "x"}),
        ("POST", f"{base}/acknowledge", {}),
        ("POST", f"{base}/report", {"measures": "偷偷提交"}),
        ("POST", f"{base}/return", {"comment": "偷偷退回"}),
        ("POST", f"{base}/verify", {"comment": "偷偷验收"}),
        ("POST", f"{base}/publish", {"public_text": "偷偷通报"}),
        ("POST", f"{base}/follow-up", {}),
    ]


def fetch(client, path: str):
    """GET a file: its response and body, with send_file's stream closed."""
    response = client.get(path)
    data = response.get_data()
    response.close()
    return response, data


def _snapshot(notice_id: int) -> tuple:
    db.session.expire_all()
    notice = db.session.get(Notice, notice_id)
    events = db.session.scalar(select(func.count()).select_from(NoticeEvent)
                               .where(NoticeEvent.notice_id == notice_id))
    return (notice.state, notice.published_at, notice.public_text, len(notice.reports),
            events, db.session.scalar(select(func.count()).select_from(Notice)))


@pytest.mark.parametrize("which", [0, 1], ids=["closed", "overdue-published"])
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_can_neither_see_nor_touch_a_notice(province, two_notices, sign_in, outsider,
                                                      which):
    notice = two_notices[which]
    before = _snapshot(notice.id)
    client = sign_in(getattr(province, outsider))
    for method, path, data in requests_on(notice):
        response = client.open(path, method=method, data=data)
        assert response.status_code == 403, (method, path, response.status_code)
        assert b"%PDF" not in response.data and b"PNG" not in response.data[:8]
    assert _snapshot(notice.id) == before
    listing = client.get("/admin/notices")
    if listing.status_code == 200:
        assert notice.title not in listing.text
    else:
        assert listing.status_code == 403


@pytest.mark.parametrize("which", [0, 1], ids=["closed", "overdue-published"])
def test_anonymous_visitors_are_sent_to_sign_in(app, two_notices, which):
    notice = two_notices[which]
    client = app.test_client()
    for method, path, data in requests_on(notice):
        response = client.open(path, method=method, data=data)
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"


@pytest.mark.parametrize("insider", ["manager", "city_sup", "county_sup", "province_sup", "admin"])
def test_insiders_see_the_notice_and_download_its_evidence(province, two_notices, sign_in,
                                                           files, insider):
    client = sign_in(getattr(province, insider))
    notice = two_notices[0]
    assert client.get(f"/admin/notices/{notice.id}").status_code == 200
    assert notice.title in client.get("/admin/notices").text
    png, pdf = notice.files
    image, data = fetch(client, f"/admin/notices/{notice.id}/files/{png.id}")
    assert image.status_code == 200 and data == files.png()
    assert image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert "filename*=UTF-8''%E7%85%A7%E7%89%87.png" in image.headers["Content-Disposition"]
    assert "private" in image.headers["Cache-Control"]
    assert "sandbox" in image.headers["Content-Security-Policy"]
    document, data = fetch(client, f"/admin/notices/{notice.id}/files/{pdf.id}")
    assert document.mimetype == "application/pdf" and data.startswith(b"%PDF-")
    assert document.headers["Content-Disposition"].startswith("attachment")


def test_a_file_of_another_notice_is_not_found_through_this_one(province, two_notices, sign_in):
    first, second = two_notices
    client = sign_in(province.manager)
    path = f"/admin/notices/{first.id}/files/{second.files[0].id}"
    assert client.get(path).status_code == 404
    assert client.get(f"/admin/notices/{first.id}/files/999999").status_code == 404


def test_drafts_stay_with_those_who_may_send_them(province, sign_in):
    draft = draft_notice(province.city_sup, target_window=province.window, problem="草稿问题",
                         title="尚未下发的草稿")
    db.session.commit()
    for user, status in ((province.manager, 403), (province.county_sup, 403),
                         (province.city_sup, 200), (province.province_sup, 200)):
        client = sign_in(user)
        assert client.get(f"/admin/notices/{draft.id}").status_code == status, user.username
        assert (draft.title in client.get("/admin/notices").text) == (status == 200)


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_moves_need_the_forms_csrf_token(make_app, province):
    notice = draft_notice(province.city_sup, target_window=province.window, problem="问题",
                          requirement="要求")
    db.session.commit()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token(client.get("/login").text)
    client.post("/login", data={"username": "cs-sup", "password": "correct-horse-42",
                                "csrf_token": token})
    assert client.post(f"/admin/notices/{notice.id}/issue").status_code == 400
    assert db.session.get(Notice, notice.id).state == NoticeState.DRAFT
    token = csrf_token(client.get(f"/admin/notices/{notice.id}").text)
    assert client.post(f"/admin/notices/{notice.id}/issue",
                       data={"csrf_token": token}).status_code == 302
    assert db.session.get(Notice, notice.id).state == NoticeState.ISSUED
