"""The public side: the rating form citizens reach from a QR code, and the thank-you page.

Kept apart from the staff pages because it is the hottest path: no login, few queries.
"""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Row, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from feedback import clock, database
from feedback.clock import local_date
from feedback.errors import ServiceError
from feedback.evaluations.links import KeyState, check_qr_key
from feedback.evaluations.models import Channel
from feedback.evaluations.services import (
    Contact,
    InvalidAnswers,
    Submission,
    definition_of,
    find_by_nonce,
    get_token,
    repeated,
    submit_evaluation,
)
from feedback.extensions import db, limiter
from feedback.permissions import public
from feedback.questionnaires.queries import (
    VERSION_BINDS,
    VersionRef,
    current_version_ref,
    current_version_sql,
)
from feedback.windows.models import DISCLOSURES, Window
from feedback.windows.queries import list_staff

bp = Blueprint("rate", __name__)

CLIENT_COOKIE = "manyi_cid"
NONCE_BYTES = 24
# What secrets.token_urlsafe makes, never a colon: devices' and the suggestion box's nonces
# ("dev:…", "box:…") are namespaced with one, so the form cannot name theirs.
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
CLIENT_COOKIE_DAYS = 365


def _rating_limit() -> str:
    return current_app.config["RATING_RATE_LIMIT"]


def _window_or_404(code: str) -> Window:
    window = db.session.scalar(
        select(Window).where(Window.code == code).options(joinedload(Window.org_unit))
    )
    if window is None:
        abort(404)
    return window


# The rating form's one read before it stores: the window, its hall and the questionnaire
# version it shows today, in one round trip and without the ORM's identity map (the hot path).
_PUBLIC_WINDOW = text(f"""
SELECT w.id, w.code, w.name, w.active, w.qr_key_version, w.category_id,
       u.name AS hall_name, u.path AS unit_path,
       cv.id AS version_id, cv.fingerprint AS version_fingerprint
FROM windows AS w
JOIN org_units AS u ON u.id = w.org_unit_id
LEFT JOIN survey_versions AS cv ON cv.id = ({current_version_sql("w.id", "w.category_id")})
WHERE w.code = :code
""").bindparams(*VERSION_BINDS)  # noqa: S608 (our own SQL; values are bound)


def _public_window_or_404(code: str) -> Row:
    """What the form and the thank-you page show of a window (id, code, name, hall_name …),
    with the questionnaire version it shows today (``version_id``, ``version_fingerprint``)."""
    window = database.execute(_PUBLIC_WINDOW, {
        "code": code, "today": local_date(clock.now()), "yes": True,
    }).one_or_none()
    if window is None:
        abort(404)
    return window


def _version_of(window: Row) -> VersionRef:
    if window.version_id is None:
        raise LookupError("no default questionnaire: run `manyi db upgrade`")
    return VersionRef(window.version_id, window.version_fingerprint)


def _version_today(window: Window | Row) -> VersionRef:
    return current_version_ref(window.id, window.category_id, local_date(clock.now()))


def _client_id() -> str:
    """The browser's random id (cookie), made on first visit; set on the response later."""
    cid = request.cookies.get(CLIENT_COOKIE, "")
    if len(cid) != 22 or not cid.replace("-", "").replace("_", "").isalnum():
        cid = secrets.token_urlsafe(16)
        g.new_client_id = cid
    return cid


@bp.after_app_request
def _remember_client(response):
    cid = g.pop("new_client_id", None)
    if cid is not None:
        response.set_cookie(CLIENT_COOKIE, cid, max_age=CLIENT_COOKIE_DAYS * 86400,
                            httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _render_form(window: Window | Row, version: VersionRef, *, key: str | None, token=None,
                 values=None, errors=None, contact_errors=None, status: int = 200):
    return render_template(
        "rate/form.html", window=window, definition=definition_of(version), key=key, token=token,
        staff=list_staff(window, include_inactive=False), values=values or {}, errors=errors or {},
        contact_errors=contact_errors or {}, nonce=secrets.token_urlsafe(NONCE_BYTES),
    ), status


def _form_nonce() -> str | None:
    """The form's one-time nonce, shaped as ``_render_form`` makes it; a form without one (an
    old page) is stored without double-tap protection, and any other shape is refused (400):
    the nonce decides which earlier evaluation a resubmitted form is shown."""
    nonce = request.form.get("nonce") or None
    if nonce is not None and not NONCE_RE.fullmatch(nonce):
        abort(400)
    return nonce


def _submit(window: Window | Row, version: VersionRef, key: str | None, channel: Channel,
            token=None):
    form = request.form
    contact = Contact(phone=form.get("phone", "").strip()[:32],
                      consent=form.get("consent") == "yes",
                      wants_reply=form.get("wants_reply") == "yes")
    submission = Submission(
        channel=channel,
        nonce=_form_nonce(),
        client_id=_client_id(),
        address=request.remote_addr,
        staff_session=current_user.is_authenticated,
        token=token,
    )
    try:
        stored = submit_evaluation(window, version, form, contact, submission)
        if not stored.duplicate:
            db.session.commit()
    except InvalidAnswers as exc:
        db.session.rollback()
        return _render_form(window, version, key=key, token=token, values=form,
                            errors=exc.errors, contact_errors=exc.contact_errors, status=422)
    except ServiceError as exc:
        db.session.rollback()
        return render_template("rate/closed.html", window=window, message=exc.message), 409
    except IntegrityError:
        # Two taps raced past the nonce check; the other one stored the evaluation.
        db.session.rollback()
        existing = find_by_nonce(submission.nonce) if submission.nonce else None
        if existing is None:
            raise
        try:
            stored = repeated(existing, window, submission)
        except ServiceError as exc:
            return render_template("rate/closed.html", window=window, message=exc.message), 409
        return render_template("rate/thanks.html", window=window, evaluation=stored)
    return render_template("rate/thanks.html", window=window, evaluation=stored)


@bp.route("/w/<code>", methods=["GET", "POST"])
@public
@limiter.limit(_rating_limit, methods=["POST"])
def form(code: str):
    """The rating form behind a window's desk-card QR code (``/w/<code>?k=<key>``)."""
    window = _public_window_or_404(code)
    key = request.args.get("k")
    state = check_qr_key(window, key)
    if state is KeyState.REVOKED:
        return render_template("rate/closed.html", window=window,
                               message=_("This QR code has been withdrawn. Please scan the "
                                         "code on the window's current desk card.")), 410
    if state is KeyState.INVALID:
        abort(404)
    if not window.active:
        return render_template("rate/closed.html", window=window,
                               message=_("This window is not accepting ratings.")), 410
    if request.method == "POST":
        return _submit(window, _version_of(window), key, Channel.QR)
    _client_id()
    return _render_form(window, _version_of(window), key=key)


@bp.route("/t/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_rating_limit, methods=["POST"])
def token_form(token: str):
    """The form behind a one-transaction QR code on a receipt (一事一评)."""
    found = get_token(token) or abort(404)
    window = found.window
    state = found.state(clock.now())
    if state != "open" and request.method == "GET":
        message = (_("This evaluation code has been used. Thank you for your rating.")
                   if state == "used" else _("This evaluation code has expired."))
        return render_template("rate/closed.html", window=window, message=message), 410
    if request.method == "POST":
        return _submit(window, _version_today(window), None, Channel.TOKEN, token=found)
    _client_id()
    return _render_form(window, _version_today(window), key=None, token=found)


@bp.route("/w/<code>/about")
@public
def about(code: str):
    """The window's public page: staff on duty (亮身份), commitments (亮承诺), 五公开."""
    window = _window_or_404(code)
    if not window.active:
        abort(404)
    return render_template("rate/about.html", window=window,
                           staff=list_staff(window, include_inactive=False),
                           disclosures=DISCLOSURES)

