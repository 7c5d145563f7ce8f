"""The citizens' side of cases: the suggestion box 意见箱 and the lookup page ``/track``.

A lookup needs the tracking number and the second factor (the last four digits of the phone
number left, or the code shown at submission). A wrong combination answers exactly as an
unknown number does, and failed lookups are rate limited per address. A successful one is
remembered in the (signed) session for the case alone, so the citizen can read the reply and
give a verdict without typing the number again.
"""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from feedback import clock
from feedback.cases.forms import OPENABLE_KINDS, SuggestionForm, TrackForm, VerdictForm
from feedback.cases.intake import normalise_tracking_no
from feedback.cases.models import Case, CaseKind, CaseSource, CaseState, Verdict
from feedback.cases.queries import get_hall_by_code, hall_windows, list_halls
from feedback.cases.workflow.services import (
    Opened,
    citizen_verdict,
    find_case_for_citizen,
    open_case,
)
from feedback.errors import ServiceError
from feedback.extensions import db, limiter
from feedback.forms import refuse
from feedback.orgs.models import OrgUnit
from feedback.permissions import public
from feedback.windows.models import Window
from feedback.windows.queries import get_window_by_code

bp = Blueprint("cases_public", __name__)

GRANTS_KEY = "manyi_tracked"  # ids of the cases this browser proved it may read
MAX_GRANTS = 5


def _track_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


def _rating_limit() -> str:
    return current_app.config["RATING_RATE_LIMIT"]


def _failed(response) -> bool:
    """Only lookups that fail use up the limit; a citizen checking their case is never blocked."""
    return response.status_code != 302


# --- the lookup ----------------------------------------------------------------------------------


def _grant(case: Case) -> None:
    grants = [i for i in session.get(GRANTS_KEY, []) if i != case.id]
    session[GRANTS_KEY] = [*grants[-(MAX_GRANTS - 1):], case.id]


def _granted_case(tracking_no: str) -> Case | None:
    number = normalise_tracking_no(tracking_no)
    case = db.session.scalar(db.select(Case).where(Case.tracking_no == number))
    if case is None or case.id not in session.get(GRANTS_KEY, []):
        return None
    return case


@bp.route("/track", methods=["GET", "POST"])
@public
@limiter.limit(_track_limit, methods=["POST"], deduct_when=_failed)
def track():
    """Look a case up by its tracking number and second factor."""
    form = TrackForm()
    if request.method == "GET" and request.args.get("no"):
        form.tracking_no.data = request.args["no"][:32]
    if form.validate_on_submit():
        case = find_case_for_citizen(form.tracking_no.data, form.factor.data)
        if case is not None:
            _grant(case)
            return redirect(url_for("cases_public.case", tracking_no=case.tracking_no))
        form.factor.data = ""  # never echoed back
        form.factor.errors = [_("We found no feedback with this tracking number and code. "
                                "Please check both and try again.")]
    status = 422 if request.method == "POST" else 200
    return render_template("cases/public/track.html", form=form), status


@bp.route("/track/<tracking_no>")
@public
def case(tracking_no: str):
    """The citizen's view of their case: the reply, the public timeline, the verdict form."""
    found = _granted_case(tracking_no)
    if found is None:
        return redirect(url_for("cases_public.track", no=tracking_no[:32]))
    return _render_case(found, VerdictForm())


def _render_case(found: Case, form: VerdictForm, status: int = 200):
    return render_template("cases/public/case.html", case=found, form=form, now=clock.now(),
                           events=[e for e in found.events if e.public]), status


@bp.route("/track/<tracking_no>/verdict", methods=["POST"])
@public
@limiter.limit(_rating_limit)
def verdict(tracking_no: str):
    """The citizen's verdict on the handling: 满意 / 基本满意 / 不满意 (which reopens it)."""
    found = _granted_case(tracking_no)
    if found is None:
        return redirect(url_for("cases_public.track", no=tracking_no[:32]))
    form = VerdictForm()
    if found.state != CaseState.ANSWERED:
        flash(_("Your verdict was recorded already."), "error")
        return redirect(url_for("cases_public.case", tracking_no=found.tracking_no))
    if form.validate_on_submit():
        try:
            reopened = citizen_verdict(found, Verdict(form.verdict.data), form.note.data or "")
        except ServiceError as exc:
            refuse(form, exc, "verdict")
        else:
            db.session.commit()
            flash(_("We are sorry. We will look into it again and reply.") if reopened
                  else _("Thank you for your verdict."), "success")
            return redirect(url_for("cases_public.case", tracking_no=found.tracking_no))
    return _render_case(found, form, 422)


# --- the suggestion box ---------------------------------------------------------------------------


def _submit(form: SuggestionForm, *, window: Window | None, hall: OrgUnit | None):
    nonce = (form.nonce.data or "")[:48]
    try:
        opened = open_case(None, kind=CaseKind(form.kind.data), source=CaseSource.SUGGESTION_BOX,
                           content=form.content.data, window=window, hall=hall,
                           phone=form.phone.data or "", consent=form.consent.data,
                           nonce=f"box:{nonce}" if nonce else None)
    except ServiceError as exc:
        refuse(form, exc, "content")
        return None
    if not opened.duplicate:
        db.session.commit()
    return opened


def _thanks(opened: Opened):
    return render_template("cases/public/submitted.html", case=opened.case,
                           code=opened.access_code)


def _new_form() -> SuggestionForm:
    form = SuggestionForm()
    if request.method == "GET":
        form.nonce.data = secrets.token_urlsafe(24)
    return form


@bp.route("/w/<code>/suggest", methods=["GET", "POST"])
@public
@limiter.limit(_rating_limit, methods=["POST"])
def window_box(code: str):
    """The suggestion box of one window: a complaint, suggestion or praise about it."""
    window = get_window_by_code(code) or abort(404)
    if not window.active:
        return render_template("rate/closed.html", window=window,
                               message=_("This window is not accepting feedback.")), 410
    form = _new_form()
    del form.window
    if form.validate_on_submit():
        opened = _submit(form, window=window, hall=None)
        if opened is not None:
            return _thanks(opened)
    return render_template("cases/public/suggest.html", form=form, window=window, hall=None,
                           halls=None, kinds=OPENABLE_KINDS), 422 if form.errors else 200


@bp.route("/suggest", methods=["GET", "POST"])
@public
@limiter.limit(_rating_limit, methods=["POST"])
def box():
    """The general suggestion box: choose the service hall, then (optionally) the window."""
    hall = get_hall_by_code(request.args.get("hall", "")) if request.args.get("hall") else None
    if hall is None:
        if request.args.get("hall"):
            abort(404)
        return render_template("cases/public/suggest.html", form=None, window=None, hall=None,
                               halls=list_halls(), kinds=OPENABLE_KINDS)
    windows = hall_windows(hall)
    form = _new_form()
    form.window.choices = [SelectChoice("", _("The hall as a whole"))] + [
        SelectChoice(w.code, w.name) for w in windows]
    if form.validate_on_submit():
        window = next((w for w in windows if w.code == form.window.data), None)
        opened = _submit(form, window=window, hall=None if window else hall)
        if opened is not None:
            return _thanks(opened)
    return render_template("cases/public/suggest.html", form=form, window=None, hall=hall,
                           halls=None, kinds=OPENABLE_KINDS), 422 if form.errors else 200
