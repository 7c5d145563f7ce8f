"""Flask-Login wiring."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from feedback.accounts.models import User
from feedback.errors import error_response, wants_json
from feedback.extensions import db


def configure_login_manager(manager: LoginManager) -> None:
    manager.login_view = "accounts.login"
    manager.login_message = _l("Please sign in to see this page.")
    manager.login_message_category = "info"
    manager.session_protection = "strong"

    @manager.user_loader
    def _load(user_id: str) -> User | None:
        ident = user_id.partition(":")[0]
        if not ident.isdigit():
            return None
        user = db.session.get(User, int(ident))
        if user is None or user.get_id() != user_id:
            return None  # the password changed since this session began
        return user

    @manager.unauthorized_handler
    def _unauthorized():
        if wants_json():
            return error_response(401, "authentication required")
        return redirect(url_for(manager.login_view, next=request.full_path.rstrip("?")))

