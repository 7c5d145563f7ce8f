"""A questionnaire version: an immutable, serialisable, fingerprinted list of questions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import AnswerError, DefinitionError, ErrorCode
from .questions import (
    Answer,
    Question,
    SatisfactionQuestion,
    ValidationContext,
    is_blank,
    question_from_dict,
)

SCHEMA_VERSION = 1
"""The ``"schema"`` number written by :meth:`SurveyDefinition.to_dict`."""

OVERALL_KEY = "overall"
"""The key of the one overall-satisfaction question of every questionnaire."""


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of validating one submitted form against a questionnaire.

    ``answers`` holds the clean answer of every shown question that was answered correctly,
    in questionnaire order; ``errors`` holds an :class:`AnswerError` per refused question.
    Store the answers only when ``ok``; when not, ``answers`` still helps re-fill the form.
    """

    answers: dict[str, Answer] = field(default_factory=dict)
    errors: dict[str, AnswerError] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every question was acceptable (no errors)."""
        return not self.errors


@dataclass(frozen=True, kw_only=True)
class SurveyDefinition:
    """One version of a questionnaire: titles and ordered questions, never changed in place.

    Invariants, checked on construction (``DefinitionError`` otherwise): titles are non-empty,
    question keys are unique, there is exactly one :class:`SatisfactionQuestion` and its key
    is ``"overall"``, and every ``show_if`` names an *earlier* question with a condition that
    question supports. ``questions`` may be given as any sequence; it is stored as a tuple.
    """

    title_zh: str
    title_en: str
    questions: tuple[Question, ...]

    def __post_init__(self) -> None:
        for name in ("title_zh", "title_en"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise DefinitionError(f"{name} must be a non-empty string, got {value!r}")
        if not isinstance(self.questions, list | tuple):
            raise DefinitionError("questions must be a list of questions")
        questions = tuple(self.questions)
        seen: dict[str, Question] = {}
        for question in questions:
            if not isinstance(question, Question):
                raise DefinitionError(f"not a question: {question!r}")
            if question.key in seen:
                raise DefinitionError(f"duplicate question key {question.key!r}")
            if question.show_if is not None:
                key, condition = question.show_if
                target = seen.get(key)
                if target is None:
                    raise DefinitionError(
                        f"{question.key}.show_if must name an earlier question, not {key!r}"
                    )
                if not target.supports_condition(condition):
                    raise DefinitionError(
                        f"{question.key}.show_if: {condition!r} does not apply to {key!r}"
                    )
            seen[question.key] = question
        overall = [q for q in questions if isinstance(q, SatisfactionQuestion)]
        if len(overall) != 1 or overall[0].key != OVERALL_KEY:
            raise DefinitionError(
                "a questionnaire has exactly one satisfaction question, keyed 'overall'"
            )
        object.__setattr__(self, "questions", questions)

    # -- lookup ---------------------------------------------------------------------------

    @property
    def keys(self) -> tuple[str, ...]:
        """The question keys, in order."""
        return tuple(question.key for question in self.questions)

    @property
    def overall(self) -> SatisfactionQuestion:
        """The overall-satisfaction question."""
        question = self.question(OVERALL_KEY)
        assert isinstance(question, SatisfactionQuestion)
        return question

    def question(self, key: str) -> Question:
        """The question with ``key``; ``KeyError`` if there is none."""
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)

    def is_shown(self, question: Question, answers: Mapping[str, Answer]) -> bool:
        """Whether ``question`` is shown, given the clean ``answers`` to earlier questions."""
        if question.show_if is None:
            return True
        key, condition = question.show_if
        if key not in answers:
            return False
        return self.question(key).condition_met(condition, answers[key])

    # -- serialisation --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: ``{"schema", "title_zh", "title_en", "questions": [...]}``.

        Every field of every question is written, defaults included, so that
        ``SurveyDefinition.from_dict(d.to_dict()) == d`` and
        ``SurveyDefinition.from_dict(data).to_dict() == data`` for such data.
        """
        return {
            "schema": SCHEMA_VERSION,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "questions": [question.to_dict() for question in self.questions],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SurveyDefinition:
        """Rebuild a questionnaire from :meth:`to_dict` data; ``DefinitionError`` if malformed.

        Unknown fields and unknown schema numbers are refused, never silently dropped.
        """
        if not isinstance(data, Mapping):
            raise DefinitionError(f"a questionnaire is a JSON object, got {type(data).__name__}")
        expected = {"schema", "title_zh", "title_en", "questions"}
        if set(data) != expected:
            raise DefinitionError(
                f"a questionnaire has exactly the fields {sorted(expected)}, got {sorted(data)}"
            )
        if data["schema"] != SCHEMA_VERSION or isinstance(data["schema"], bool):
            raise DefinitionError(f"unsupported questionnaire schema {data['schema']!r}")
        questions = data["questions"]
        if not isinstance(questions, list | tuple):
            raise DefinitionError("questions must be a list")
        return cls(
            title_zh=data["title_zh"],
            title_en=data["title_en"],
            questions=tuple(question_from_dict(item) for item in questions),
        )

    def canonical_json(self) -> str:
        """:meth:`to_dict` as canonical JSON: sorted keys, no spaces, UTF-8 text kept as is."""
        return json.dumps(
            self.to_dict(),
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            allow_nan=False,
        )

    def fingerprint(self) -> str:
        """SHA-256 (hex) of :meth:`canonical_json`: equal exactly when the content is equal.

        Any change a citizen could see (a label, help text, option, order, limit, condition)
        changes it, so an edit whose fingerprint differs must be published as a new version.
        """
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    # -- validation -----------------------------------------------------------------------

    def validate(
        self,
        raw_answers: Mapping[str, Any],
        context: ValidationContext | None = None,
    ) -> ValidationResult:
        """Check a submitted form and clean its answers.

        ``raw_answers`` maps question keys to what the form sent: a string, or a list of
        strings. A werkzeug ``MultiDict`` (``request.form``) may be passed as is: its
        ``getlist`` is used so that no checkbox is lost. Rules, in questionnaire order:

        * keys that are not questions are ignored;
        * a question hidden by its ``show_if`` (evaluated on the clean answers of earlier
          questions) is skipped and its answer dropped, never an error;
        * a missing or blank answer (empty string, only blank strings, empty list) is
          "not answered": an error for a required question, nothing otherwise;
        * any other answer goes through the question's ``parse``; ``AnswerError`` is recorded.

        ``context`` supplies the staff ids for staff questions (none if omitted).
        """
        context = context or ValidationContext()
        getlist = getattr(raw_answers, "getlist", None)
        answers: dict[str, Answer] = {}
        errors: dict[str, AnswerError] = {}
        for question in self.questions:
            if not self.is_shown(question, answers):
                continue
            raw = getlist(question.key) if callable(getlist) else raw_answers.get(question.key)
            try:
                if is_blank(raw):
                    if question.required:
                        raise AnswerError.required()
                    continue
                answers[question.key] = question.parse(raw, context)
            except AnswerError as error:
                if error.code == ErrorCode.REQUIRED and not question.required:
                    continue  # e.g. a text of nothing but control characters
                errors[question.key] = error
        return ValidationResult(answers=answers, errors=errors)
