"""Reads for printing: a window's desk card, and the windows of a unit to print."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from feedback.accounts.models import User
from feedback.cards.desk import DeskCard, StaffEntry
from feedback.evaluations.links import rating_url
from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Window
from feedback.windows.queries import visible_windows_query
from feedback.windows.services import photo_path


def desk_card(window: Window) -> DeskCard:
    """What ``window``'s desk card prints: its staff on duty and its current rating link.

    Needs a request or ``SERVER_NAME`` (the link is absolute) and the app (photo paths).
    """
    hall = window.org_unit
    place = " · ".join(unit.name for unit in (hall.parent, hall) if unit is not None)
    staff = tuple(
        StaffEntry(name=s.name, badge_no=s.badge_no, title=s.title or "",
                   party_member=s.party_member, photo=photo_path(s))
        for s in window.staff
        if s.active
    )
    return DeskCard(hall=place, window=window.name, code=window.code, link=rating_url(window),
                    commitments=window.commitments or "", staff=staff,
                    qr_version=window.qr_key_version)


def _printable_windows(user: User, unit: OrgUnit):
    return visible_windows_query(user, unit=unit, include_inactive=False)


def count_printable_windows(user: User, unit: OrgUnit) -> int:
    """How many active windows of ``unit``'s subtree ``user`` may print cards for."""
    query = _printable_windows(user, unit).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(query)) or 0


def list_printable_windows(user: User, unit: OrgUnit) -> list[Window]:
    """The active windows of ``unit``'s subtree that ``user`` may see, in tree order, with
    their staff loaded."""
    query = _printable_windows(user, unit).options(selectinload(Window.staff))
    return list(db.session.scalars(query))
