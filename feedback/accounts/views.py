from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from feedback.accounts.forms import LoginForm, NewUserForm, PasswordForm, UserForm
from feedback.accounts.models import Role, User
from feedback.accounts.services import (
    authenticate,
    change_password,
    create_user,
    update_user,
)
from feedback.errors import ServiceError
from feedback.extensions import db, limiter
from feedback.forms import refuse, split_codes
from feedback.orgs.queries import resolve_unit
from feedback.pagination import paginate
from feedback.permissions import login_required, public
from feedback.windows.queries import resolve_staff, resolve_windows

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only same-site paths: ``next`` must never send a user to another host. Without one,
    the signed-in user's start page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return _start_page(current_user)


def _start_page(user: User) -> str:
    """Where work starts: the dashboard of one's windows or subtree for managers, supervisors
    and administrators; the home page for the others (operators and staff)."""
    if user.role in (Role.MANAGER, Role.ADMIN) or (
            user.role == Role.SUPERVISOR and user.org_unit_id is not None):
        return url_for("dashboards.landing")
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        db.session.commit()  # failures and lockouts are recorded too
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(
            _("Wrong username or password, or the account is locked or disabled.")
        )
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required()
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required()
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            try:
                change_password(current_user, current_user, form.new_password.data)
            except ServiceError as exc:
                form.new_password.errors.append(exc.message)
            else:
                db.session.commit()
                login_user(current_user)  # keep this session; the others end
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("main.home"))
    return render_template("accounts/password.html", form=form)


# --- administration of users (administrators only) ----------------------------------------


@bp.route("/admin/users")
@login_required(Role.ADMIN)
def users():
    query = select(User).order_by(User.username)
    role = request.args.get("role")
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    page = paginate(query)
    return render_template("accounts/users.html", page=page, roles=list(Role), role=role)


def _scope_args(form: UserForm) -> dict:
    role = Role(form.role.data)
    return {
        "role": role,
        "display_name": form.display_name.data or "",
        "email": form.email.data or "",
        "org_unit": resolve_unit(form.org_unit.data),
        "windows": resolve_windows(split_codes(form.windows.data or "")),
        "staff": resolve_staff(form.staff.data),
    }


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required(Role.ADMIN)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user, username=form.username.data, password=form.password.data,
                **_scope_args(form),
            )
        except ServiceError as exc:
            refuse(form, exc, "role")
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required(Role.ADMIN)
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
        form.org_unit.data = user.org_unit.code if user.org_unit else ""
        form.windows.data = " ".join(w.code for w in user.windows)
        form.staff.data = user.staff.badge_no if user.staff else ""
    if form.validate_on_submit():
        try:
            update_user(current_user, user, active=form.active.data, **_scope_args(form))
        except ServiceError as exc:
            refuse(form, exc, "role")
        else:
            db.session.commit()
            flash(_("User %(name)s saved.", name=user.username), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user)

