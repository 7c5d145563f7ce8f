"""Reads on the inbox: always one user's own messages."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from sqlalchemy import Select, func, select

from feedback.accounts.models import User
from feedback.extensions import db
from feedback.notifications.models import Notification


def unread_count(user: User) -> int:
    """How many of ``user``'s messages are unread (one indexed count)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def inbox_query(user: User, *, unread_only: bool = False) -> Select:
    """``user``'s messages, newest first."""
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query


def get_own_notification(user: User, notification_id: int) -> Notification | None:
    """One of ``user``'s messages, or None (also for another user's: nothing is revealed)."""
    return db.session.scalar(
        select(Notification).where(Notification.id == notification_id,
                                   Notification.user_id == user.id)
    )


def current_unread_count() -> int | None:
    """For the page header: the signed-in user's unread count, counted once per request.

    None for anonymous visitors, without touching the database.
    """
    if not current_user.is_authenticated:
        return None
    if "_manyi_unread" not in g:
        g._manyi_unread = unread_count(current_user)
    return g._manyi_unread
