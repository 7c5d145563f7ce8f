"""Staff pages: case lists, the case page with its timeline and actions, exports, appeals, and
the hotline operators' entry form.

Every page reads like a recipe: parse, load the case (404), may I (403), call a service,
commit once, redirect or render.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from feedback.accounts.models import Role, User
from feedback.cases import access
from feedback.cases.forms import (
    KIND_LABELS,
    OPENABLE_KINDS,
    AnswerForm,
    AppealForm,
    AssignForm,
    CallbackForm,
    CloseForm,
    DecideForm,
    HotlineForm,
    RevealForm,
    TakeForm,
    VerifyForm,
    case_label,
)
from feedback.cases.models import (
    Appeal,
    AppealGrounds,
    Case,
    CaseKind,
    CaseSource,
    CaseState,
    Triage,
    Verdict,
)
from feedback.cases.queries import (
    CaseFilter,
    appeals_query,
    assignee_choices,
    cases_query,
    count_waiting,
    get_appeal,
    get_case,
    get_hall_by_code,
    list_halls,
    search_windows,
)
from feedback.cases.workflow import services
from feedback.errors import ServiceError
from feedback.exports import csv_response, xlsx_response
from feedback.extensions import db
from feedback.forms import refuse
from feedback.pagination import paginate
from feedback.permissions import login_required, may, visible_windows_filter
from feedback.windows.models import Window
from feedback.windows.queries import get_window_by_code
from feedback.windows.views import get_window
from surveys import BAD_REASONS

bp = Blueprint("cases", __name__, url_prefix="/admin")

READERS = access.CASE_ROLES
HANDLERS = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)
CALLERS = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.OPERATOR)
DECIDERS = (Role.ADMIN, Role.SUPERVISOR)
HOTLINE = (Role.ADMIN, Role.SUPERVISOR, Role.OPERATOR)
WINDOW_SELECT_LIMIT = 300  # more visible windows than this: the filter takes a code instead
EXPORT_LIMIT = 50_000

_REASONS = {r.code: r for r in BAD_REASONS}


@bp.app_template_global("case_label")
def _case_label(group: str, value) -> str:
    return case_label(group, value)


@bp.app_template_global("reason_label")
def _reason_label(code: str) -> str:
    from flask_babel import get_locale

    reason = _REASONS.get(code)
    if reason is None:
        return code
    return reason.zh if str(get_locale()) == "zh" else reason.en


def load_case(case_id: int, rule: Callable[[User, Case], bool] = access.may_view_case) -> Case:
    """The case (404) if the current user may see it and pass ``rule`` (403)."""
    case = get_case(case_id) or abort(404)
    if not access.may_view_case(current_user, case) or not rule(current_user, case):
        abort(403)
    return case


# --- lists --------------------------------------------------------------------------------------


def _enum_arg(args: MultiDict, name: str, enum_cls):
    try:
        return enum_cls(args.get(name, ""))
    except ValueError:
        return None


def _date_arg(args: MultiDict, name: str, errors: list[str]) -> date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(value)s is not a date (write it as 2027-01-01).", value=raw[:20]))
        return None


def _filters(args: MultiDict) -> tuple[CaseFilter, list[str]]:
    """The list's filters from the query string; a window outside the user's scope is 403."""
    errors: list[str] = []
    window = get_window(args["window"], "view") if args.get("window") else None
    return CaseFilter(
        state=_enum_arg(args, "state", CaseState),
        kind=_enum_arg(args, "kind", CaseKind),
        window=window,
        since=_date_arg(args, "since", errors),
        until=_date_arg(args, "until", errors),
        overdue=args.get("overdue") == "1",
        mine=args.get("mine") == "1",
        search=args.get("q", ""),
    ), errors


def _filter_windows() -> list[Window] | None:
    """The windows the filter offers, or None when there are too many for a list."""
    query = select(Window).join(Window.org_unit).where(visible_windows_filter(current_user))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if total > WINDOW_SELECT_LIMIT:
        return None
    return list(db.session.scalars(query.order_by(Window.name)))


@bp.route("/cases")
@login_required(*READERS)
def index():
    filters, errors = _filters(request.args)
    return render_template(
        "cases/index.html", page=paginate(cases_query(current_user, filters)), filters=filters,
        errors=errors, counts=count_waiting(current_user), windows=_filter_windows(),
        states=list(CaseState), kinds=list(CaseKind),
    )


EXPORT_HEADER = (
    _l("Tracking number"), _l("Kind"), _l("Source"), _l("State"), _l("Received"), _l("Hall"),
    _l("Window"), _l("Window code"), _l("Content"), _l("Reasons"), _l("Phone"), _l("Assignee"),
    _l("Answer due"), _l("Overdue"), _l("Founded"), _l("Triage"), _l("Finding"),
    _l("Answered"), _l("Reply"), _l("Verdict"), _l("Closed"),
)


def _export_rows(query):
    for case in db.session.scalars(query.limit(EXPORT_LIMIT)):
        yield (
            case.tracking_no, case_label("kind", case.kind), case_label("source", case.source),
            case_label("state", case.state), case.created_at,
            case.window.org_unit.name if case.window else (case.hall.name if case.hall else ""),
            case.window.name if case.window else "", case.window.code if case.window else "",
            case.content, "、".join(_reason_label(r) for r in case.reasons or []),
            case.phone_masked or "",
            (case.assignee.display_name or case.assignee.username) if case.assignee else "",
            case.due_at, case.is_overdue(), case.founded, case_label("triage", case.triage),
            case.finding, case.answered_at, case.reply, case_label("verdict", case.verdict),
            case.closed_at,
        )


@bp.route("/cases/export.<any(csv, xlsx):fmt>")
@login_required(*READERS)
def export(fmt: str):
    """The filtered list as CSV or XLSX (phone numbers masked, formulas neutralised)."""
    filters, _errors = _filters(request.args)
    query = cases_query(current_user, filters)
    header = [str(label) for label in EXPORT_HEADER]
    filename = f"manyi-cases-{date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, _export_rows(query))
    return xlsx_response(filename, header, _export_rows(query), sheet="cases")


# --- the case page --------------------------------------------------------------------------------


def _assign_form(case: Case, form: AssignForm | None = None) -> AssignForm:
    form = form or AssignForm()
    form.assignee.choices = [
        SelectChoice(u.id, f"{u.display_name or u.username} ({u.username})")
        for u in assignee_choices(case, current_user)
    ]
    return form


def _render_case(case: Case, status: int = 200, **bound):
    """The case page; ``bound`` holds a submitted form to show with its errors."""
    user = current_user
    forms = {
        "assign_form": _assign_form(case, bound.get("assign_form")),
        "take_form": TakeForm(),
        "verify_form": bound.get("verify_form") or VerifyForm(),
        "answer_form": bound.get("answer_form") or AnswerForm(),
        "callback_form": bound.get("callback_form") or CallbackForm(),
        "close_form": bound.get("close_form") or CloseForm(),
        "reveal_form": bound.get("reveal_form") or RevealForm(),
        "appeal_form": bound.get("appeal_form") or AppealForm(),
        "decide_form": bound.get("decide_form") or DecideForm(),
    }
    may = {
        "handle": access.may_handle_case(user, case),
        "assign": (access.may_assign_case(user, case)
                   and bool(forms["assign_form"].assignee.choices)),
        "callback": access.may_record_callback(user, case),
        "reveal": access.may_reveal_phone(user, case),
        "appeal": access.may_appeal(user, case),
        "decide": (case.pending_appeal is not None
                   and access.may_decide_appeal(user, case.pending_appeal)),
        "evaluation": case.evaluation is not None and _may_view(user, case.evaluation.window),
        # 限期整改: a supervisor drafts a rectification notice from the case (feedback.notices).
        "notice": (case.triage == Triage.FIX_BY_DEADLINE and user.role in DECIDERS
                   and "notices.from_cases" in current_app.view_functions),
    }
    return render_template("cases/show.html", case=case, may=may, **forms), status


def _may_view(user: User, obj) -> bool:
    return may(user, "view", obj)


@bp.route("/cases/<int:case_id>")
@login_required(*READERS)
def show(case_id: int):
    return _render_case(load_case(case_id))


def _act(case: Case, form, form_name: str, default_field: str, action: Callable[[], object],
         success: str):
    """Validate ``form``, run ``action``, commit; or show the page again with the errors."""
    if form.validate_on_submit():
        try:
            action()
        except ServiceError as exc:
            refuse(form, exc, default_field)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return _render_case(case, 422, **{form_name: form})


@bp.route("/cases/<int:case_id>/assign", methods=["POST"])
@login_required(*HANDLERS)
def assign(case_id: int):
    case = load_case(case_id, access.may_assign_case)
    form = _assign_form(case, AssignForm())

    def action():
        assignee = db.session.get(User, form.assignee.data)
        if assignee is None:
            raise ServiceError(_("Please choose whom to assign the case to."), "assignee")
        services.assign_case(current_user, case, assignee, form.note.data or "")

    return _act(case, form, "assign_form", "assignee", action, _("The case is assigned."))


@bp.route("/cases/<int:case_id>/take", methods=["POST"])
@login_required(*HANDLERS)
def take(case_id: int):
    case = load_case(case_id, access.may_assign_case)
    form = TakeForm()
    if form.validate_on_submit():
        try:
            services.assign_case(current_user, case, current_user)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The case is yours now."), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/cases/<int:case_id>/verify", methods=["POST"])
@login_required(*HANDLERS)
def verify(case_id: int):
    case = load_case(case_id, access.may_handle_case)
    form = VerifyForm()
    return _act(case, form, "verify_form", "finding", lambda: services.verify_case(
        current_user, case, founded=form.founded.data == "yes", finding=form.finding.data,
        triage=Triage(form.triage.data)), _("The verification is recorded."))


@bp.route("/cases/<int:case_id>/answer", methods=["POST"])
@login_required(*HANDLERS)
def answer(case_id: int):
    case = load_case(case_id, access.may_handle_case)
    form = AnswerForm()
    return _act(case, form, "answer_form", "reply",
                lambda: services.answer_case(current_user, case, form.reply.data),
                _("The reply is sent: the citizen can read it with the tracking number."))


@bp.route("/cases/<int:case_id>/callback", methods=["POST"])
@login_required(*CALLERS)
def callback(case_id: int):
    case = load_case(case_id, access.may_record_callback)
    form = CallbackForm()
    return _act(case, form, "callback_form", "verdict",
                lambda: services.record_callback(current_user, case, Verdict(form.verdict.data),
                                                 form.note.data or ""),
                _("The callback is recorded."))


@bp.route("/cases/<int:case_id>/close", methods=["POST"])
@login_required(*HANDLERS)
def close(case_id: int):
    case = load_case(case_id, access.may_handle_case)
    form = CloseForm()
    return _act(case, form, "close_form", "note",
                lambda: services.close_case(current_user, case, form.note.data or ""),
                _("The case is closed."))


@bp.route("/cases/<int:case_id>/phone", methods=["POST"])
@login_required(*CALLERS)
def phone(case_id: int):
    """Show the citizen's number once, for a callback; the reveal and its purpose are audited."""
    case = load_case(case_id, access.may_reveal_phone)
    form = RevealForm()
    if not form.validate_on_submit():
        return _render_case(case, 422, reveal_form=form)
    try:
        number = services.reveal_case_phone(current_user, case, form.purpose.data)
    except ServiceError as exc:
        refuse(form, exc, "purpose")
        return _render_case(case, 422, reveal_form=form)
    db.session.commit()
    page = render_template("cases/phone.html", case=case, number=number)
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/cases/<int:case_id>/appeal", methods=["POST"])
@login_required(Role.ADMIN, Role.MANAGER)
def appeal(case_id: int):
    case = load_case(case_id, access.may_appeal)
    form = AppealForm()
    return _act(case, form, "appeal_form", "evidence",
                lambda: services.file_appeal(current_user, case, AppealGrounds(form.grounds.data),
                                             form.evidence.data),
                _("The appeal is filed; a supervisor will decide."))


# --- appeals --------------------------------------------------------------------------------------


def load_appeal(appeal_id: int) -> Appeal:
    appeal_ = get_appeal(appeal_id) or abort(404)
    if not access.may_view_case(current_user, appeal_.case):
        abort(403)
    if not access.may_decide_appeal(current_user, appeal_):
        abort(403)
    return appeal_


@bp.route("/appeals")
@login_required(*HANDLERS)
def appeals():
    pending_only = request.args.get("all") != "1"
    return render_template("cases/appeals.html",
                           page=paginate(appeals_query(current_user, pending_only=pending_only)),
                           pending_only=pending_only)


@bp.route("/appeals/<int:appeal_id>/decide", methods=["POST"])
@login_required(*DECIDERS)
def decide(appeal_id: int):
    appeal_ = load_appeal(appeal_id)
    case = load_case(appeal_.case_id)
    form = DecideForm()
    upheld = form.decision.data == "uphold"
    message = (_("The appeal is upheld: the evaluation no longer counts.") if upheld
               else _("The appeal is rejected: the evaluation keeps counting."))
    return _act(case, form, "decide_form", "note",
                lambda: services.decide_appeal(current_user, appeal_, upheld=upheld,
                                               note=form.note.data),
                message)


# --- the hotline ----------------------------------------------------------------------------------


@bp.route("/cases/hotline", methods=["GET", "POST"])
@login_required(*HOTLINE)
def hotline():
    """A hotline operator enters what a caller said (12319/12345); the channel is recorded."""
    form = HotlineForm()
    halls = list_halls(current_user)
    form.hall.choices = [SelectChoice("", "—")] + [
        SelectChoice(h.code, h.name) for h in halls]
    search = request.args.get("q", "").strip()
    found = search_windows(current_user, search) if search else []
    if form.validate_on_submit():
        try:
            window, hall = _hotline_place(form)
            opened = services.open_case(
                current_user, kind=CaseKind(form.kind.data), source=CaseSource.HOTLINE,
                content=form.content.data, window=window, hall=hall,
                phone=form.phone.data or "", consent=form.consent.data)
        except ServiceError as exc:
            refuse(form, exc, "content")
        else:
            db.session.commit()
            case = opened.case
            if opened.access_code:
                flash(_("Case %(no)s is open. Tell the caller the tracking number and the code "
                        "%(code)s: they need both to follow it online.",
                        no=case.tracking_no, code=opened.access_code), "success")
            else:
                flash(_("Case %(no)s is open. Tell the caller the tracking number: with the "
                        "last four digits of their number they can follow it online.",
                        no=case.tracking_no), "success")
            return redirect(url_for("cases.show", case_id=case.id))
    status = 422 if form.errors else 200
    return render_template("cases/hotline.html", form=form, found=found, search=search,
                           kinds=[(k, KIND_LABELS[k]) for k in OPENABLE_KINDS]), status


def _hotline_place(form: HotlineForm) -> tuple[Window | None, object | None]:
    code = (form.window.data or request.form.get("window_choice") or "").strip().lower()
    if code:
        window = get_window_by_code(code)
        if window is None or not may(current_user, "view", window):
            raise ServiceError(_("There is no window with code %(code)s.", code=code), "window")
        return window, None
    if form.hall.data:
        hall = get_hall_by_code(form.hall.data)
        if hall is None or not may(current_user, "view", hall):
            raise ServiceError(_("Please choose a service hall."), "hall")
        return None, hall
    raise ServiceError(_("Please choose a service hall or a window."), "window")

