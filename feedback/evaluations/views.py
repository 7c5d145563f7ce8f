"""Staff pages: evaluations of one's windows, flagged ones, transaction tokens, phone reveal."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback.accounts.models import Role
from feedback.errors import ServiceError
from feedback.evaluations.forms import RestoreForm, RevealForm, TokenForm
from feedback.evaluations.models import Evaluation
from feedback.evaluations.queries import evaluations_query
from feedback.evaluations.services import issue_token, restore_evaluation, reveal_phone
from feedback.extensions import db
from feedback.forms import refuse
from feedback.pagination import paginate
from feedback.permissions import login_required, may, require
from feedback.windows.views import get_window

bp = Blueprint("evaluations", __name__, url_prefix="/admin")

READERS = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.STAFF)
REVIEWERS = (Role.ADMIN, Role.SUPERVISOR)


def get_evaluation(evaluation_id: int) -> Evaluation:
    evaluation = db.session.get(Evaluation, evaluation_id) or abort(404)
    require("view", evaluation.window)
    return evaluation


@bp.route("/evaluations")
@login_required(*READERS)
def index():
    window = None
    if request.args.get("window"):
        window = get_window(request.args["window"], "view")
    flagged = request.args.get("flagged") == "1"
    query = evaluations_query(
        current_user, window=window, level=request.args.get("level", type=int),
        flagged_only=flagged,
    )
    return render_template("evaluations/index.html", page=paginate(query), window=window,
                           flagged=flagged)


@bp.route("/evaluations/<int:evaluation_id>", methods=["GET"])
@login_required(*READERS)
def show(evaluation_id: int):
    evaluation = get_evaluation(evaluation_id)
    return render_template(
        "evaluations/show.html", evaluation=evaluation,
        definition=evaluation.survey_version.to_definition(),
        restore_form=RestoreForm(), reveal_form=RevealForm(),
        may_review=current_user.role in REVIEWERS,
        may_reveal=current_user.role in (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER),
    )


@bp.route("/evaluations/<int:evaluation_id>/restore", methods=["POST"])
@login_required(*REVIEWERS)
def restore(evaluation_id: int):
    evaluation = get_evaluation(evaluation_id)
    form = RestoreForm()
    if not form.validate_on_submit():
        flash(_("Please say why it should count."), "error")
    else:
        try:
            restore_evaluation(current_user, evaluation, form.note.data)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The evaluation counts again."), "success")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))


@bp.route("/evaluations/<int:evaluation_id>/phone", methods=["POST"])
@login_required(Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)
def phone(evaluation_id: int):
    """Show a citizen's phone number once; the reveal and its purpose are audited."""
    evaluation = get_evaluation(evaluation_id)
    form = RevealForm()
    if not form.validate_on_submit():
        flash(_("Please say why you need the number."), "error")
        return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    try:
        number = reveal_phone(current_user, evaluation, form.purpose.data)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    db.session.commit()
    response = render_template("evaluations/phone.html", evaluation=evaluation, number=number)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/windows/<code>/tokens", methods=["GET", "POST"])
@login_required(Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.STAFF)
def tokens(code: str):
    """Staff issue a one-transaction evaluation code (一事一评) to print on the receipt."""
    window = get_window(code, "view")
    form = TokenForm()
    token = None
    if form.validate_on_submit():
        try:
            token = issue_token(window, form.transaction_no.data, actor=current_user)
        except ServiceError as exc:
            refuse(form, exc, "transaction_no")
        else:
            db.session.commit()
    return render_template("evaluations/tokens.html", window=window, form=form, token=token,
                           may_manage=may(current_user, "manage", window))
