"""Protecting citizens' contact data: encryption at rest and keyed hashes.

One data key (``DATA_KEY``, or generated once into ``instance/data_key``) is kept apart from
``SECRET_KEY``: rotating the session secret must neither lose the phone numbers nor invalidate
the QR codes printed on desk cards. Back it up with the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from feedback.config import ConfigError


def load_data_key(instance_path: str) -> bytes:
    """32 random bytes from ``DATA_KEY`` (urlsafe base64) or from ``instance/data_key``."""
    raw = os.environ.get("DATA_KEY")
    if raw:
        try:
            key = base64.urlsafe_b64decode(raw.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigError("DATA_KEY must be 32 bytes in urlsafe base64") from None
        if len(key) != 32:
            raise ConfigError("DATA_KEY must be 32 bytes in urlsafe base64")
        return key
    path = Path(instance_path) / "data_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(base64.urlsafe_b64encode(os.urandom(32)).decode("ascii"))
    return base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip())


def _subkey(purpose: str) -> bytes:
    return hmac.new(current_app.config["DATA_KEY"], purpose.encode(), hashlib.sha256).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_subkey("contact-encryption")))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The clear text; ``ValueError`` if the data key does not fit (restored elsewhere?)."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ValueError("contact data cannot be decrypted with this DATA_KEY") from None


def keyed_hash(purpose: str, value: str, length: int = 32) -> str:
    """A stable pseudonym for ``value`` (a browser id, an address) that reveals nothing."""
    digest = hmac.new(_subkey(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:length]


def mask_phone(phone: str) -> str:
    """``138****5678``: enough for a person to recognise, not enough to call."""
    if len(phone) >= 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * len(phone)
