"""The public links printed as QR codes, and the key that lets a window's cards be revoked."""

from __future__ import annotations

import base64
import hashlib
import hmac
from enum import Enum

from flask import current_app, url_for

from feedback.windows.models import Window

KEY_LENGTH = 6


class KeyState(Enum):
    CURRENT = "current"
    REVOKED = "revoked"  # printed before the window's codes were revoked
    INVALID = "invalid"


def qr_key(window: Window, version: int | None = None) -> str:
    """A short key for (window, version): unguessable without the data key."""
    version = window.qr_key_version if version is None else version
    mac = hmac.new(current_app.config["DATA_KEY"], f"qr:{window.code}:{version}".encode(),
                   hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii")[:KEY_LENGTH].lower()


def check_qr_key(window: Window, key: str | None) -> KeyState:
    if not key:
        return KeyState.INVALID
    key = key.lower()
    if hmac.compare_digest(key, qr_key(window)):
        return KeyState.CURRENT
    for version in range(1, window.qr_key_version):
        if hmac.compare_digest(key, qr_key(window, version)):
            return KeyState.REVOKED
    return KeyState.INVALID


def rating_url(window: Window, *, external: bool = True) -> str:
    """The link on the window's desk card: ``/w/<code>?k=<key>``."""
    return url_for("rate.form", code=window.code, k=qr_key(window), _external=external)
