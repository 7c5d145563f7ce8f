"""The JSON API, ``/api/v1``: devices rate and issue tokens; anyone lists windows.

Every view reads like the pages do: parse (400/422), load (422 for a window named in a body,
404 for one in the path), check the device's scope (403), call a service, commit once.
Errors have the one shape of ``feedback.errors.error_response``, with ``errors`` per field.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback import clock
from feedback.api.auth import (
    current_device,
    device_rate_key,
    device_required,
    require_window_scope,
)
from feedback.api.openapi import openapi_document
from feedback.api.parsing import (
    MAX_PER_PAGE,
    TOKEN_RE,
    EvaluationRequest,
    InvalidRequest,
    answer_error,
    field_error,
    invalid,
    parse_evaluation,
    parse_token_request,
    parse_window_query,
    read_json_object,
)
from feedback.api.queries import public_windows_query
from feedback.cards.qr import DEFAULT_BOX, MAX_BOX, MIN_BOX, qr_png
from feedback.cases.intake import code_for_repeat
from feedback.clock import local_date
from feedback.errors import ServiceError
from feedback.evaluations.models import Channel, Device, Evaluation, EvaluationToken
from feedback.evaluations.services import (
    Contact,
    InvalidAnswers,
    Stored,
    Submission,
    find_by_nonce,
    get_token,
    issue_token,
    submit_evaluation,
)
from feedback.extensions import csrf, db, limiter
from feedback.orgs.models import OrgUnit, ServiceCategory
from feedback.permissions import public
from feedback.questionnaires.queries import current_version_ref
from feedback.windows.models import Window
from feedback.windows.queries import get_window_by_code

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # keys in a header, not cookies: there is no cross-site request to forge


def _device_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _public_limit() -> str:
    return current_app.config["API_PUBLIC_RATE_LIMIT"]


@bp.errorhandler(InvalidRequest)
def _invalid_request(exc: InvalidRequest):
    db.session.rollback()
    return exc.response()


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _scoped_window(code: str, *, for_rating: bool = True) -> Window:
    """The window named in a body (422 if unknown), if this device may act for it (403).

    With ``for_rating``, also 422 unless the window accepts ratings.
    """
    window = get_window_by_code(code)
    if window is None:
        raise invalid({"window": field_error("unknown", _("There is no window with this code."))})
    require_window_scope(window)
    if for_rating:
        _check_active(window)
    return window


def _check_active(window: Window) -> None:
    if not window.active:
        raise invalid({"window": field_error("inactive",
                                             _("This window is not accepting ratings."))})


# --- evaluations --------------------------------------------------------------------------------


@bp.route("/evaluations", methods=["POST"])
@device_required
@limiter.limit(_device_limit, key_func=device_rate_key)
def create_evaluation():
    """Store one evaluation from a device: 201, or 200 for a retry with the same client_ref."""
    device = current_device()
    now = clock.now()
    body = parse_evaluation(read_json_object(), now)
    window = _scoped_window(body.window, for_rating=False)
    nonce = f"dev:{device.id}:{body.client_ref}" if body.client_ref else None
    if nonce is not None and (earlier := find_by_nonce(nonce)) is not None:
        return _replayed(earlier, window, nonce)  # even if the window closed since then
    _check_active(window)
    version = current_version_ref(window.id, window.category_id, local_date(now))
    try:
        token = _transaction_token(body, window, device)
        submission = Submission(channel=Channel.DEVICE, device=device, nonce=nonce, token=token,
                                created_at=body.rated_at)
        stored = submit_evaluation(window, version, body.answers, Contact(), submission)
        db.session.commit()
    except InvalidAnswers as exc:
        raise invalid({f"answers.{key}": answer_error(error)
                       for key, error in exc.errors.items()}) from None
    except ServiceError as exc:
        raise InvalidRequest(409, exc.message) from None
    except IntegrityError:
        # A concurrent retry stored it first, or a concurrent request used the same token.
        db.session.rollback()
        earlier = find_by_nonce(nonce) if nonce is not None else None
        if earlier is None:
            raise InvalidRequest(409, _("This transaction has been evaluated already.")) from None
        return _replayed(earlier, window, nonce)
    return _evaluation_body(stored), 200 if stored.duplicate else 201


def _transaction_token(body: EvaluationRequest, window: Window,
                       device: Device) -> EvaluationToken | None:
    """The one-time token binding this evaluation to a transaction (一事一评), if any.

    A device that knows only the transaction number gets its token issued here, so a second
    evaluation of the same transaction is refused (409) wherever it comes from.
    """
    if body.token is not None:
        token = get_token(body.token)
        if token is None:
            raise invalid({"token": field_error("unknown", _("There is no such evaluation code."))})
        if token.window_id != window.id:
            raise invalid({"token": field_error(
                "other_window", _("This evaluation code belongs to another window."))})
        if body.transaction_no is not None and body.transaction_no != token.transaction_no:
            raise invalid({"transaction_no": field_error(
                "mismatch", _("This is not the transaction of the evaluation code."))})
        state = token.state(clock.now())
        if state != "open":
            message = (_("This evaluation code has been used.") if state == "used"
                       else _("This evaluation code has expired."))
            raise InvalidRequest(409, message, {"token": field_error(state, message)})
        return token
    if body.transaction_no is not None:
        return _issue(window, body.transaction_no, device)
    return None


def _issue(window: Window, transaction_no: str, device: Device) -> EvaluationToken:
    try:
        return issue_token(window, transaction_no, device=device)
    except ServiceError as exc:  # the body was checked: what is left is "evaluated already"
        raise InvalidRequest(409, exc.message,
                             {"transaction_no": field_error("evaluated", exc.message)}) from None


def _replayed(earlier: Evaluation, window: Window, nonce: str):
    if earlier.window_id != window.id:
        message = _("This client_ref was used for an evaluation of another window.")
        raise InvalidRequest(409, message, {"client_ref": field_error("reused", message)})
    stored = Stored.of(earlier, duplicate=True)
    stored.access_code = code_for_repeat(earlier, nonce)  # the same code as the first answer
    return _evaluation_body(stored), 200


def _evaluation_body(stored: Stored) -> dict:
    return {
        "id": stored.id,
        "level": stored.level,
        "tracking_no": stored.tracking_no,
        "access_code": stored.access_code,
        "verified": stored.verified,
        "flagged": stored.flagged,
    }


# --- transaction tokens (一事一评) ---------------------------------------------------------------


@bp.route("/tokens", methods=["POST"])
@device_required
@limiter.limit(_device_limit, key_func=device_rate_key)
def create_token():
    """Issue a one-time evaluation token for a transaction: 201, or 200 with the open one."""
    device = current_device()
    body = parse_token_request(read_json_object())
    window = _scoped_window(body.window)
    # Compared by value: SQLite may give a re-issued token the id of the expired one it replaces.
    open_before = db.session.scalar(
        select(EvaluationToken.token).where(EvaluationToken.window_id == window.id,
                                         EvaluationToken.transaction_no == body.transaction_no)
    )
    try:
        token = _issue(window, body.transaction_no, device)
        db.session.commit()
    except IntegrityError:
        # Issued concurrently for the same transaction: answer with that one.
        db.session.rollback()
        token = _issue(window, body.transaction_no, device)
        db.session.commit()
        open_before = token.token
    return _token_body(token), 200 if token.token == open_before else 201


def _token_body(token: EvaluationToken) -> dict:
    return {
        "token": token.token,
        "window": token.window.code,
        "transaction_no": token.transaction_no,
        "url": url_for("rate.token_form", token=token.token, _external=True),
        "qr_png": url_for("api.token_qr", token=token.token, _external=True),
        "expires_at": _timestamp(token.expires_at),
    }


@bp.route("/tokens/<token>/qr.png")
@device_required
@limiter.limit(_device_limit, key_func=device_rate_key)
def token_qr(token: str):
    """The token's link as a QR code PNG, to print on the receipt (``?size=`` 2–40)."""
    found = get_token(token) if TOKEN_RE.fullmatch(token) else None
    if found is None:
        abort(404, _("There is no such evaluation code."))
    require_window_scope(found.window)
    if found.state(clock.now()) != "open":
        abort(410, _("This evaluation code has been used or has expired."))
    size = request.args.get("size", DEFAULT_BOX, type=int)
    if not MIN_BOX <= size <= MAX_BOX:
        limit = f"{MIN_BOX}–{MAX_BOX}"
        raise InvalidRequest(400, _("Please correct the parameters listed in errors."), {
            "size": field_error("invalid", _("A whole number (%(limit)s).", limit=limit))})
    png = qr_png(url_for("rate.token_form", token=found.token, _external=True), box_size=size)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, no-store"})


# --- public -------------------------------------------------------------------------------------


@bp.route("/windows")
@public
@limiter.limit(_public_limit)
def list_windows():
    """Active windows with their public fields, a page at a time."""
    query = parse_window_query(request.args)
    unit = category = None
    if query.org_unit is not None:
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == query.org_unit))
        if unit is None:
            raise _unknown_parameter("org_unit")
    if query.category is not None:
        category = db.session.scalar(
            select(ServiceCategory).where(ServiceCategory.code == query.category))
        if category is None:
            raise _unknown_parameter("category")
    page = db.paginate(public_windows_query(unit, category), page=query.page,
                       per_page=query.per_page, max_per_page=MAX_PER_PAGE, error_out=False)
    return {
        "items": [_public_window(window) for window in page.items],
        "page": query.page,
        "per_page": query.per_page,
        "total": page.total,
        "pages": page.pages,
    }


def _unknown_parameter(name: str) -> InvalidRequest:
    return InvalidRequest(400, _("Please correct the parameters listed in errors."),
                          {name: field_error("unknown", _("Nothing has this code."))})


def _public_window(window: Window) -> dict:
    """What anyone may know about a window: never staff data, never the QR key."""
    return {
        "code": window.code,
        "name": window.name,
        "org_unit": {"code": window.org_unit.code, "name": window.org_unit.name},
        "category": {"code": window.category.code, "name": window.category.name},
    }


@bp.route("/openapi.json")
@public
def openapi():
    """This API described in OpenAPI 3.1."""
    return jsonify(openapi_document())

