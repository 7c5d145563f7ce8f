"""Writes on windows and staff. Services flush; the request commits once."""

from __future__ import annotations

import io
import os
import secrets
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from feedback.accounts.models import User
from feedback.audit.services import apply_changes, record
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, ServiceCategory, UnitKind
from feedback.windows.models import DISCLOSURES, Staff, Window, new_window_code

# What a window manager may change about their own window: its public text.
PUBLIC_TEXT_FIELDS = ("location", "commitments", *(field for field, _zh, _en in DISCLOSURES))
PHOTO_MAX_PIXELS = 1200
PHOTO_DIR = "photos"


def create_window(
    actor: User | None,
    *,
    name: str,
    org_unit: OrgUnit,
    category: ServiceCategory,
    code: str | None = None,
    **public_text: str,
) -> Window:
    """Add a window to a service hall.

    Raises ``ServiceError`` for an empty name, a unit that is not a service hall, or a taken
    code. Audited as ``window.create``.
    """
    name = name.strip()
    if not name:
        raise ServiceError(_("Please enter a name."), "name")
    if org_unit.kind != UnitKind.HALL:
        raise ServiceError(_("Windows belong to a service hall."), "org_unit")
    unknown = set(public_text) - set(PUBLIC_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown window fields: {sorted(unknown)}")
    if code is None:
        code = _unused_code()
    elif db.session.scalar(select(Window.id).where(Window.code == code)) is not None:
        raise ServiceError(_("The code %(code)s is taken.", code=code), "code")
    window = Window(code=code, name=name, org_unit=org_unit, category=category,
                    **{k: (v or "").strip() for k, v in public_text.items()})
    db.session.add(window)
    db.session.flush()
    record(actor, "window.create", window,
           {"code": window.code, "name": name, "org_unit": org_unit.code,
            "category": category.code})
    return window


def update_window_text(actor: User, window: Window, **public_text: str) -> None:
    """Change a window's public text (location, commitments 承诺, disclosures 五公开). Audited."""
    unknown = set(public_text) - set(PUBLIC_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown window fields: {sorted(unknown)}")
    changes = apply_changes(window, {k: (v or "").strip() for k, v in public_text.items()})
    if changes:
        record(actor, "window.update", window, changes)


def update_window_settings(
    actor: User,
    window: Window,
    *,
    name: str,
    org_unit: OrgUnit,
    category: ServiceCategory,
    active: bool,
) -> None:
    """Rename, move, re-categorise or (de)activate a window. Raises ``ServiceError``; audited."""
    name = name.strip()
    if not name:
        raise ServiceError(_("Please enter a name."), "name")
    if org_unit.kind != UnitKind.HALL:
        raise ServiceError(_("Windows belong to a service hall."), "org_unit")
    changes = apply_changes(
        window, {"name": name, "org_unit": org_unit, "category": category, "active": active}
    )
    if changes:
        record(actor, "window.update", window, changes)


def create_staff(
    actor: User | None,
    *,
    window: Window,
    name: str,
    badge_no: str,
    title: str = "",
    party_member: bool = False,
) -> Staff:
    """Add a staff member to a window.

    Raises ``ServiceError`` for an empty name or a badge number already used anywhere in the
    organisation. Audited as ``staff.create``.
    """
    name, badge_no = name.strip(), badge_no.strip()
    if not name:
        raise ServiceError(_("Please enter a name."), "name")
    _check_badge(badge_no)
    staff = Staff(window=window, name=name, badge_no=badge_no, title=title.strip(),
                  party_member=party_member)
    db.session.add(staff)
    db.session.flush()
    record(actor, "staff.create", staff,
           {"name": name, "badge_no": badge_no, "window": window.code})
    return staff


def update_staff(
    actor: User,
    staff: Staff,
    *,
    name: str,
    badge_no: str,
    title: str,
    party_member: bool,
    active: bool,
    window: Window | None = None,
) -> None:
    """Change a staff member's details or window. Raises ``ServiceError``; audited."""
    name, badge_no = name.strip(), badge_no.strip()
    if not name:
        raise ServiceError(_("Please enter a name."), "name")
    if badge_no != staff.badge_no:
        _check_badge(badge_no)
    values = {"name": name, "badge_no": badge_no, "title": title.strip(),
              "party_member": party_member, "active": active}
    if window is not None:
        values["window"] = window
    changes = apply_changes(staff, values)
    if changes:
        record(actor, "staff.update", staff, changes)


def save_staff_photo(actor: User, staff: Staff, upload: IO[bytes]) -> None:
    """Store a staff photo, re-encoded as JPEG (which drops EXIF and anything hidden in it).

    Raises ``ServiceError`` when the file is not an image. Audited as ``staff.photo``.
    """
    try:
        with Image.open(upload) as image:
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=85)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ServiceError(_("The photo must be a JPEG, PNG or WebP image."), "photo") from None
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], PHOTO_DIR)
    os.makedirs(folder, exist_ok=True)
    filename = f"{secrets.token_hex(12)}.jpg"
    with open(os.path.join(folder, filename), "wb") as fh:
        fh.write(buffer.getvalue())
    old, staff.photo = staff.photo, filename
    record(actor, "staff.photo", staff, {"photo": [old, filename]})


def photo_path(staff: Staff) -> str | None:
    if not staff.photo:
        return None
    return os.path.join(current_app.config["UPLOAD_FOLDER"], PHOTO_DIR, staff.photo)


def _check_badge(badge_no: str) -> None:
    if not badge_no or len(badge_no) > 32:
        raise ServiceError(_("A badge number has 1 to 32 characters."), "badge_no")
    if db.session.scalar(select(Staff.id).where(Staff.badge_no == badge_no)) is not None:
        raise ServiceError(_("The badge number %(badge)s is taken.", badge=badge_no), "badge_no")


def _unused_code() -> str:
    while True:
        code = new_window_code()
        if db.session.scalar(select(Window.id).where(Window.code == code)) is None:
            return code
