from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.pagination import paginate
from feedback.permissions import login_required

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("/")
@login_required(Role.ADMIN)
def index():
    query = select(AuditLog).order_by(AuditLog.id.desc())
    action = request.args.get("action", "").strip()
    if action:
        query = query.where(AuditLog.action.startswith(action))
    return render_template("audit/index.html", page=paginate(query), action=action)
