"""``POST /api/v1/cases``: other intake systems (the 12345 platform, a provincial 好差评
platform) hand over complaints, suggestions and praise.

Callers authenticate with a user's bearer token (``manyi token create USERNAME``) and act as
that user: an operator, supervisor or administrator, for the windows and halls in their scope
(anything else is "unknown", as if it did not exist). ``client_ref`` makes retries safe.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, g
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from feedback.accounts.models import Role, User
from feedback.api.auth import api_token_rate_key, api_token_required
from feedback.api.parsing import (
    CLIENT_REF_RE,
    InvalidRequest,
    _Fields,
    field_error,
    invalid,
    read_json_object,
)
from feedback.cases.forms import OPENABLE_KINDS
from feedback.cases.models import CaseKind, CaseSource
from feedback.cases.queries import get_hall_by_code
from feedback.cases.workflow.services import CONTENT_LIMIT, Opened, open_case
from feedback.errors import ServiceError
from feedback.extensions import csrf, db, limiter
from feedback.permissions import may
from feedback.windows.queries import get_window_by_code

bp = Blueprint("api_cases", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # a token in a header, not cookies

CASE_FIELDS = ("window", "hall", "kind", "content", "phone", "consent", "client_ref")
INTAKE_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.OPERATOR)
# Line breaks and tabs belong in a complaint; other control characters (NUL above all) do not.
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@bp.errorhandler(InvalidRequest)
def _invalid_request(exc: InvalidRequest):
    db.session.rollback()
    return exc.response()


def _limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _content(data: dict[str, Any], errors: dict[str, dict[str, str]]) -> str | None:
    value = data.get("content")
    if value is None or (isinstance(value, str) and not value.strip()):
        errors["content"] = field_error("required", _("This field is required."))
    elif not isinstance(value, str):
        errors["content"] = field_error("invalid_type", _("This field must be a string."))
    elif len(value.strip()) > CONTENT_LIMIT:
        errors["content"] = field_error("too_long", _("At most %(n)d characters.", n=CONTENT_LIMIT))
    elif _BAD_CONTROL.search(value):
        errors["content"] = field_error("invalid", _("This value is not valid."))
    else:
        return value.strip()
    return None


def _opened_body(opened: Opened) -> dict[str, Any]:
    case = opened.case
    return {
        "tracking_no": case.tracking_no,
        "access_code": opened.access_code,
        "kind": case.kind.value,
        "state": case.state.value,
        "window": case.window.code if case.window is not None else None,
        "hall": case.unit.code,
        "received_at": case.created_at.isoformat(timespec="seconds"),
        "due_at": case.due_at.isoformat(timespec="seconds") if case.due_at else None,
    }


@bp.route("/cases", methods=["POST"])
@api_token_required
@limiter.limit(_limit, key_func=api_token_rate_key)
def create_case():
    """Open a case from another intake system: 201, or 200 for a retry with the same
    ``client_ref``."""
    user: User = g.api_user
    if user.role not in INTAKE_ROLES:
        raise InvalidRequest(403, _("Only operators, supervisors and administrators open cases."))
    data = read_json_object()
    fields = _Fields(data, CASE_FIELDS)
    window_code = fields.text("window")
    hall_code = fields.text("hall")
    kind_text = fields.text("kind", required=True)
    phone = fields.text("phone") or ""
    client_ref = fields.text("client_ref", max_length=40, pattern=CLIENT_REF_RE)
    content = _content(data, fields.errors)
    consent = data.get("consent", False)
    if not isinstance(consent, bool):
        fields.errors["consent"] = field_error("invalid_type", _("This field must be a boolean."))
    kind = None
    if kind_text is not None:
        try:
            kind = CaseKind(kind_text)
        except ValueError:
            kind = None
        if kind not in OPENABLE_KINDS:
            kinds = ", ".join(k.value for k in OPENABLE_KINDS)
            fields.errors["kind"] = field_error("invalid", _("One of: %(kinds)s.", kinds=kinds))
    if (window_code is None) == (hall_code is None) and "window" not in fields.errors:
        fields.errors["window"] = field_error("required", _("Give either a window or a hall."))
    fields.raise_if_errors()

    window = hall = None
    if window_code is not None:
        window = get_window_by_code(window_code.lower())
        if window is None or not may(user, "view", window):
            raise invalid({"window": field_error("unknown",
                                                 _("There is no window with this code."))})
    else:
        hall = get_hall_by_code(hall_code or "")
        if hall is None or not may(user, "view", hall):
            raise invalid({"hall": field_error("unknown", _("There is no hall with this code."))})

    nonce = f"api:{user.id}:{client_ref}" if client_ref else None
    try:
        opened = open_case(user, kind=kind, source=CaseSource.API, content=content or "",
                           window=window, hall=hall, phone=phone, consent=bool(consent),
                           nonce=nonce)
        if not opened.duplicate:
            db.session.commit()
    except ServiceError as exc:
        raise invalid({exc.field or "content": field_error("invalid", exc.message)}) from None
    except IntegrityError:
        db.session.rollback()  # a concurrent retry with the same client_ref opened it first
        opened = open_case(user, kind=kind, source=CaseSource.API, content=content or "",
                           window=window, hall=hall, phone=phone, consent=bool(consent),
                           nonce=nonce)
    if opened.duplicate and (opened.case.window_id != (window.id if window else None)
                             or opened.case.hall_id != (hall.id if hall else None)):
        message = _("This client_ref was used for a case about another window or hall.")
        raise InvalidRequest(409, message, {"client_ref": field_error("reused", message)})
    return _opened_body(opened), 200 if opened.duplicate else 201
