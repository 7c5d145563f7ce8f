"""The window and staff admin pages: who may change what, photos, refused input."""

from __future__ import annotations

import io
import os

import pytest
from flask_babel import refresh
from PIL import Image
from sqlalchemy import func, select

from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.extensions import db
from feedback.windows.models import Staff, Window

PUBLIC_TEXT = {
    "location": "一楼东侧 3号台",
    "commitments": "一次告知，限时办结",
    "disclose_matters": "商品房预售许可",
    "disclose_basis": "",
    "disclose_rules": "",
    "disclose_procedure": "",
    "disclose_results": "",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def english(app, client):
    """English pages (Flask-Babel caches the locale on the test's one ``g``: refresh it)."""
    client.set_cookie("manyi_lang", "en", domain=app.config["SERVER_NAME"])
    refresh()


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="admin")


def test_admin_creates_a_window_in_a_hall(client, auth, admin, make_hall, category):
    hall = make_hall()
    auth.login("admin")
    response = client.post("/admin/windows/new", data={
        "name": "不动产登记窗口", "org_unit": hall.code, "category": category.id, **PUBLIC_TEXT,
    })

    window = db.session.scalar(select(Window))
    assert window is not None
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/windows/{window.code}")
    assert window.name == "不动产登记窗口"
    assert window.org_unit_id == hall.id
    assert window.category_id == category.id
    assert window.location == "一楼东侧 3号台"
    [entry] = audit("window.create")
    assert entry.actor_id == admin.id
    assert entry.object_id == str(window.id)


def test_a_window_outside_a_hall_is_refused(client, auth, admin, make_hall, category):
    county = make_hall().parent
    auth.login("admin")
    response = client.post("/admin/windows/new", data={
        "name": "县局窗口", "org_unit": county.code, "category": category.id,
    })
    assert response.status_code == 200
    assert "Windows belong to a service hall." in response.text
    assert count(Window) == 0


def test_manager_edits_only_the_public_text_of_their_window(
    client, auth, make_user, make_window, make_hall
):
    window = make_window(name="1号窗口")
    original_unit, original_category = window.org_unit_id, window.category_id
    elsewhere = make_hall(name="别处大厅")
    manager = make_user(Role.MANAGER, username="manager", windows=[window])
    auth.login("manager")

    page = client.get(f"/admin/windows/{window.code}")
    assert page.status_code == 200
    assert 'name="name"' not in page.text  # the manager's form has no settings fields
    response = client.post(f"/admin/windows/{window.code}", data={
        **PUBLIC_TEXT, "name": "改名窗口", "org_unit": elsewhere.code, "category": "99",
        "active": "",
    })

    assert response.status_code == 302
    db.session.expire_all()
    window = db.session.get(Window, window.id)
    assert window.location == PUBLIC_TEXT["location"]
    assert window.commitments == PUBLIC_TEXT["commitments"]
    assert window.disclose_matters == PUBLIC_TEXT["disclose_matters"]
    assert window.name == "1号窗口"
    assert window.org_unit_id == original_unit
    assert window.category_id == original_category
    assert window.active is True
    [entry] = audit("window.update")
    assert entry.actor_id == manager.id
    assert set(entry.changes) == {"location", "commitments", "disclose_matters"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_manager_gets_403_on_another_managers_window(
    client, auth, make_user, make_window, method
):
    mine, theirs = make_window(name="我的窗口"), make_window(name="别人的窗口")
    make_user(Role.MANAGER, username="manager", windows=[mine])
    make_user(Role.MANAGER, username="other", windows=[theirs])
    auth.login("manager")

    if method == "get":
        response = client.get(f"/admin/windows/{theirs.code}")
    else:
        response = client.post(f"/admin/windows/{theirs.code}", data=PUBLIC_TEXT)
    assert response.status_code == 403
    assert client.get(f"/admin/windows/{theirs.code}/staff/new").status_code == 403
    db.session.expire_all()
    assert db.session.get(Window, theirs.id).location == ""
    assert audit("window.update") == []


def test_staff_with_a_png_photo_is_served_as_jpeg(client, auth, admin, make_window, app):
    window = make_window()
    auth.login("admin")
    response = client.post(
        f"/admin/windows/{window.code}/staff/new",
        data={"name": "张伟", "badge_no": "HN00077", "title": "科员", "party_member": "y",
              "photo": (io.BytesIO(png_bytes()), "photo.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    staff = db.session.scalar(select(Staff))
    assert (staff.name, staff.badge_no, staff.title, staff.party_member) == (
        "张伟", "HN00077", "科员", True
    )
    assert staff.photo is not None and staff.photo.endswith(".jpg")
    assert os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], "photos", staff.photo))
    assert [e.action for e in db.session.scalars(select(AuditLog).order_by(AuditLog.id))][-2:] == [
        "staff.create", "staff.photo"
    ]

    auth.logout()  # photos of staff on duty are public
    with client.get(f"/staff/{staff.id}/photo.jpg") as photo:
        assert photo.status_code == 200
        assert photo.mimetype == "image/jpeg"
        body = photo.get_data()
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG"
        assert image.size == (40, 30)


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("photo.png", "The photo must be a JPEG, PNG or WebP image."),  # lies about its type
        ("photo.txt", "Images only."),
    ],
)
def test_a_non_image_photo_is_refused(client, auth, admin, make_window, filename, message):
    window = make_window()
    auth.login("admin")
    response = client.post(
        f"/admin/windows/{window.code}/staff/new",
        data={"name": "张伟", "badge_no": "HN00077",
              "photo": (io.BytesIO(b"#!/bin/sh\necho this is not an image\n"), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert message in response.text
    assert count(Staff) == 0
    assert audit("staff.create") == []


def test_a_duplicate_badge_number_is_refused(client, auth, admin, make_window, make_staff):
    window = make_window()
    make_staff(window, name="张伟", badge_no="HN00001")
    other_window = make_window()
    auth.login("admin")
    response = client.post(
        f"/admin/windows/{other_window.code}/staff/new",
        data={"name": "李娜", "badge_no": " HN00001 "},
    )
    assert response.status_code == 200
    assert "The badge number HN00001 is taken." in response.text
    assert [(s.name, s.window_id) for s in db.session.scalars(select(Staff))] == [
        ("张伟", window.id)
    ]
    assert len(audit("staff.create")) == 1  # the factory's, none from the refused form
