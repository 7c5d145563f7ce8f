"""Writes on users. Services flush, never commit: the request (or CLI command) commits once."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from feedback import clock
from feedback.accounts.models import UNIT_SCOPED, Role, User
from feedback.audit.services import apply_changes, record
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Staff, Window

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
# Deliberately loose (one @, a dot in the domain, nothing that could break a mail header):
# the mail server is the judge of the rest.
EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+\.[^@\s<>()\[\],;:\"\\]+$")
MIN_PASSWORD_LENGTH = 8


def check_password_strength(password: str) -> None:
    """Raise ``ServiceError`` unless the password is long enough and not trivially simple."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            "password",
        )
    if password.isdigit() or password.isalpha():
        raise ServiceError(_("The password must mix letters with digits or symbols."), "password")


def clean_email(email: str | None) -> str | None:
    """An e-mail address as stored (None for empty); raises ``ServiceError`` if malformed."""
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise ServiceError(_("Please enter a valid e-mail address."), "email")
    return email


def _check_scope(role: Role, unit: OrgUnit | None, windows: Sequence[Window], staff: Staff | None):
    if role in UNIT_SCOPED and unit is None:
        raise ServiceError(_("Supervisors and operators need an organisation unit."), "org_unit")
    if role == Role.MANAGER and not windows:
        raise ServiceError(_("A manager needs at least one window."), "windows")
    if role == Role.STAFF and staff is None:
        raise ServiceError(_("A staff account needs a staff member."), "staff")


def create_user(
    actor: User | None,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    org_unit: OrgUnit | None = None,
    windows: Sequence[Window] = (),
    staff: Staff | None = None,
    email: str | None = None,
) -> User:
    """Create a user with a role and its scope.

    Raises ``ServiceError`` for a malformed or taken username, a weak password, or a scope
    that does not fit the role. Audited as ``user.create``.
    """
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise ServiceError(
            _("A username has 3 to 64 letters, digits, dots, dashes or underscores."), "username"
        )
    taken = db.session.scalar(
        select(User.id).where(func.lower(User.username) == username.lower())
    )
    if taken is not None:
        raise ServiceError(_("The username %(name)s is taken.", name=username), "username")
    check_password_strength(password)
    _check_scope(role, org_unit, windows, staff)
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=clean_email(email),
        role=role,
        org_unit=org_unit if role in UNIT_SCOPED else None,
        staff=staff if role == Role.STAFF else None,
        windows=list(windows) if role == Role.MANAGER else [],
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, {"role": role.value, **_scope_summary(user)})
    return user


def update_user(
    actor: User,
    user: User,
    *,
    display_name: str,
    role: Role,
    org_unit: OrgUnit | None,
    windows: Sequence[Window],
    staff: Staff | None,
    active: bool,
    email: str | None = None,
) -> None:
    """Change a user's role, scope, e-mail address (None: unchanged) or active flag.
    Raises ``ServiceError``; audited."""
    _check_scope(role, org_unit, windows, staff)
    address = user.email if email is None else clean_email(email)
    if user.id == actor.id and (not active or role != Role.ADMIN):
        raise ServiceError(_("You cannot demote or disable your own account."), "role")
    before = _scope_summary(user)
    changes = apply_changes(
        user,
        {
            "display_name": display_name.strip(),
            "email": address,
            "role": role,
            "org_unit": org_unit if role in UNIT_SCOPED else None,
            "staff": staff if role == Role.STAFF else None,
            "active": active,
        },
    )
    user.windows = list(windows) if role == Role.MANAGER else []
    after = _scope_summary(user)
    if before != after:
        changes["scope"] = [before, after]
    if changes:
        db.session.flush()
        record(actor, "user.update", user, changes)


def disable_user(actor: User | None, user: User) -> None:
    """Disable a user; their sessions stop at the next request. Audited."""
    if not user.active:
        return
    user.active = False
    record(actor, "user.disable", user)


def change_password(actor: User, user: User, new_password: str) -> None:
    """Set a new password (other sessions of ``user`` end). Raises ``ServiceError``."""
    check_password_strength(new_password)
    if user.check_password(new_password):
        raise ServiceError(_("The new password must differ from the old one."), "new_password")
    user.set_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    record(actor, "user.password", user)


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    Counts failures per account: after ``LOGIN_MAX_FAILURES`` wrong passwords the account is
    locked for ``LOGIN_LOCKOUT_MINUTES`` and even the right password is refused until then.
    Records ``user.login`` and ``user.lockout`` in the audit log.
    """
    user = db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )
    if user is None:
        # Hash anyway so the answer takes as long for unknown names as for known ones.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.active or user.is_locked():
        return None
    if not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
            user.locked_until = clock.now() + timedelta(minutes=minutes)
            user.failed_logins = 0
            record(None, "user.lockout", user, {"minutes": minutes})
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = clock.now()
    record(user, "user.login", user)
    return user


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("manyi-timing-equaliser")


def _scope_summary(user: User) -> dict[str, object]:
    return {
        "org_unit": user.org_unit.code if user.org_unit else None,
        "windows": sorted(w.code for w in user.windows),
        "staff": user.staff.badge_no if user.staff else None,
    }
