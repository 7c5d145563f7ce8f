"""Stored questionnaires. The definitions themselves are ``surveys.SurveyDefinition``."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback import clock
from feedback.dbtypes import UTCDateTime
from feedback.extensions import db
from surveys import SurveyDefinition


class SurveyKind(enum.StrEnum):
    STANDARD = "standard"  # the questionnaire a window always shows
    PERIODIC = "periodic"  # 社会满意度调查: shown instead, between two dates


class Survey(db.Model):
    """A questionnaire. Its content lives in immutable versions; editing publishes a new one."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[SurveyKind] = mapped_column(
        Enum(SurveyKind, native_enum=False, length=16, create_constraint=True,
             values_callable=lambda e: [m.value for m in e]),
        default=SurveyKind.STANDARD,
    )
    is_default: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number"
    )
    assignments: Mapped[list[SurveyAssignment]] = relationship(
        back_populates="survey", cascade="all, delete-orphan"
    )

    @property
    def current_version(self) -> SurveyVersion | None:
        return self.versions[-1] if self.versions else None


class SurveyVersion(db.Model):
    """One published, never-changing version; every evaluation points at the one it answered."""

    __tablename__ = "survey_versions"
    __table_args__ = (
        UniqueConstraint("survey_id", "number", name="uq_survey_versions_number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    number: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    survey: Mapped[Survey] = relationship(back_populates="versions")

    def to_definition(self) -> SurveyDefinition:
        return SurveyDefinition.from_dict(self.definition)


class SurveyAssignment(db.Model):
    """Where a questionnaire applies: a service trade or one window, optionally between dates."""

    __tablename__ = "survey_assignments"
    __table_args__ = (
        CheckConstraint(
            "(category_id IS NULL) != (window_id IS NULL)", name="one_target"
        ),
        CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on", name="dates_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_categories.id"), index=True
    )
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"), index=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    survey: Mapped[Survey] = relationship(back_populates="assignments")
