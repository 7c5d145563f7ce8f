"""Staff pages of rectification notices: lists, drafting, the moves, reports and evidence."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from feedback import clock
from feedback.accounts.models import Role, User
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.forms import refuse, split_codes
from feedback.notices import evidence as files
from feedback.notices.access import may_respond, may_supervise, may_target, may_view
from feedback.notices.effect import PERIODS, before_after, subtree_effect
from feedback.notices.forms import (
    ActionForm,
    CancelForm,
    DraftForm,
    NewNoticeForm,
    PublishForm,
    ReportForm,
    ReturnForm,
    VerifyForm,
)
from feedback.notices.models import LinkKind, Notice, NoticeLink
from feedback.notices.queries import get_file, notices_query, overview, with_details
from feedback.notices.services import (
    NotAllowed,
    acknowledge_notice,
    cancel_draft,
    draft_follow_up,
    draft_from_cases,
    draft_notice,
    issue_notice,
    publish_notice,
    return_notice,
    submit_report,
    update_draft,
    verify_notice,
)
from feedback.notices.workflow import (
    EVENT_LABELS,
    KIND_LABELS,
    SOURCE_LABELS,
    STATE_LABELS,
    NoticeSource,
    NoticeState,
    allowed_moves,
)
from feedback.orgs.queries import get_unit_by_code
from feedback.pagination import paginate
from feedback.permissions import login_required, require
from feedback.windows.queries import get_window_by_code

bp = Blueprint("notices", __name__, url_prefix="/admin/notices")

READERS = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)
SUPERVISORS = (Role.ADMIN, Role.SUPERVISOR)
RESPONDERS = (Role.MANAGER, Role.SUPERVISOR)


def get_notice(notice_id: int, allowed: Callable[[User, Notice], bool] = may_view) -> Notice:
    """The notice (404) that the current user may see, or act on as ``allowed`` says (403)."""
    notice = with_details(notice_id) or abort(404)
    if not allowed(current_user, notice):
        abort(403)
    return notice


# Globals, not a context processor: the macros in notices/_macros.html are imported without
# the template's context.
bp.add_app_template_global(lambda s: STATE_LABELS.get(s, s), "notice_state_label")
bp.add_app_template_global(lambda k: KIND_LABELS.get(k, k), "notice_kind_label")
bp.add_app_template_global(lambda s: SOURCE_LABELS.get(s, s), "notice_source_label")
bp.add_app_template_global(lambda e: EVENT_LABELS.get(e, e), "notice_event_label")


@bp.route("")
@login_required(*READERS)
def index():
    unit = None
    if request.args.get("unit"):
        unit = get_unit_by_code(request.args["unit"]) or abort(404)
        require("view", unit)
    state = request.args.get("state") or None
    if state not in (None, "open", *(s.value for s in NoticeState)):
        abort(400)
    query = notices_query(current_user, state=state, overdue=request.args.get("overdue") == "1",
                          unit=unit, search=request.args.get("q"))
    return render_template("notices/index.html", page=paginate(query), unit=unit, state=state,
                           states=list(NoticeState), now=clock.now(),
                           may_draft=current_user.role in SUPERVISORS)


@bp.route("/overview")
@login_required(*SUPERVISORS)
def overview_page():
    """On-time closure, overdue notices and the effect of closed ones across the subtree."""
    unit = None
    if request.args.get("unit"):
        unit = get_unit_by_code(request.args["unit"]) or abort(404)
        require("view", unit)
    return render_template("notices/overview.html", unit=unit,
                           summary=overview(current_user, unit),
                           effect=subtree_effect(current_user, unit), periods=PERIODS,
                           now=clock.now())


@bp.route("/new", methods=["GET", "POST"])
@login_required(*SUPERVISORS)
def new():
    form = NewNoticeForm()
    if request.method == "GET":
        form.window.data = request.args.get("window", "")
        form.unit.data = request.args.get("unit", "")
        form.evaluations.data = request.args.get("evaluations", "")
        form.chart.data = request.args.get("chart", "")
    if form.validate_on_submit():
        window, unit = _resolve_target(form)
        try:
            evidence: dict[str, object] = {
                "evaluations": split_codes(form.evaluations.data or ""),
                "chart": (form.chart.data or "").strip() or None,
            }
            source = form.source.data
            if source == NoticeSource.INSPECTION.value and form.inspection.data:
                evidence["inspection"] = {"ref": form.inspection.data.strip()[:200],
                                          "label": form.inspection.data.strip()}
            notice = draft_notice(
                current_user, target_window=window, target_unit=unit,
                problem=form.problem.data, requirement=form.requirement.data or "",
                title=form.title.data, kind=form.kind.data, source=source,
                deadline_days=form.deadline_days.data, evidence=evidence,
            )
        except ServiceError as exc:
            refuse(form, exc, _form_field(exc, form))
        else:
            db.session.commit()
            flash(_("Draft saved. Check it, then send it."), "success")
            return redirect(url_for("notices.show", notice_id=notice.id))
    return render_template("notices/new.html", form=form)


def _resolve_target(form: NewNoticeForm):
    """The window or unit the form names, 404 for an unknown code, 403 outside the scope."""
    window = unit = None
    if (form.window.data or "").strip():
        window = get_window_by_code(form.window.data.strip()) or abort(404)
    elif (form.unit.data or "").strip():
        unit = get_unit_by_code(form.unit.data.strip()) or abort(404)
    target = window.org_unit if window is not None else unit
    if target is not None and not may_target(current_user, target, window):
        abort(403)
    return window, unit


def _form_field(exc: ServiceError, form) -> str:
    names = {"target": "window", "evidence": "evaluations", "source": "source"}
    field = names.get(exc.field or "", exc.field or "")
    return field if hasattr(form, field) else "problem"


@bp.route("/from-cases", methods=["POST"])
@login_required(*SUPERVISORS)
def from_cases():
    """A draft from cases triaged 限期整改 (``case`` ids in the form, from the cases pages)."""
    from feedback.cases.models import Case

    form = ActionForm()
    ids = request.form.getlist("case", type=int)
    if not form.validate_on_submit() or not ids:
        abort(400)
    cases = db.session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id)).all()
    if len(cases) != len(set(ids)):
        abort(404)
    try:
        notice = draft_from_cases(current_user, cases)
    except NotAllowed:
        abort(403)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(request.referrer or url_for("notices.index"))
    db.session.commit()
    flash(_("Draft saved. Check it, then send it."), "success")
    return redirect(url_for("notices.show", notice_id=notice.id))


@bp.route("/<int:notice_id>")
@login_required(*READERS)
def show(notice_id: int):
    return _show_page(get_notice(notice_id))


def _show_page(notice: Notice, report_form: ReportForm | None = None, status: int = 200):
    """The notice's page; with a refused ``report_form`` (400), that form and its errors and
    without the before/after figures."""
    if report_form is None:
        report_form = ReportForm()
        report_form.files.description = _upload_help()
    return render_template(
        "notices/show.html", notice=notice, now=clock.now(),
        supervise=may_supervise(current_user, notice), respond=may_respond(current_user, notice),
        moves=allowed_moves(notice.state), links=[_link(link) for link in notice.links],
        action_form=ActionForm(), report_form=report_form, return_form=ReturnForm(),
        verify_form=VerifyForm(), cancel_form=CancelForm(),
        publish_form=PublishForm(data={"public_text": _default_public_text(notice)}),
        effect=before_after(notice) if status == 200 else None,
    ), status


@bp.route("/<int:notice_id>/edit", methods=["GET", "POST"])
@login_required(*SUPERVISORS)
def edit(notice_id: int):
    notice = get_notice(notice_id, may_supervise)
    if notice.state != NoticeState.DRAFT:
        flash(_("Only a draft can be changed."), "error")
        return redirect(url_for("notices.show", notice_id=notice.id))
    form = DraftForm(obj=notice)
    if form.validate_on_submit():
        try:
            update_draft(current_user, notice, title=form.title.data or "",
                         problem=form.problem.data, requirement=form.requirement.data or "",
                         deadline_days=form.deadline_days.data)
        except ServiceError as exc:
            refuse(form, exc, exc.field if exc.field in form else "problem")
        else:
            db.session.commit()
            flash(_("Draft saved."), "success")
            return redirect(url_for("notices.show", notice_id=notice.id))
    return render_template("notices/edit.html", form=form, notice=notice)


def _move(notice_id: int, allowed, form_class, act, done: str):
    """Load (404), check (403), validate the form, act, commit once, back to the notice."""
    notice = get_notice(notice_id, allowed)
    form = form_class()
    if not form.validate_on_submit():
        message = next(iter(form.errors.values()), [_("Please fill in the form.")])[0]
        flash(message, "error")
    else:
        try:
            act(notice, form)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("notices.show", notice_id=notice_id))


@bp.route("/<int:notice_id>/issue", methods=["POST"])
@login_required(*SUPERVISORS)
def issue(notice_id: int):
    return _move(notice_id, may_supervise, ActionForm,
                 lambda n, _f: issue_notice(current_user, n), _("The notice was sent."))


@bp.route("/<int:notice_id>/cancel", methods=["POST"])
@login_required(*SUPERVISORS)
def cancel(notice_id: int):
    return _move(notice_id, may_supervise, CancelForm,
                 lambda n, f: cancel_draft(current_user, n, f.reason.data),
                 _("The draft was dropped."))


@bp.route("/<int:notice_id>/acknowledge", methods=["POST"])
@login_required(*RESPONDERS)
def acknowledge(notice_id: int):
    return _move(notice_id, may_respond, ActionForm,
                 lambda n, _f: acknowledge_notice(current_user, n),
                 _("You acknowledged the notice."))


@bp.route("/<int:notice_id>/report", methods=["POST"])
@login_required(*RESPONDERS)
def report(notice_id: int):
    """Measures and evidence files; a refused file shows the form again, nothing stored."""
    notice = get_notice(notice_id, may_respond)
    form = ReportForm()
    form.files.description = _upload_help()
    if form.validate_on_submit():
        uploads = [(f.filename, f.stream) for f in (form.files.data or []) if f and f.filename]
        try:
            submit_report(current_user, notice, form.measures.data, uploads)
        except ServiceError as exc:
            refuse(form, exc, "measures")
        else:
            db.session.commit()
            flash(_("Your report was sent."), "success")
            return redirect(url_for("notices.show", notice_id=notice.id))
    return _show_page(get_notice(notice_id), form, 400)


@bp.route("/<int:notice_id>/return", methods=["POST"])
@login_required(*SUPERVISORS)
def return_(notice_id: int):
    return _move(notice_id, may_supervise, ReturnForm,
                 lambda n, f: return_notice(current_user, n, f.comment.data),
                 _("The report was returned for another one."))


@bp.route("/<int:notice_id>/verify", methods=["POST"])
@login_required(*SUPERVISORS)
def verify(notice_id: int):
    return _move(notice_id, may_supervise, VerifyForm,
                 lambda n, f: verify_notice(current_user, n, f.comment.data or ""),
                 _("The notice was verified and closed."))


@bp.route("/<int:notice_id>/publish", methods=["POST"])
@login_required(*SUPERVISORS)
def publish(notice_id: int):
    return _move(notice_id, may_supervise, PublishForm,
                 lambda n, f: publish_notice(current_user, n, f.public_text.data),
                 _("The notice was published on the public notices page."))


@bp.route("/<int:notice_id>/follow-up", methods=["POST"])
@login_required(*SUPERVISORS)
def follow_up(notice_id: int):
    notice = get_notice(notice_id, may_supervise)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            draft = draft_follow_up(current_user, notice)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("A follow-up draft was written."), "success")
            return redirect(url_for("notices.show", notice_id=draft.id))
    return redirect(url_for("notices.show", notice_id=notice.id))


@bp.route("/<int:notice_id>/files/<int:file_id>")
@login_required(*READERS)
def download(notice_id: int, file_id: int):
    """An evidence file, to those who may see its notice only; never sniffed, never cached
    by shared caches, sandboxed if a browser renders it."""
    notice = get_notice(notice_id)
    found = get_file(notice, file_id) or abort(404)
    attachment = not found.is_image or request.args.get("download") == "1"
    response = send_file(files.path_of(found.stored_name), mimetype=found.content_type,
                         as_attachment=attachment, download_name=found.original_name,
                         max_age=0, etag=found.sha256, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- helpers ----------------------------------------------------------------------------------


def _upload_help() -> str:
    return _("Photos (JPEG, PNG) or PDF documents, up to %(n)d files of at most %(mb)d MB each.",
             n=files.max_files(), mb=files.max_bytes() // (1024 * 1024))


def _default_public_text(notice: Notice) -> str:
    if notice.overdue_at is not None:
        return _("%(target)s did not complete the rectification required by notice %(number)s "
                 "within its deadline.", target=notice.target_name, number=notice.number or "")
    return _("%(target)s has not yet rectified what notice %(number)s required.",
             target=notice.target_name, number=notice.number or "")


def _link(link: NoticeLink) -> dict[str, str | None]:
    """How a piece of evidence shows: a label, and a link where Manyi has a page for it."""
    labels = {LinkKind.EVALUATION: _("Evaluation %(ref)s"), LinkKind.CASE: _("Case %(ref)s"),
              LinkKind.ALERT: _("Alert %(ref)s"), LinkKind.CHART: _("Chart %(ref)s"),
              LinkKind.INSPECTION: _("Inspection %(ref)s")}
    endpoints = {LinkKind.EVALUATION: ("evaluations.show", "evaluation_id"),
                 LinkKind.CASE: ("cases.show", "case_id"),
                 LinkKind.ALERT: ("alerts.show", "alert_id")}
    href = None
    if link.kind == LinkKind.CHART:
        href = link.ref
    elif link.kind in endpoints:
        endpoint, arg = endpoints[link.kind]
        try:
            href = url_for(endpoint, **{arg: int(link.ref)})
        except (BuildError, ValueError):
            href = None
    label = link.label or labels[link.kind] % {"ref": link.ref}
    if link.kind == LinkKind.CHART and not link.label and link.ref.startswith("/dashboard/"):
        label = _("Satisfaction trend chart")
    return {"kind": link.kind.value, "label": label, "href": href}
