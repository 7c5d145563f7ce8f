"""Service windows and the staff who work at them."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback import clock
from feedback.dbtypes import UTCDateTime
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, ServiceCategory

# No 0/O, 1/l/I: codes are sometimes typed from a printed card.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8  # 31**8 ≈ 8.5e11: not guessable by walking the space


def new_window_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# The five disclosures 五公开, in the plan's order: (field, zh, en).
DISCLOSURES: tuple[tuple[str, str, str], ...] = (
    ("disclose_matters", "办事事项", "Matters handled"),
    ("disclose_basis", "办事依据", "Legal basis"),
    ("disclose_rules", "办事规则", "Rules"),
    ("disclose_procedure", "办事程序", "Procedure"),
    ("disclose_results", "办事结果", "Results"),
)


class Window(db.Model):
    """A service window. Its ``code`` is the short public key in its QR link (``/w/<code>``)."""

    __tablename__ = "windows"
    __table_args__ = (CheckConstraint("qr_key_version >= 1", name="qr_key_version_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, default=new_window_code)
    name: Mapped[str] = mapped_column(String(120))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("service_categories.id"), index=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    commitments: Mapped[str] = mapped_column(Text, default="")
    disclose_matters: Mapped[str] = mapped_column(Text, default="")
    disclose_basis: Mapped[str] = mapped_column(Text, default="")
    disclose_rules: Mapped[str] = mapped_column(Text, default="")
    disclose_procedure: Mapped[str] = mapped_column(Text, default="")
    disclose_results: Mapped[str] = mapped_column(Text, default="")
    # Bumped to revoke every printed QR code of this window (lost or copied desk card).
    qr_key_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    org_unit: Mapped[OrgUnit] = relationship(back_populates="windows")
    category: Mapped[ServiceCategory] = relationship()
    staff: Mapped[list[Staff]] = relationship(back_populates="window", order_by="Staff.badge_no")

    @property
    def hall_name(self) -> str:
        return self.org_unit.name

    def __repr__(self) -> str:
        return f"<Window {self.code} {self.name}>"


class Staff(db.Model):
    """A person working at a window, shown with badge and photo (亮身份)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    # 工号: unique in the whole organisation, printed on the badge and the desk card.
    badge_no: Mapped[str] = mapped_column(String(32), unique=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id"), index=True)
    title: Mapped[str] = mapped_column(String(60), default="")
    party_member: Mapped[bool] = mapped_column(default=False)
    photo: Mapped[str | None] = mapped_column(String(80))  # file name in UPLOAD_FOLDER/photos
    active: Mapped[bool] = mapped_column(default=True)

    window: Mapped[Window] = relationship(back_populates="staff")

    def __repr__(self) -> str:
        return f"<Staff {self.badge_no} {self.name}>"
