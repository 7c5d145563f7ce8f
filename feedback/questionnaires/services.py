"""Writes on questionnaires. Services flush; the request commits."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from feedback.audit.services import record
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.questionnaires.models import Survey, SurveyAssignment, SurveyKind, SurveyVersion
from surveys import (
    COMMENT_KEY,
    STAFF_KEY,
    StaffQuestion,
    SurveyDefinition,
    TextQuestion,
    default_survey,
)

if TYPE_CHECKING:
    from feedback.accounts.models import User
    from feedback.orgs.models import ServiceCategory
    from feedback.windows.models import Window

NAME_MAX = 120


def publish_version(actor: User | None, survey: Survey,
                    definition: SurveyDefinition) -> SurveyVersion:
    """Publish ``definition`` as the survey's next version, unless it equals the current one.

    Versions never change once published: every evaluation keeps the one it answered.
    Returns the (new or unchanged current) version. Audited as ``survey.publish``.
    """
    current = survey.current_version
    if current is not None and current.to_definition().fingerprint() == definition.fingerprint():
        return current
    number = (db.session.scalar(
        select(func.max(SurveyVersion.number)).where(SurveyVersion.survey_id == survey.id)
    ) or 0) + 1
    version = SurveyVersion(survey=survey, number=number, definition=definition.to_dict(),
                            fingerprint=definition.fingerprint(),
                            published_by_id=getattr(actor, "id", None))
    db.session.add(version)
    db.session.flush()
    record(actor, "survey.publish", survey, {"version": number})
    return version


def ensure_default_survey(actor: User | None = None) -> Survey:
    """The default questionnaire, created with the national default content if missing."""
    survey = db.session.scalar(select(Survey).where(Survey.is_default.is_(True)))
    if survey is None:
        survey = Survey(name="默认评价问卷", kind=SurveyKind.STANDARD, is_default=True)
        db.session.add(survey)
        db.session.flush()
        publish_version(actor, survey, default_survey())
    return survey


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ServiceError(_("Please enter a name."), "name")
    if len(name) > NAME_MAX:
        raise ServiceError(_("A name is at most %(n)d characters long.", n=NAME_MAX), "name")
    return name


def create_survey(actor: User, *, name: str, kind: SurveyKind) -> Survey:
    """Create an active questionnaire whose version 1 copies the default one's current version.

    Raises ``ServiceError`` for an empty or overlong name. Audited as ``survey.create`` (and
    ``survey.publish`` for its first version).
    """
    name = _check_name(name)
    default = ensure_default_survey(actor)
    source = default.current_version
    assert source is not None  # the default questionnaire always has a version
    survey = Survey(name=name, kind=kind, is_default=False, active=True)
    db.session.add(survey)
    db.session.flush()
    record(actor, "survey.create", survey,
           {"name": name, "kind": kind.value, "copied_from_version": source.id})
    publish_version(actor, survey, source.to_definition())
    return survey


def check_storable(definition: SurveyDefinition) -> None:
    """Refuse a questionnaire that evaluations could not be stored against.

    ``SurveyDefinition`` checks that a questionnaire is well formed; this checks what the
    platform relies on when it stores an answer: the overall rating is always asked and
    required (it is the evaluation's level), the answer keyed ``staff`` is a staff member's id
    (the rated staff member) and never required (the form lists only the staff on duty), and
    the answer keyed ``comment`` is text. Raises ``ServiceError``.
    """
    overall = definition.overall
    if not overall.required or overall.show_if is not None:
        raise ServiceError(_("The overall satisfaction question must always be asked and "
                             "answered."))
    for question in definition.questions:
        if isinstance(question, StaffQuestion) != (question.key == STAFF_KEY):
            raise ServiceError(_("The staff question, and only it, has the key %(key)s.",
                                 key=STAFF_KEY))
        if isinstance(question, StaffQuestion) and question.required:
            raise ServiceError(_("The staff question cannot be required: a window may have "
                                 "nobody on duty to choose."))
        if question.key == COMMENT_KEY and not isinstance(question, TextQuestion):
            raise ServiceError(_("The question with the key %(key)s must be free text.",
                                 key=COMMENT_KEY))


def save_survey(actor: User, survey: Survey,
                definition: SurveyDefinition) -> tuple[SurveyVersion, bool]:
    """Publish an edited questionnaire as a new version if its content changed.

    Returns ``(version, published)``: the new version and True, or the unchanged current
    version and False. Raises ``ServiceError`` (see :func:`check_storable`); nothing is
    written then. Audited as ``survey.publish`` when a version is published.
    """
    check_storable(definition)
    before = survey.current_version
    version = publish_version(actor, survey, definition)
    return version, version is not before


def _describe(assignment: SurveyAssignment, category: ServiceCategory | None,
              window: Window | None) -> dict[str, str | None]:
    return {
        "category": category.code if category is not None else None,
        "window": window.code if window is not None else None,
        "starts_on": assignment.starts_on.isoformat() if assignment.starts_on else None,
        "ends_on": assignment.ends_on.isoformat() if assignment.ends_on else None,
    }


def _equals(column: Any, value: object) -> Any:
    return column.is_(None) if value is None else column == value


def assign_survey(actor: User, survey: Survey, *, category: ServiceCategory | None = None,
                  window: Window | None = None, starts_on: date | None = None,
                  ends_on: date | None = None) -> SurveyAssignment:
    """Make ``survey`` apply to a service trade or to one window, optionally between dates.

    Raises ``ServiceError`` unless exactly one of ``category`` and ``window`` is given, when a
    periodic survey lacks either date, when ``ends_on`` is before ``starts_on``, and when the
    same assignment exists already. Audited as ``survey.assign``.
    """
    if (category is None) == (window is None):
        raise ServiceError(_("Choose a service trade or enter a window code: one of the two."),
                           "category")
    if survey.kind == SurveyKind.PERIODIC:
        if starts_on is None:
            raise ServiceError(_("A periodic survey needs a first day."), "starts_on")
        if ends_on is None:
            raise ServiceError(_("A periodic survey needs a last day."), "ends_on")
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise ServiceError(_("The last day cannot be before the first day."), "ends_on")
    same = db.session.scalar(
        select(SurveyAssignment.id).where(
            SurveyAssignment.survey_id == survey.id,
            _equals(SurveyAssignment.category_id, getattr(category, "id", None)),
            _equals(SurveyAssignment.window_id, getattr(window, "id", None)),
            _equals(SurveyAssignment.starts_on, starts_on),
            _equals(SurveyAssignment.ends_on, ends_on),
        ).limit(1)
    )
    if same is not None:
        raise ServiceError(_("This questionnaire is assigned there already."), "category")
    assignment = SurveyAssignment(
        survey=survey, category_id=getattr(category, "id", None),
        window_id=getattr(window, "id", None), starts_on=starts_on, ends_on=ends_on,
    )
    db.session.add(assignment)
    db.session.flush()
    record(actor, "survey.assign", survey,
           {"assignment": assignment.id, **_describe(assignment, category, window)})
    return assignment


def remove_assignment(actor: User, assignment: SurveyAssignment) -> None:
    """Delete an assignment; the survey no longer applies there. Audited as ``survey.unassign``."""
    record(actor, "survey.unassign", assignment.survey, {
        "assignment": assignment.id,
        "category_id": assignment.category_id,
        "window_id": assignment.window_id,
        "starts_on": assignment.starts_on.isoformat() if assignment.starts_on else None,
        "ends_on": assignment.ends_on.isoformat() if assignment.ends_on else None,
    })
    db.session.delete(assignment)
    db.session.flush()


def set_survey_active(actor: User, survey: Survey, active: bool) -> None:
    """Deactivate (windows stop showing it) or reactivate a questionnaire.

    Its assignments and versions are kept. Raises ``ServiceError`` for deactivating the
    default questionnaire, which applies wherever nothing else does. Audited as
    ``survey.deactivate`` or ``survey.activate`` when the state changes.
    """
    if not active and survey.is_default:
        raise ServiceError(_("The default questionnaire cannot be deactivated."))
    if survey.active == active:
        return
    survey.active = active
    db.session.flush()
    record(actor, "survey.activate" if active else "survey.deactivate", survey)
