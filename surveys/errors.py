"""The two kinds of error of the survey package: a bad answer and a bad questionnaire."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Why an answer was refused; the value is stable and safe to store or send as JSON."""

    REQUIRED = "required"
    """A required question was not answered."""
    INVALID = "invalid"
    """The raw value has the wrong shape (e.g. several values for a one-value question)."""
    NOT_A_LEVEL = "not_a_level"
    """A rating that is not one of the five levels 1..5."""
    UNKNOWN_OPTION = "unknown_option"
    """A choice that is not one of the question's options."""
    TOO_FEW = "too_few"
    """Fewer selections than the question's minimum."""
    TOO_MANY = "too_many"
    """More selections than the question's maximum."""
    TOO_LONG = "too_long"
    """A text longer than the question's maximum length."""
    UNKNOWN_STAFF = "unknown_staff"
    """A staff id that is not among the staff of the validation context."""


class AnswerError(ValueError):
    """One question's answer is unacceptable.

    ``code`` says why (an :class:`ErrorCode`); ``message_en`` and ``message_zh`` are ready to
    show to the citizen next to the question. Messages never echo the submitted value.
    """

    def __init__(self, code: ErrorCode | str, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.code: str = str(code)
        self.message_en: str = message_en
        self.message_zh: str = message_zh

    @classmethod
    def required(cls) -> AnswerError:
        """The error for a required question left unanswered."""
        return cls(ErrorCode.REQUIRED, "Please answer this question.", "请回答此题。")

    def message(self, locale: str) -> str:
        """The message for ``locale``: Chinese for any ``zh*`` locale, English otherwise."""
        return self.message_zh if locale.lower().startswith("zh") else self.message_en

    def to_dict(self) -> dict[str, str]:
        """``{"code", "message_en", "message_zh"}``, for JSON responses."""
        return {"code": self.code, "message_en": self.message_en, "message_zh": self.message_zh}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AnswerError):
            return NotImplemented
        return (self.code, self.message_en, self.message_zh) == (
            other.code,
            other.message_en,
            other.message_zh,
        )

    def __hash__(self) -> int:
        return hash((self.code, self.message_en, self.message_zh))

    def __repr__(self) -> str:
        return f"AnswerError({self.code!r}, {self.message_en!r}, {self.message_zh!r})"


class DefinitionError(ValueError):
    """A questionnaire (or a question of it) is malformed; the message says what is wrong.

    Raised when building a :class:`~surveys.definition.SurveyDefinition` or a question, and by
    ``from_dict`` for stored JSON that does not describe a valid questionnaire.
    """
