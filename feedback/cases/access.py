"""Who may see and move a case: object rules and the list filter, beside ``feedback.permissions``.

* administrators: every case;
* supervisors: cases of windows (and halls) in their subtree; they assign, handle, and decide
  appeals;
* operators: cases in their subtree; they enter hotline cases and record callbacks;
* managers: cases of their windows and cases assigned to them; they handle them and appeal
  bad reviews;
* staff: none.
"""

from __future__ import annotations

from sqlalchemy import false, or_, select, true
from sqlalchemy.sql import ColumnElement

from feedback.accounts.models import UNIT_SCOPED, Role, User, user_windows
from feedback.cases.models import Appeal, Case, CaseKind
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Window

CASE_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.OPERATOR)


def _active(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.active)


def _in_subtree(user: User, case: Case) -> bool:
    return (user.role in UNIT_SCOPED and user.org_unit is not None
            and case.unit is not None and user.org_unit.contains(case.unit))


def _manages_window(user: User, case: Case) -> bool:
    return (user.role == Role.MANAGER and case.window_id is not None
            and any(w.id == case.window_id for w in user.windows))


def may_view_case(user: User, case: Case) -> bool:
    if not _active(user):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.MANAGER:
        return _manages_window(user, case) or case.assignee_id == user.id
    return _in_subtree(user, case)


def may_handle_case(user: User, case: Case) -> bool:
    """Verify, answer and close: the window's managers or the assignee, supervisors, admins."""
    if not may_view_case(user, case):
        return False
    return user.role in (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)


def may_assign_case(user: User, case: Case) -> bool:
    """Supervisors and admins assign to anyone who may handle it; a manager takes it on."""
    return may_handle_case(user, case)


def may_record_callback(user: User, case: Case) -> bool:
    """Callbacks (回访) are made by the handlers and by hotline operators."""
    return may_view_case(user, case) and user.role != Role.STAFF


def may_reveal_phone(user: User, case: Case) -> bool:
    return may_record_callback(user, case)


def may_appeal(user: User, case: Case) -> bool:
    """A bad review's window manager (or an administrator) asks that it not count."""
    return (case.kind == CaseKind.BAD_REVIEW and may_view_case(user, case)
            and (user.role == Role.ADMIN or _manages_window(user, case)))


def may_decide_appeal(user: User, appeal: Appeal) -> bool:
    """A supervisor above the window, or an administrator; never the one who appealed."""
    if not may_view_case(user, appeal.case) or appeal.filed_by_id == user.id:
        return False
    return user.role in (Role.ADMIN, Role.SUPERVISOR)


def may_assign_to(assignee: User, case: Case) -> bool:
    """Whether ``assignee`` can be given ``case``: someone who may handle it."""
    return assignee.role != Role.OPERATOR and may_handle_case(assignee, case)


def visible_cases_filter(user: User) -> ColumnElement[bool]:
    """Condition on ``Case``: the cases ``user`` may see (see the module's note)."""
    if not _active(user):
        return false()
    if user.role == Role.ADMIN:
        return true()
    if user.role in UNIT_SCOPED and user.org_unit is not None:
        low, high = OrgUnit.path_range(user.org_unit.path)
        units = select(OrgUnit.id).where(OrgUnit.path >= low, OrgUnit.path < high)
        windows = select(Window.id).where(Window.org_unit_id.in_(units))
        return or_(Case.window_id.in_(windows), Case.hall_id.in_(units))
    if user.role == Role.MANAGER:
        mine = select(user_windows.c.window_id).where(user_windows.c.user_id == user.id)
        return or_(Case.window_id.in_(mine), Case.assignee_id == user.id)
    return false()
