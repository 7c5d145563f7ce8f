from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

from feedback.extensions import db
from feedback.i18n import LANG_COOKIE
from feedback.periodic.queries import step_statuses
from feedback.permissions import public
from feedback.windows.queries import visible_windows_query

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home():
    window_count = None
    if current_user.is_authenticated:
        query = visible_windows_query(current_user).order_by(None).options()
        window_count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return render_template("main/home.html", window_count=window_count)


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code: str):
    """Remember the chosen language in a cookie and go back to where the user was."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    # Same-site paths only: browsers read a backslash as a slash and drop tabs, so "/\\x"
    # and "/\t/x" lead to host x just like "//x" does.
    if parts.scheme or parts.netloc or not target.startswith("/") or "\\" in target:
        target = url_for("main.home")
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/healthz")
@public
def healthz():
    """Readiness: the app answers and reaches its database."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/healthz/ready")
@public
def readiness():
    """Readiness with the periodic work: the database answers, and when each step last
    succeeded. ``status`` is ``late`` while a step has not succeeded within twice its cadence
    (the worker is not running) or its last run failed; the app still serves (200)."""
    statuses = step_statuses()
    return {
        "status": "late" if any(s.late or s.failing for s in statuses) else "ok",
        "database": "ok",
        "steps": {
            s.step.name: {
                "every_seconds": int(s.step.every.total_seconds()),
                "last_success_at": s.last_success_at.isoformat() if s.last_success_at else None,
                "last_count": s.last_count,
                "late": s.late,
                "failing": s.failing,
                "running": s.running,
            }
            for s in statuses
        },
    }


@bp.route("/healthz/live")
@public
def liveness():
    """Liveness: the process answers (no database; also the benchmark's bare endpoint)."""
    return {"status": "ok"}
