from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback.accounts.models import Role
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.forms import refuse
from feedback.orgs.forms import KIND_LABELS, NewUnitForm, UnitForm
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.orgs.queries import get_unit_by_code, list_visible_units, resolve_unit
from feedback.orgs.services import create_unit, update_unit
from feedback.permissions import login_required, may, require

bp = Blueprint("orgs", __name__, url_prefix="/admin/org-units")

ADMINS = (Role.ADMIN, Role.SUPERVISOR)


def get_unit(code: str, action: str = "view") -> OrgUnit:
    """The unit with ``code`` (404) that the current user may ``action`` (403)."""
    unit = get_unit_by_code(code) or abort(404)
    return require(action, unit)


@bp.route("/")
@login_required(*ADMINS, Role.OPERATOR)
def index():
    units = list_visible_units(current_user)
    return render_template("orgs/index.html", units=units, kind_labels=KIND_LABELS, may=may)


@bp.route("/new", methods=["GET", "POST"])
@login_required(*ADMINS)
def new():
    form = NewUnitForm()
    if request.method == "GET" and request.args.get("parent"):
        form.parent.data = request.args["parent"]
    if form.validate_on_submit():
        try:
            parent = resolve_unit(form.parent.data, "parent")
            if parent is None and current_user.role != Role.ADMIN:
                raise ServiceError(_("Please name the parent unit."), "parent")
            if parent is not None:
                require("add_under", parent)
            unit = create_unit(current_user, code=form.code.data, name=form.name.data,
                               kind=UnitKind(form.kind.data), parent=parent)
        except ServiceError as exc:
            refuse(form, exc, "code")
        else:
            db.session.commit()
            flash(_("Unit %(name)s created.", name=unit.name), "success")
            return redirect(url_for("orgs.index"))
    return render_template("orgs/new.html", form=form)


@bp.route("/<code>", methods=["GET", "POST"])
@login_required(*ADMINS)
def edit(code: str):
    unit = get_unit(code, "edit")
    form = UnitForm(obj=unit)
    if form.validate_on_submit():
        try:
            update_unit(current_user, unit, name=form.name.data, active=form.active.data)
        except ServiceError as exc:
            refuse(form, exc, "name")
        else:
            db.session.commit()
            flash(_("Unit %(name)s saved.", name=unit.name), "success")
            return redirect(url_for("orgs.index"))
    return render_template("orgs/edit.html", form=form, unit=unit)
