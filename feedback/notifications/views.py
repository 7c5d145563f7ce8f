"""The inbox: one's own messages, newest first; opening one marks it read and follows it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback.extensions import db
from feedback.notifications.forms import MarkAllReadForm
from feedback.notifications.queries import current_unread_count, get_own_notification, inbox_query
from feedback.notifications.services import (
    install_session_hooks,
    is_local_path,
    mark_all_read,
    mark_read,
)
from feedback.pagination import paginate
from feedback.permissions import login_required

bp = Blueprint("notifications", __name__)
bp.add_app_template_global(current_unread_count, "inbox_unread")


@bp.record_once
def _install(_state) -> None:
    install_session_hooks()


@bp.route("/inbox")
@login_required()
def index():
    unread_only = request.args.get("unread") == "1"
    page = paginate(inbox_query(current_user, unread_only=unread_only))
    return render_template("notifications/index.html", page=page, unread_only=unread_only,
                           form=MarkAllReadForm())


@bp.route("/inbox/<int:notification_id>", endpoint="open")
@login_required()
def open_notification(notification_id: int):
    """Mark the message read and go where it points (a path on this site only)."""
    # Someone else's message answers 404, as if it did not exist.
    notification = get_own_notification(current_user, notification_id) or abort(404)
    mark_read(current_user, notification)
    db.session.commit()
    if notification.link and is_local_path(notification.link):
        return redirect(notification.link)
    return redirect(url_for("notifications.index"))


@bp.route("/inbox/read-all", methods=["POST"])
@login_required()
def read_all():
    if MarkAllReadForm().validate_on_submit():
        count = mark_all_read(current_user)
        db.session.commit()
        if count:
            flash(_("%(n)d messages marked read.", n=count), "success")
    return redirect(url_for("notifications.index"))
