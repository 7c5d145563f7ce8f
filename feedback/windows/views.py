from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from feedback.accounts.models import Role
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.forms import refuse
from feedback.orgs.queries import get_unit_by_code, list_categories, resolve_category, resolve_unit
from feedback.pagination import paginate
from feedback.permissions import login_required, may, public, require
from feedback.windows.forms import ImportForm, StaffForm, WindowForm, WindowTextForm
from feedback.windows.importing import (
    IMPORT_KINDS,
    MAX_ERRORS_SHOWN,
    MAX_ROWS,
    import_spreadsheet,
    template_csv,
    template_xlsx,
)
from feedback.windows.models import DISCLOSURES, Staff, Window
from feedback.windows.queries import get_window_by_code, list_staff, visible_windows_query
from feedback.windows.services import (
    PUBLIC_TEXT_FIELDS,
    create_staff,
    create_window,
    photo_path,
    save_staff_photo,
    update_staff,
    update_window_settings,
    update_window_text,
)

bp = Blueprint("windows", __name__)

STAFF_EDITORS = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_window(code: str, action: str = "view") -> Window:
    """The window with ``code`` (404) that the current user may ``action`` (403)."""
    window = get_window_by_code(code) or abort(404)
    return require(action, window)


def get_staff(staff_id: int, action: str = "view") -> Staff:
    staff = db.session.get(Staff, staff_id) or abort(404)
    return require(action, staff)


def _public_text(form: WindowTextForm) -> dict[str, str]:
    return {field: getattr(form, field).data or "" for field in PUBLIC_TEXT_FIELDS}


def _category_choices(form: WindowForm) -> None:
    form.category.choices = [SelectChoice(c.id, c.name) for c in list_categories()]


@bp.route("/admin/windows")
@login_required(Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.OPERATOR)
def index():
    unit = None
    if request.args.get("unit"):
        unit = get_unit_by_code(request.args["unit"]) or abort(404)
        require("view", unit)
    query = visible_windows_query(
        current_user,
        unit=unit,
        category_id=request.args.get("category", type=int),
        search=request.args.get("q"),
    )
    return render_template(
        "windows/index.html", page=paginate(query), categories=list_categories(), unit=unit,
    )


@bp.route("/admin/windows/new", methods=["GET", "POST"])
@login_required(Role.ADMIN, Role.SUPERVISOR)
def new():
    form = WindowForm()
    _category_choices(form)
    if request.method == "GET" and request.args.get("unit"):
        form.org_unit.data = request.args["unit"]
    if form.validate_on_submit():
        try:
            unit = resolve_unit(form.org_unit.data)
            require("add_under", unit)
            window = create_window(
                current_user, name=form.name.data, org_unit=unit,
                category=resolve_category(form.category.data), **_public_text(form),
            )
        except ServiceError as exc:
            refuse(form, exc, "name")
        else:
            db.session.commit()
            flash(_("Window %(name)s created.", name=window.name), "success")
            return redirect(url_for("windows.edit", code=window.code))
    return render_template("windows/form.html", form=form, window=None, manage=True)


@bp.route("/admin/windows/<code>", methods=["GET", "POST"])
@login_required(*STAFF_EDITORS)
def edit(code: str):
    window = get_window(code, "edit")
    manage = may(current_user, "manage", window)
    form = WindowForm(obj=window) if manage else WindowTextForm(obj=window)
    if manage:
        _category_choices(form)
        if request.method == "GET":
            form.org_unit.data = window.org_unit.code
            form.category.data = window.category_id
    if form.validate_on_submit():
        try:
            if manage:
                unit = resolve_unit(form.org_unit.data)
                require("add_under", unit)
                update_window_settings(
                    current_user, window, name=form.name.data, org_unit=unit,
                    category=resolve_category(form.category.data), active=form.active.data,
                )
            update_window_text(current_user, window, **_public_text(form))
        except ServiceError as exc:
            refuse(form, exc, "name")
        else:
            db.session.commit()
            flash(_("Window %(name)s saved.", name=window.name), "success")
            return redirect(url_for("windows.edit", code=window.code))
    return render_template(
        "windows/form.html", form=form, window=window, manage=manage,
        staff=list_staff(window), disclosures=DISCLOSURES,
    )


@bp.route("/admin/windows/<code>/staff/new", methods=["GET", "POST"])
@login_required(*STAFF_EDITORS)
def new_staff(code: str):
    window = get_window(code, "edit")
    form = StaffForm()
    if form.validate_on_submit():
        try:
            staff = create_staff(
                current_user, window=window, name=form.name.data, badge_no=form.badge_no.data,
                title=form.title.data or "", party_member=form.party_member.data,
            )
            if form.photo.data:
                save_staff_photo(current_user, staff, form.photo.data.stream)
        except ServiceError as exc:
            refuse(form, exc, "name")
        else:
            db.session.commit()
            flash(_("%(name)s added.", name=staff.name), "success")
            return redirect(url_for("windows.edit", code=window.code))
    return render_template("windows/staff_form.html", form=form, window=window, staff=None)


@bp.route("/admin/staff/<int:staff_id>", methods=["GET", "POST"])
@login_required(*STAFF_EDITORS)
def edit_staff(staff_id: int):
    staff = get_staff(staff_id, "edit")
    form = StaffForm(obj=staff)
    if form.validate_on_submit():
        try:
            update_staff(
                current_user, staff, name=form.name.data, badge_no=form.badge_no.data,
                title=form.title.data or "", party_member=form.party_member.data,
                active=form.active.data,
            )
            if form.photo.data:
                save_staff_photo(current_user, staff, form.photo.data.stream)
        except ServiceError as exc:
            refuse(form, exc, "name")
        else:
            db.session.commit()
            flash(_("%(name)s saved.", name=staff.name), "success")
            return redirect(url_for("windows.edit", code=staff.window.code))
    return render_template("windows/staff_form.html", form=form, window=staff.window,
                           staff=staff)


@bp.route("/staff/<int:staff_id>/photo.jpg")
@public
def staff_photo(staff_id: int):
    """Photos of staff on duty are public: the window's page shows them (亮身份)."""
    staff = db.session.get(Staff, staff_id)
    if staff is None or not staff.active or not staff.window.active:
        abort(404)
    path = photo_path(staff)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=3600)


IMPORTERS = (Role.ADMIN, Role.SUPERVISOR)


@bp.route("/admin/import", methods=["GET", "POST"])
@login_required(*IMPORTERS)
def import_data():
    """Windows or staff from a spreadsheet, all or nothing: one bad row imports none."""
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        result = import_spreadsheet(
            current_user, form.kind.data, upload.filename or "", upload.read()
        )
        if result.ok:
            db.session.commit()
        else:
            db.session.rollback()
    return render_template(
        "windows/import.html", form=form, result=result, kinds=IMPORT_KINDS,
        categories=list_categories(), max_rows=MAX_ROWS, max_errors=MAX_ERRORS_SHOWN,
    )


@bp.route("/admin/import/template.<any(windows, staff):kind>.<any(csv, xlsx):fmt>")
@login_required(*IMPORTERS)
def import_template(kind: str, fmt: str):
    """A header-only file to fill in, with column names in the reader's language."""
    chinese = str(get_locale()) == "zh"
    if fmt == "csv":
        data, mimetype = template_csv(kind, chinese), "text/csv"
    else:
        data, mimetype = template_xlsx(kind, chinese), XLSX_MIMETYPE
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=f"manyi-{kind}.{fmt}", max_age=0)
