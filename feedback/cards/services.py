"""Writes on printed cards. Services flush; the request commits once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from feedback.audit.services import record
from feedback.extensions import db
from feedback.windows.models import Window

if TYPE_CHECKING:
    from feedback.accounts.models import User


def revoke_window_qr(actor: User | None, window: Window) -> int:
    """Withdraw every QR code printed for ``window`` so far (a lost or copied desk card).

    Bumps ``window.qr_key_version``: links with an older key then show the "withdrawn" page
    and new cards have to be printed. Returns the new version. Audited as
    ``window.revoke_qr``. Raises nothing; flushes, the caller commits.
    """
    old = window.qr_key_version
    # Incremented in SQL, so two revocations at the same moment both count.
    window.qr_key_version = Window.qr_key_version + 1
    db.session.flush()
    db.session.refresh(window, attribute_names=["qr_key_version"])
    record(actor, "window.revoke_qr", window,
           {"code": window.code, "qr_key_version": [old, window.qr_key_version]})
    return window.qr_key_version
