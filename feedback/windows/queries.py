"""Reads on windows and staff."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from feedback.accounts.models import User
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.permissions import visible_windows_filter
from feedback.windows.models import Staff, Window


def get_window_by_code(code: str) -> Window | None:
    return db.session.scalar(select(Window).where(Window.code == code))


def get_staff_by_badge(badge_no: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.badge_no == badge_no.strip()))


def resolve_windows(codes: Sequence[str], field: str = "windows") -> list[Window]:
    """The windows with these codes; ``ServiceError`` naming the first unknown code."""
    if not codes:
        return []
    found = {w.code: w for w in db.session.scalars(select(Window).where(Window.code.in_(codes)))}
    for code in codes:
        if code not in found:
            raise ServiceError(_("There is no window with code %(code)s.", code=code), field)
    return [found[code] for code in dict.fromkeys(codes)]


def resolve_staff(badge_no: str | None, field: str = "staff") -> Staff | None:
    if not badge_no or not badge_no.strip():
        return None
    staff = get_staff_by_badge(badge_no)
    if staff is None:
        raise ServiceError(_("There is no staff member with badge %(badge)s.", badge=badge_no),
                           field)
    return staff


def visible_windows_query(
    user: User,
    *,
    unit: OrgUnit | None = None,
    category_id: int | None = None,
    search: str | None = None,
    include_inactive: bool = True,
) -> Select:
    """Windows ``user`` may see, optionally narrowed to a subtree, a trade or a search text."""
    query = (
        select(Window)
        .join(Window.org_unit)
        .options(joinedload(Window.org_unit), joinedload(Window.category))
        .where(visible_windows_filter(user))
        .order_by(OrgUnit.path, Window.name)
    )
    if unit is not None:
        query = query.where(OrgUnit.in_subtree(unit))
    if category_id:
        query = query.where(Window.category_id == category_id)
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(or_(Window.name.ilike(pattern), Window.code == search.strip()))
    if not include_inactive:
        query = query.where(Window.active.is_(True))
    return query


def list_staff(window: Window, *, include_inactive: bool = True) -> list[Staff]:
    query = select(Staff).where(Staff.window_id == window.id).order_by(Staff.badge_no)
    if not include_inactive:
        query = query.where(Staff.active.is_(True))
    return list(db.session.scalars(query))
