"""Devices (评价器, the hall's queuing system) call the API with a key scoped to their windows.

``Authorization: Bearer mny_<prefix>_<secret>``. ``@device_required`` answers 401 without a
valid key and puts the device on ``g``; ``require_window_scope`` answers 403 for a window the
device was not given. Keys are made and revoked on the command line (``manyi device``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import abort, g, request
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from feedback import clock
from feedback.errors import error_response
from feedback.evaluations.devices import check_device_key
from feedback.evaluations.models import Device, device_windows
from feedback.extensions import db
from feedback.permissions import ACCESS_ATTR
from feedback.windows.models import Window

F = TypeVar("F", bound=Callable[..., Any])

DEVICE = ("device",)  # the access rule of device routes, read by the route guard
LAST_USED_RESOLUTION = timedelta(minutes=1)


def device_required(view: F) -> F:
    """Only a device with a valid, active key may call this view (401 JSON otherwise)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        device = check_device_key(_bearer_key())
        if device is None:
            response, status = error_response(
                401, _("A valid device key is required: Authorization: Bearer <key>."))
            response.headers["WWW-Authenticate"] = 'Bearer realm="manyi"'
            return response, status
        _touch(device)
        g.device = device
        return view(*args, **kwargs)

    setattr(wrapped, ACCESS_ATTR, DEVICE)
    return wrapped  # type: ignore[return-value]


def current_device() -> Device:
    return g.device


def device_rate_key() -> str:
    """Flask-Limiter key of device routes: the key prefix (limits run after authentication)."""
    return f"device:{current_device().key_prefix}"


def require_window_scope(window: Window) -> Window:
    """Abort with 403 unless the current device was given ``window``; return ``window``."""
    scoped = db.session.scalar(
        select(device_windows.c.window_id).where(
            device_windows.c.device_id == current_device().id,
            device_windows.c.window_id == window.id,
        )
    )
    if scoped is None:
        abort(403, _("This device may not act for window %(code)s.", code=window.code))
    return window


def _bearer_key() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, key = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return key.strip() or None


def _touch(device: Device) -> None:
    """Record when the device was last seen, at most once a minute.

    Committed on its own, before the view: a request refused later (bad body, 403) still
    shows the device is alive, and busy devices do not write the row on every call.
    """
    now = clock.now()
    if device.last_used_at is not None and device.last_used_at > now - LAST_USED_RESOLUTION:
        return
    db.session.execute(
        update(Device)
        .where(Device.id == device.id,
               or_(Device.last_used_at.is_(None),
                   Device.last_used_at <= now - LAST_USED_RESOLUTION))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# --- statistics API: bearer tokens of users (``manyi token create USERNAME``) -----------------

API_TOKEN = ("api_token",)  # the access rule of token routes, read by the route guard


def api_token_required(view: F) -> F:
    """Only a valid, unrevoked user token may call this view (401 JSON otherwise).

    The token's user is put on ``g.api_user``: the view checks its scope like a page does.
    """
    from feedback.stats.tokens import check_api_token, touch_api_token

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        token = check_api_token(_bearer_key())
        if token is None:
            response, status = error_response(
                401, _("A valid API token is required: Authorization: Bearer <token>."))
            response.headers["WWW-Authenticate"] = 'Bearer realm="manyi"'
            return response, status
        touch_api_token(token)
        db.session.commit()  # the use is recorded even if the request is refused later
        g.api_token = token
        g.api_user = token.user
        return view(*args, **kwargs)

    setattr(wrapped, ACCESS_ATTR, API_TOKEN)
    return wrapped  # type: ignore[return-value]


def api_token_rate_key() -> str:
    """Flask-Limiter key of token routes: the token's prefix."""
    return f"token:{g.api_token.prefix}"
