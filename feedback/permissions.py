"""Who may do what: the one place that answers it, for pages, the API and the CLI alike.

Two layers:

* every view declares its access rule with ``@public`` or ``@login_required(*roles)``; a
  ``before_request`` hook refuses any endpoint that declares none (deny by default), and a
  test walks ``app.url_map`` to prove each route has one;
* object rules: ``may(user, action, obj)`` says whether a user may ``view`` or ``edit`` one
  object, and ``visible_*`` give the query filters for lists, so a manager sees only their
  windows and a supervisor only their subtree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import false, select, true
from sqlalchemy.sql import ColumnElement

from feedback.accounts.models import UNIT_SCOPED, Role, User, user_windows
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Staff, Window

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTR = "access_rule"
PUBLIC = "public"
# Endpoints Flask or extensions add themselves; each is public by nature.
BUILTIN_PUBLIC_ENDPOINTS = frozenset({"static"})


def public(view: F) -> F:
    """Anyone, signed in or not, may call this view."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def login_required(*roles: Role) -> Callable[[F], F]:
    """Signed-in users with one of ``roles`` (any role when none is given)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, ("login", tuple(roles)))
        return wrapped  # type: ignore[return-value]

    return decorator


def access_rule_of(endpoint: str) -> Any:
    if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None)


def refuse_undeclared_routes() -> None:
    """``before_request``: a route with no declared access rule answers 403, never its page."""
    if request.endpoint is None:
        return  # 404 or 405, Flask answers those itself
    if access_rule_of(request.endpoint) is None:
        current_app.logger.error("route %s has no access rule; refused", request.endpoint)
        abort(403)


# --- object rules --------------------------------------------------------------------------


def _unit_scope(user: User) -> OrgUnit | None:
    return user.org_unit if user.role in UNIT_SCOPED else None


def may_view_unit(user: User, unit: OrgUnit) -> bool:
    if user.role == Role.ADMIN:
        return True
    scope = _unit_scope(user)
    return scope is not None and scope.contains(unit)


def may_edit_unit(user: User, unit: OrgUnit) -> bool:
    """Admins edit any unit; supervisors the units below their own (not their own root)."""
    if user.role == Role.ADMIN:
        return True
    return (
        user.role == Role.SUPERVISOR
        and user.org_unit is not None
        and unit.id != user.org_unit.id
        and user.org_unit.contains(unit)
    )


def may_add_under(user: User, parent: OrgUnit) -> bool:
    """Whether ``user`` may create units or windows under ``parent``."""
    if user.role == Role.ADMIN:
        return True
    return (
        user.role == Role.SUPERVISOR
        and user.org_unit is not None
        and user.org_unit.contains(parent)
    )


def may_view_window(user: User, window: Window) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.role in UNIT_SCOPED:
        return user.org_unit is not None and user.org_unit.contains(window.org_unit)
    if user.role == Role.MANAGER:
        return any(w.id == window.id for w in user.windows)
    if user.role == Role.STAFF:
        return user.staff is not None and user.staff.window_id == window.id
    return False


def may_edit_window(user: User, window: Window) -> bool:
    """Admins and supervisors of the subtree; managers only their own windows' public text."""
    if user.role in (Role.ADMIN, Role.MANAGER):
        return may_view_window(user, window)
    return user.role == Role.SUPERVISOR and may_view_window(user, window)


def may_manage_window(user: User, window: Window) -> bool:
    """Move, deactivate, rename, revoke QR codes: admins and supervisors of the subtree."""
    return user.role in (Role.ADMIN, Role.SUPERVISOR) and may_view_window(user, window)


def may_view_staff(user: User, staff: Staff) -> bool:
    if user.role == Role.STAFF:
        return user.staff_id == staff.id
    return may_view_window(user, staff.window)


def may_edit_staff(user: User, staff: Staff) -> bool:
    return user.role != Role.STAFF and may_edit_window(user, staff.window)


def may_manage_users(user: User) -> bool:
    return user.role == Role.ADMIN


_RULES: dict[tuple[str, type], Callable[[User, Any], bool]] = {
    ("view", OrgUnit): may_view_unit,
    ("edit", OrgUnit): may_edit_unit,
    ("add_under", OrgUnit): may_add_under,
    ("view", Window): may_view_window,
    ("edit", Window): may_edit_window,
    ("manage", Window): may_manage_window,
    ("view", Staff): may_view_staff,
    ("edit", Staff): may_edit_staff,
    ("view", User): lambda user, _other: may_manage_users(user),
    ("edit", User): lambda user, _other: may_manage_users(user),
}


def may(user: User, action: str, obj: Any) -> bool:
    """Whether ``user`` may perform ``action`` on ``obj``. Unknown pairs are refused."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return False
    rule = _RULES.get((action, type(obj)))
    return bool(rule and rule(user, obj))


def require(action: str, obj: Any) -> Any:
    """Abort with 403 unless the current user may ``action`` ``obj``; return ``obj``."""
    if not may(current_user, action, obj):
        abort(403)
    return obj


# --- list filters ----------------------------------------------------------------------------


def visible_units_filter(user: User) -> ColumnElement[bool]:
    if user.role == Role.ADMIN:
        return true()
    scope = _unit_scope(user)
    return OrgUnit.in_subtree(scope) if scope is not None else false()


def visible_windows_filter(user: User) -> ColumnElement[bool]:
    """Condition on ``Window`` (joined to ``OrgUnit`` for unit-scoped roles)."""
    if user.role == Role.ADMIN:
        return true()
    scope = _unit_scope(user)
    if scope is not None:
        low, high = OrgUnit.path_range(scope.path)
        subtree_units = select(OrgUnit.id).where(OrgUnit.path >= low, OrgUnit.path < high)
        return Window.org_unit_id.in_(subtree_units)
    if user.role == Role.MANAGER:
        mine = select(user_windows.c.window_id).where(user_windows.c.user_id == user.id)
        return Window.id.in_(mine)
    if user.role == Role.STAFF and user.staff is not None:
        return Window.id == user.staff.window_id
    return false()
