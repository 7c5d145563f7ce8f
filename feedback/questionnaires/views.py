"""Administrators edit questionnaires and decide where and when each one applies."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from feedback.accounts.models import Role
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.forms import refuse
from feedback.orgs.queries import list_categories, resolve_category
from feedback.permissions import login_required
from feedback.questionnaires.forms import (
    CHOICE_TYPES,
    KIND_LABELS,
    ActionForm,
    AssignmentForm,
    EditorAction,
    NewSurveyForm,
    SurveyEditorForm,
    type_label,
)
from feedback.questionnaires.models import Survey, SurveyKind
from feedback.questionnaires.queries import (
    get_assignment,
    get_current_version,
    get_survey,
    get_version,
    list_assignments,
    list_surveys,
    list_versions,
)
from feedback.questionnaires.services import (
    assign_survey,
    create_survey,
    remove_assignment,
    save_survey,
    set_survey_active,
)
from feedback.windows.queries import resolve_windows
from surveys import OVERALL_KEY

bp = Blueprint("questionnaires", __name__, url_prefix="/admin/surveys")


def get_survey_or_404(survey_id: int) -> Survey:
    return get_survey(survey_id) or abort(404)


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"kind_labels": KIND_LABELS, "type_label": type_label, "choice_types": CHOICE_TYPES,
            "overall_key": OVERALL_KEY}


@bp.route("/")
@login_required(Role.ADMIN)
def index():
    return render_template("questionnaires/index.html", rows=list_surveys())


@bp.route("/new", methods=["GET", "POST"])
@login_required(Role.ADMIN)
def new():
    form = NewSurveyForm()
    if form.validate_on_submit():
        try:
            survey = create_survey(current_user, name=form.name.data,
                                   kind=SurveyKind(form.kind.data))
        except ServiceError as exc:
            refuse(form, exc, "name")
        else:
            db.session.commit()
            flash(_("Questionnaire %(name)s created from the default questionnaire.",
                    name=survey.name), "success")
            return redirect(url_for("questionnaires.edit", survey_id=survey.id))
    return render_template("questionnaires/new.html", form=form)


@bp.route("/<int:survey_id>", methods=["GET", "POST"])
@login_required(Role.ADMIN)
def edit(survey_id: int):
    """The questionnaire editor; only "save" writes, every other button re-renders the draft."""
    survey = get_survey_or_404(survey_id)
    current = get_current_version(survey) or abort(404)
    if request.method == "GET":
        form = SurveyEditorForm.from_definition(current.to_definition())
    else:
        form = SurveyEditorForm()
        action = EditorAction.parse(request.form.get("action")) or abort(400)
        if action.verb != "save":
            form = form.apply(action)
        elif (definition := form.to_definition()) is not None:
            try:
                version, published = save_survey(current_user, survey, definition)
            except ServiceError as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
            else:
                db.session.commit()
                if published:
                    flash(_("Version %(n)d published.", n=version.number), "success")
                else:
                    flash(_("No changes: version %(n)d stays current.", n=version.number),
                          "info")
                return redirect(url_for("questionnaires.edit", survey_id=survey.id))
    return render_template("questionnaires/edit.html", survey=survey, current=current, form=form,
                           versions=list_versions(survey))


@bp.route("/<int:survey_id>/versions/<int:number>")
@login_required(Role.ADMIN)
def version(survey_id: int, number: int):
    """A read-only preview of one version, drawn like the citizen's form."""
    survey = get_survey_or_404(survey_id)
    found = get_version(survey, number) or abort(404)
    return render_template("questionnaires/version.html", survey=survey, version=found,
                           definition=found.to_definition(), values={}, errors={}, staff=[])


@bp.route("/<int:survey_id>/assignments", methods=["GET", "POST"])
@login_required(Role.ADMIN)
def assignments(survey_id: int):
    survey = get_survey_or_404(survey_id)
    form = AssignmentForm()
    form.set_categories(list_categories(), str(get_locale()))
    if form.validate_on_submit():
        try:
            windows = resolve_windows([form.window.data], "window") if form.window.data else []
            category = resolve_category(form.category_id) if form.category_id else None
            assign_survey(current_user, survey, category=category,
                          window=windows[0] if windows else None,
                          starts_on=form.starts_on.data, ends_on=form.ends_on.data)
        except ServiceError as exc:
            refuse(form, exc, "category")
        else:
            db.session.commit()
            flash(_("Assignment added."), "success")
            return redirect(url_for("questionnaires.assignments", survey_id=survey.id))
    return render_template("questionnaires/assignments.html", survey=survey, form=form,
                           rows=list_assignments(survey))


@bp.route("/<int:survey_id>/assignments/<int:assignment_id>/remove", methods=["POST"])
@login_required(Role.ADMIN)
def remove(survey_id: int, assignment_id: int):
    survey = get_survey_or_404(survey_id)
    assignment = get_assignment(survey, assignment_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    remove_assignment(current_user, assignment)
    db.session.commit()
    flash(_("Assignment removed."), "success")
    return redirect(url_for("questionnaires.assignments", survey_id=survey.id))


@bp.route("/<int:survey_id>/active", methods=["POST"])
@login_required(Role.ADMIN)
def set_active(survey_id: int):
    """Deactivate (``active=0``) or reactivate (``active=1``) a questionnaire."""
    survey = get_survey_or_404(survey_id)
    if not ActionForm().validate_on_submit() or request.form.get("active") not in ("0", "1"):
        abort(400)
    active = request.form["active"] == "1"
    try:
        set_survey_active(current_user, survey, active)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Questionnaire reactivated.") if active else _("Questionnaire deactivated."),
              "success")
    return redirect(url_for("questionnaires.assignments", survey_id=survey.id))
