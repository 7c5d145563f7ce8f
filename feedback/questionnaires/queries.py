"""Reads on questionnaires, above all: which one a window shows today."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from sqlalchemy import Boolean, Date, bindparam, func, select, text
from sqlalchemy.orm import defer

from feedback import database
from feedback.accounts.models import User
from feedback.extensions import db
from feedback.orgs.models import ServiceCategory
from feedback.questionnaires.models import Survey, SurveyAssignment, SurveyVersion
from feedback.windows.models import Window


class VersionRef(NamedTuple):
    """Which questionnaire version applies: enough to fetch its parsed definition."""

    id: int
    fingerprint: str


# Ranked: a periodic survey running today before a standing one, an assignment to the window
# before one to its trade, the newest assignment first; the default questionnaire when nothing
# is assigned; within the chosen survey, its latest version. ``{window_id}`` and
# ``{category_id}`` are SQL: bind parameters here, the columns of an enclosing query elsewhere.
_RANKED_VERSIONS = """
SELECT {columns}
FROM survey_versions AS v
JOIN surveys AS s ON s.id = v.survey_id
LEFT JOIN survey_assignments AS a
  ON a.survey_id = s.id
 AND (a.window_id = {window_id} OR a.category_id = {category_id})
 AND (a.starts_on IS NULL OR a.starts_on <= :today)
 AND (a.ends_on IS NULL OR a.ends_on >= :today)
WHERE s.active = :yes AND (a.id IS NOT NULL OR s.is_default = :yes)
ORDER BY
  CASE WHEN a.id IS NULL THEN 9
       ELSE (CASE WHEN s.kind = 'periodic' THEN 0 ELSE 2 END)
          + (CASE WHEN a.window_id IS NOT NULL THEN 0 ELSE 1 END)
  END,
  a.id DESC,
  v.number DESC,
  v.id DESC
LIMIT 1
"""
# The binds every query embedding the ranking takes: ``today`` (a local day) and ``yes``.
VERSION_BINDS = (bindparam("today", type_=Date), bindparam("yes", type_=Boolean))


def current_version_sql(window_id: str, category_id: str) -> str:
    """SQL selecting the id of the version that applies to the window whose id and trade are
    the SQL expressions ``window_id`` and ``category_id`` (for a correlated subquery)."""
    return _RANKED_VERSIONS.format(columns="v.id", window_id=window_id, category_id=category_id)


# One round trip, built once.
_CURRENT_VERSION = text(_RANKED_VERSIONS.format(
    columns="v.id, v.fingerprint", window_id=":window_id", category_id=":category_id",
)).bindparams(*VERSION_BINDS)


def current_version_ref(window_id: int, category_id: int, today: date) -> VersionRef:
    """The version of the questionnaire that applies to a window on ``today`` (a local day).

    A periodic survey (社会满意度调查) running today beats the standing one; an assignment to
    the window beats one to its service trade; otherwise the default questionnaire applies.
    """
    row = database.execute(_CURRENT_VERSION, {
        "window_id": window_id, "category_id": category_id, "today": today, "yes": True,
    }).first()
    if row is None:
        raise LookupError("no default questionnaire: run `manyi db upgrade`")
    return VersionRef(row.id, row.fingerprint)


def current_version_for(window: Window, today: date) -> SurveyVersion:
    """The ``SurveyVersion`` that applies to ``window`` on ``today`` (see current_version_ref).

    ``today`` is a local day: pass ``local_date(clock.now())``.
    """
    ref = current_version_ref(window.id, window.category_id, today)
    return db.session.get(SurveyVersion, ref.id)


class AssignmentRow(NamedTuple):
    """An assignment with its target: ``category`` or ``window`` is None."""

    assignment: SurveyAssignment
    category: ServiceCategory | None
    window: Window | None


class SurveyRow(NamedTuple):
    """A line of the questionnaire list."""

    survey: Survey
    version_number: int | None
    assignments: list[AssignmentRow]


class VersionRow(NamedTuple):
    """A published version and the name of who published it (None: the system)."""

    version: SurveyVersion
    published_by: str | None


def get_survey(survey_id: int) -> Survey | None:
    return db.session.get(Survey, survey_id)


def get_version(survey: Survey, number: int) -> SurveyVersion | None:
    return db.session.scalar(
        select(SurveyVersion).where(SurveyVersion.survey_id == survey.id,
                                    SurveyVersion.number == number)
    )


def get_current_version(survey: Survey) -> SurveyVersion | None:
    """The latest version, loaded alone (``Survey.current_version`` loads them all)."""
    return db.session.scalar(
        select(SurveyVersion).where(SurveyVersion.survey_id == survey.id)
        .order_by(SurveyVersion.number.desc()).limit(1)
    )


def get_assignment(survey: Survey, assignment_id: int) -> SurveyAssignment | None:
    return db.session.scalar(
        select(SurveyAssignment).where(SurveyAssignment.id == assignment_id,
                                       SurveyAssignment.survey_id == survey.id)
    )


def list_assignments(survey: Survey | None = None) -> list[AssignmentRow]:
    """Assignments of ``survey`` (of every survey when None): trades first, then windows."""
    query = (
        select(SurveyAssignment, ServiceCategory, Window)
        .outerjoin(ServiceCategory, SurveyAssignment.category_id == ServiceCategory.id)
        .outerjoin(Window, SurveyAssignment.window_id == Window.id)
        .order_by(SurveyAssignment.window_id.is_not(None), ServiceCategory.position,
                  Window.code, SurveyAssignment.starts_on, SurveyAssignment.id)
    )
    if survey is not None:
        query = query.where(SurveyAssignment.survey_id == survey.id)
    return [AssignmentRow(*row) for row in db.session.execute(query)]


def list_surveys() -> list[SurveyRow]:
    """Every questionnaire: the default first, then active ones, by name."""
    numbers = {
        survey_id: number
        for survey_id, number in db.session.execute(
            select(SurveyVersion.survey_id, func.max(SurveyVersion.number))
            .group_by(SurveyVersion.survey_id)
        )
    }
    assignments: dict[int, list[AssignmentRow]] = defaultdict(list)
    for row in list_assignments():
        assignments[row.assignment.survey_id].append(row)
    surveys = db.session.scalars(
        select(Survey).order_by(Survey.is_default.desc(), Survey.active.desc(), Survey.name,
                                Survey.id)
    )
    return [SurveyRow(s, numbers.get(s.id), assignments[s.id]) for s in surveys]


def list_versions(survey: Survey) -> list[VersionRow]:
    """The survey's versions, newest first, without their (large) definitions."""
    rows = db.session.execute(
        select(SurveyVersion, User.display_name, User.username)
        .outerjoin(User, SurveyVersion.published_by_id == User.id)
        .where(SurveyVersion.survey_id == survey.id)
        .options(defer(SurveyVersion.definition))
        .order_by(SurveyVersion.number.desc())
    )
    return [VersionRow(version, display_name or username)
            for version, display_name, username in rows]
