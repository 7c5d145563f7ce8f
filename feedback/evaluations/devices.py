"""Rating devices (评价器) and queuing systems: keys scoped to windows. Services flush only."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import select

from feedback.audit.services import record
from feedback.errors import ServiceError
from feedback.evaluations.models import Device
from feedback.extensions import db
from feedback.windows.models import Window

if TYPE_CHECKING:
    from feedback.accounts.models import User


DEVICE_KEY_SCHEME = "mny"
DEVICE_PREFIX_LENGTH = 8
DEVICE_SECRET_LENGTH = 32
_DEVICE_PREFIX_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_DEVICE_SECRET_ALPHABET = string.ascii_letters + string.digits
DEVICE_KEY_RE = re.compile(
    rf"{DEVICE_KEY_SCHEME}_([{_DEVICE_PREFIX_ALPHABET}]{{{DEVICE_PREFIX_LENGTH}}})"
    rf"_([A-Za-z0-9]{{{DEVICE_SECRET_LENGTH}}})"
)


def hash_device_key(key: str) -> str:
    """SHA-256 (hex) of the whole key. The secret part is 190 random bits: no salt needed."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def create_device(actor: User | None, name: str, windows: Sequence[Window]) -> tuple[Device, str]:
    """Add a device allowed to rate and issue tokens for ``windows``; return it and its key.

    The key (``mny_<prefix>_<secret>``) is returned once and never stored: only its prefix and
    hash are. Raises ``ServiceError`` for an empty or overlong name, a name already used by an
    active device, or no window. Audited as ``device.create``.
    """
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise ServiceError(_("A device name has 1 to 120 characters."), "name")
    if not windows:
        raise ServiceError(_("A device needs at least one window."), "windows")
    taken = db.session.scalar(
        select(Device.id).where(Device.name == name, Device.active.is_(True))
    )
    if taken is not None:
        raise ServiceError(_("An active device is already named %(name)s.", name=name), "name")
    prefix = _unused_device_prefix()
    secret = "".join(secrets.choice(_DEVICE_SECRET_ALPHABET) for _ in range(DEVICE_SECRET_LENGTH))
    key = f"{DEVICE_KEY_SCHEME}_{prefix}_{secret}"
    device = Device(name=name, key_prefix=prefix, key_hash=hash_device_key(key),
                    windows=list({w.id: w for w in windows}.values()))
    db.session.add(device)
    db.session.flush()
    record(actor, "device.create", device,
           {"name": name, "key_prefix": prefix, "windows": [w.code for w in device.windows]})
    return device, key


def _unused_device_prefix() -> str:
    while True:
        prefix = "".join(secrets.choice(_DEVICE_PREFIX_ALPHABET)
                         for _ in range(DEVICE_PREFIX_LENGTH))
        if db.session.scalar(select(Device.id).where(Device.key_prefix == prefix)) is None:
            return prefix


def check_device_key(key: str | None) -> Device | None:
    """The active device whose key this is, or None (malformed, unknown, wrong or revoked).

    Reads only; the hash is compared in constant time.
    """
    match = DEVICE_KEY_RE.fullmatch(key or "")
    if match is None:
        return None
    device = db.session.scalar(select(Device).where(Device.key_prefix == match.group(1)))
    if device is None or not hmac.compare_digest(device.key_hash, hash_device_key(key or "")):
        return None
    return device if device.active else None


def find_device(name_or_prefix: str) -> Device | None:
    """The device with this key prefix, else the active device with this name.

    Raises ``ServiceError`` when several active devices share the name (not possible through
    ``create_device``, but names are not unique in the schema).
    """
    value = name_or_prefix.strip()
    device = db.session.scalar(select(Device).where(Device.key_prefix == value))
    if device is not None:
        return device
    named = db.session.scalars(
        select(Device).where(Device.name == " ".join(value.split()))
        .order_by(Device.active.desc(), Device.id.desc())
    ).all()
    active = [d for d in named if d.active]
    if len(active) > 1:
        raise ServiceError(_("Several devices are named %(name)s: use the key prefix.",
                             name=value))
    return named[0] if named else None


def revoke_device(actor: User | None, device: Device) -> None:
    """Refuse the device's key from now on. Raises ``ServiceError`` if revoked already; audited."""
    if not device.active:
        raise ServiceError(_("The device %(name)s is revoked already.", name=device.name))
    device.active = False
    record(actor, "device.revoke", device, {"name": device.name, "key_prefix": device.key_prefix})
