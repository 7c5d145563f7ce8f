"""Who may see and act on a notice, and the list filter that keeps lists inside the scope.

Three parts are played around a notice:

* supervising it (edit and issue a draft, return or verify a report, publish it): an
  administrator, or a supervisor whose unit contains the unit it was issued from;
* responding to it (acknowledge, report): the managers of the target window, or for a notice
  to an org unit that unit's own supervisors and the managers of windows directly in it;
* seeing it: those two, and once it is sent every supervisor whose subtree holds its target.

Drafts are seen only by those who may supervise them. Nobody else sees a notice at all.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql import ColumnElement

from feedback.accounts.models import Role, User, user_windows
from feedback.notices.models import Notice
from feedback.notices.workflow import NoticeState
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Window

UNSENT = (NoticeState.DRAFT, NoticeState.CANCELLED)


def _active(user: User | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.active)


def may_target(user: User, unit: OrgUnit, window: Window | None = None) -> bool:
    """Whether ``user`` may address a notice to ``window`` (or to ``unit`` as a whole)."""
    if not _active(user):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.SUPERVISOR or user.org_unit is None:
        return False
    if window is not None:
        return user.org_unit.contains(window.org_unit)
    # A notice to a whole unit comes from above it, never from the unit itself.
    return user.org_unit.contains(unit) and user.org_unit.id != unit.id


def may_supervise(user: User, notice: Notice) -> bool:
    if not _active(user):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.SUPERVISOR or user.org_unit is None:
        return False
    issuer = notice.issuer_unit or notice.org_unit
    return user.org_unit.contains(issuer) and may_target(user, notice.org_unit, notice.window)


def may_respond(user: User, notice: Notice) -> bool:
    if not _active(user) or notice.state in UNSENT:
        return False
    if user.role == Role.MANAGER:
        if notice.window_id is not None:
            return any(w.id == notice.window_id for w in user.windows)
        return any(w.org_unit_id == notice.org_unit_id for w in user.windows)
    if user.role == Role.SUPERVISOR and notice.window_id is None:
        return user.org_unit_id == notice.org_unit_id
    return False


def may_view(user: User, notice: Notice) -> bool:
    if not _active(user):
        return False
    if may_supervise(user, notice) or may_respond(user, notice):
        return True
    return (
        notice.state not in UNSENT
        and user.role == Role.SUPERVISOR
        and user.org_unit is not None
        and user.org_unit.contains(notice.org_unit)
    )


def visible_notices_filter(user: User) -> ColumnElement[bool]:
    """Condition on ``Notice``: the notices ``user`` may see (``may_view`` in SQL)."""
    if not _active(user):
        return false()
    sent = Notice.state.notin_([s.value for s in UNSENT])
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.SUPERVISOR and user.org_unit is not None:
        low, high = OrgUnit.path_range(user.org_unit.path)
        subtree = select(OrgUnit.id).where(OrgUnit.path >= low, OrgUnit.path < high)
        return and_(
            Notice.org_unit_id.in_(subtree),
            or_(sent, Notice.issuer_unit_id.in_(subtree)),
        )
    if user.role == Role.MANAGER:
        mine = select(user_windows.c.window_id).where(user_windows.c.user_id == user.id)
        my_units = select(Window.org_unit_id).where(Window.id.in_(mine))
        return and_(sent, or_(
            Notice.window_id.in_(mine),
            and_(Notice.window_id.is_(None), Notice.org_unit_id.in_(my_units)),
        ))
    return false()
