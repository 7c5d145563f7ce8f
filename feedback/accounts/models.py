"""Users, their roles and their scope."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, Enum, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from feedback import clock
from feedback.dbtypes import UTCDateTime
from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.windows.models import Staff, Window


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"  # 督查/主管部门: an org unit's subtree
    MANAGER = "manager"  # 窗口负责人: a set of windows
    OPERATOR = "operator"  # 12319 hotline: enters feedback for an org unit's subtree
    STAFF = "staff"  # 窗口工作人员: their own ratings


# Roles whose scope is an org unit's subtree.
UNIT_SCOPED = (Role.SUPERVISOR, Role.OPERATOR)

user_windows = Table(
    "user_windows",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("window_id", ForeignKey("windows.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role NOT IN ('supervisor', 'operator') OR org_unit_id IS NOT NULL",
            name="unit_scoped_roles_have_unit",
        ),
        CheckConstraint("role != 'staff' OR staff_id IS NOT NULL", name="staff_role_has_staff"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    # Where inbox messages are also e-mailed (feedback/notifications); none: inbox only.
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, create_constraint=True,
             values_callable=lambda e: [m.value for m in e])
    )
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    org_unit: Mapped[OrgUnit | None] = relationship()
    staff: Mapped[Staff | None] = relationship()
    windows: Mapped[list[Window]] = relationship(secondary=user_windows, order_by=Window.name)

    # Flask-Login: a disabled user's session stops working at the next request.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        # The session id carries a fingerprint of the password hash, so a password
        # change ends every other session of this user.
        return f"{self.id}:{self.password_hash[-12:]}"

    def set_password(self, password: str) -> None:
        # Werkzeug's default is scrypt, a memory-hard modern algorithm.
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > clock.now()

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"

