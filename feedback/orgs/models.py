"""The organisation tree and the service trades."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.dbtypes import binary_string
from feedback.extensions import db

if TYPE_CHECKING:
    from feedback.windows.models import Window


class UnitKind(enum.StrEnum):
    PROVINCE = "province"  # 省厅
    CITY = "city"  # 市州局
    COUNTY = "county"  # 县市区局
    HALL = "hall"  # 服务大厅


class OrgUnit(db.Model):
    """A node of the organisation tree.

    The tree is stored as a materialised path (``/1/7/42/``, ids of the ancestors and the
    unit itself). A subtree is one range scan on the indexed ``path`` column
    (``path >= '/1/7/' AND path < '/1/70'``), with no recursion, so subtree filters stay a
    single indexed predicate with 10,000 units on SQLite and PostgreSQL alike, and can be
    joined into any query (windows of a subtree, evaluations of a subtree). Moving a unit
    rewrites the paths of its descendants, which is rare and done in one UPDATE.
    """

    __tablename__ = "org_units"
    __table_args__ = (
        CheckConstraint("depth >= 0", name="depth_non_negative"),
        CheckConstraint("(parent_id IS NULL) = (depth = 0)", name="root_has_no_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[UnitKind] = mapped_column(
        Enum(UnitKind, native_enum=False, length=16, create_constraint=True,
             values_callable=lambda e: [m.value for m in e])
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    path: Mapped[str] = mapped_column(binary_string(255), index=True, default="")
    depth: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(
        back_populates="parent", order_by="OrgUnit.name"
    )
    windows: Mapped[list[Window]] = relationship(back_populates="org_unit")

    @staticmethod
    def path_range(path: str) -> tuple[str, str]:
        """Bounds ``[low, high)`` of all paths in the subtree rooted at ``path``."""
        # '/' is followed by '0' in ASCII: every descendant path sorts between the two.
        return path, path[:-1] + "0"

    @classmethod
    def in_subtree(cls, root: OrgUnit):
        """SQL condition: this unit lies in ``root``'s subtree (``root`` included)."""
        low, high = cls.path_range(root.path)
        return and_(cls.path >= low, cls.path < high)

    def contains(self, other: OrgUnit) -> bool:
        """Whether ``other`` is this unit or one of its descendants."""
        return other.path.startswith(self.path)

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code} {self.name}>"


class ServiceCategory(db.Model):
    """A service trade named by the plan (行政许可, 住房公积金管理 …)."""

    __tablename__ = "service_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ServiceCategory {self.code}>"


# The plan's trades (参与范围), seeded by the first migration and by tests.
SERVICE_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("licensing", "行政许可", "Administrative licensing"),
    ("utilities", "市政公用", "Municipal utilities"),
    ("parks", "公园景区", "Parks and scenic areas"),
    ("real_estate", "房地产交易与权属登记", "Real-estate transactions and title registration"),
    ("property", "物业管理", "Property management"),
    ("housing_fund", "住房公积金管理", "Housing provident fund"),
    ("hotline", "12319服务热线", "12319 service hotline"),
)
