"""Question types of a questionnaire: what a question looks like, and how its answer is parsed.

Every question is a frozen dataclass sharing the fields of :class:`Question` (key, Chinese and
English label, ``required``, help texts, ``show_if``). ``parse(raw, context)`` turns the raw
value of an HTML form (a string, or a list of strings for multiple choice) into a clean value
or raises :class:`~surveys.errors.AnswerError`. ``to_dict()`` gives plain JSON data and
:func:`question_from_dict` rebuilds any registered type from it.

``show_if`` is ``(key, condition)``: the question is shown, and its answer accepted, only when
the earlier question ``key`` was answered and its clean answer meets ``condition``:

``"bad"``
    a rating question answered with a bad review (1 or 2 stars);
``"good"``
    a rating question answered with a good review (4 or 5 stars);
``"answered"``
    any question that was answered at all;
``"is:<value>"``
    a rating equal to ``<value>`` (``"is:3"``), a single choice equal to the option code
    ``<value>``, or a multiple choice that includes it.

Parsing is deliberately strict about values (a rating is exactly one of ``"1"`` .. ``"5"``, a
choice is exactly one of the option codes, after stripping surrounding white space) and
lenient about shape (a one-element list is accepted where one string is expected, so a
``request.form`` turned into lists works everywhere).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, fields
from typing import Any, ClassVar, NamedTuple

from .errors import AnswerError, DefinitionError, ErrorCode
from .scale import Level, is_bad, is_good

RawAnswer = str | list[str] | tuple[str, ...]
"""What a form submits for one question: a string, or a list of strings (checkboxes)."""

Answer = Level | str | int | tuple[str, ...]
"""A clean answer: a :class:`Level` for ratings, an option code or text (``str``), a staff id
(``str`` or ``int``, as given in the context) or option codes (``tuple[str, ...]``)."""

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""What a question key looks like: it is used as an HTML form field name and a JSON key."""

CONDITIONS: tuple[str, ...] = ("bad", "good", "answered")
"""The named ``show_if`` conditions; ``"is:<value>"`` is the only other form."""

_LEVEL_VALUES: dict[str, Level] = {str(int(level)): level for level in Level}

_QUESTION_TYPES: dict[str, type[Question]] = {}


class Option(NamedTuple):
    """One option of a choice question: a stable ``code`` (the form value) and its labels."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class ValidationContext:
    """What validation needs to know that is not part of the questionnaire.

    ``staff_ids`` are the ids of the staff a citizen may name in a :class:`StaffQuestion`
    (for example, the staff of the service window being rated). Ids may be ``int`` or ``str``;
    a submitted form value matches an id when it equals ``str(id)``, and the clean answer is
    the id itself. With no staff ids every answer to a staff question is refused.
    """

    staff_ids: frozenset[int | str] = frozenset()

    def __post_init__(self) -> None:
        if isinstance(self.staff_ids, str | bytes):
            raise TypeError("staff_ids is a collection of ids, not one string")
        ids = frozenset(self.staff_ids)
        for staff_id in ids:
            if isinstance(staff_id, bool) or not isinstance(staff_id, int | str):
                raise TypeError(f"staff ids are int or str, got {staff_id!r}")
        object.__setattr__(self, "staff_ids", ids)

    def find_staff(self, value: str) -> int | str | None:
        """The staff id whose string form is ``value``, or ``None``."""
        for staff_id in self.staff_ids:
            if str(staff_id) == value:
                return staff_id
        return None


# ---------------------------------------------------------------------------------------------
# Errors and raw values


def _one_only() -> AnswerError:
    return AnswerError(ErrorCode.INVALID, "Please give only one answer.", "此题只能填写一个答案。")


def _bad_shape() -> AnswerError:
    return AnswerError(ErrorCode.INVALID, "This answer is not valid.", "答案格式不正确。")


def is_blank(raw: object) -> bool:
    """Whether ``raw`` means "not answered": ``None``, a blank string, or only blank strings."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, list | tuple):
        return all(is_blank(item) for item in raw)
    return False


def _text_of(item: object) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, int) and not isinstance(item, bool):
        return str(item)
    raise _bad_shape()


def _values(raw: object) -> list[str]:
    """The non-blank values of ``raw``, stripped, in order; duplicates removed."""
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    values: list[str] = []
    for item in items:
        value = _text_of(item).strip()
        if value and value not in values:
            values.append(value)
    return values


def _single(raw: object) -> str:
    """The one non-blank value of ``raw``; REQUIRED if none, INVALID if several."""
    values = _values(raw)
    if not values:
        raise AnswerError.required()
    if len(values) > 1:
        raise _one_only()
    return values[0]


def _text(value: object, name: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        wanted = "a string" if allow_empty else "a non-empty string"
        raise DefinitionError(f"{name} must be {wanted}, got {value!r}")
    return value


def _int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise DefinitionError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return value


# ---------------------------------------------------------------------------------------------
# Base class


@dataclass(frozen=True, kw_only=True)
class Question:
    """What every question has.

    ``key`` names the question in forms, answers and JSON (lower-case letters, digits and
    ``_``, starting with a letter). ``label_zh``/``label_en`` are the question text,
    ``help_zh``/``help_en`` optional explanations under it. A ``required`` question must be
    answered whenever it is shown. ``show_if`` is ``None`` or ``(key, condition)``, see the
    module documentation. Subclasses set ``type_name``, the ``"type"`` of their ``to_dict()``.
    """

    type_name: ClassVar[str]

    key: str
    label_zh: str
    label_en: str
    required: bool = False
    help_zh: str = ""
    help_en: str = ""
    show_if: tuple[str, str] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("type_name")
        if name is not None:
            if name in _QUESTION_TYPES:
                raise TypeError(f"question type {name!r} is registered twice")
            _QUESTION_TYPES[name] = cls

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not KEY_PATTERN.fullmatch(self.key):
            raise DefinitionError(
                f"question key must match {KEY_PATTERN.pattern}, got {self.key!r}"
            )
        _text(self.label_zh, f"{self.key}.label_zh")
        _text(self.label_en, f"{self.key}.label_en")
        _text(self.help_zh, f"{self.key}.help_zh", allow_empty=True)
        _text(self.help_en, f"{self.key}.help_en", allow_empty=True)
        if not isinstance(self.required, bool):
            raise DefinitionError(f"{self.key}.required must be true or false")
        if self.show_if is not None:
            object.__setattr__(self, "show_if", self._check_show_if(self.show_if))

    def _check_show_if(self, show_if: object) -> tuple[str, str]:
        if (
            not isinstance(show_if, list | tuple)
            or len(show_if) != 2
            or not all(isinstance(part, str) for part in show_if)
        ):
            raise DefinitionError(f"{self.key}.show_if must be (key, condition), got {show_if!r}")
        key, condition = show_if
        if key == self.key:
            raise DefinitionError(f"{self.key}.show_if refers to the question itself")
        if condition not in CONDITIONS and not (condition.startswith("is:") and len(condition) > 3):
            raise DefinitionError(f"{self.key}.show_if has an unknown condition {condition!r}")
        return (key, condition)

    # -- answers --------------------------------------------------------------------------

    def parse(self, raw: RawAnswer, context: ValidationContext | None = None) -> Answer:
        """The clean answer for the non-blank form value ``raw``, or raise ``AnswerError``.

        ``context`` supplies what the questionnaire does not know (see
        :class:`ValidationContext`); only staff questions use it. A blank ``raw`` raises
        ``AnswerError`` with code ``required``: the caller decides whether blank is allowed.
        """
        raise NotImplementedError

    def supports_condition(self, condition: str) -> bool:
        """Whether a ``show_if`` on this question may use ``condition``."""
        return condition == "answered"

    def condition_met(self, condition: str, answer: Answer) -> bool:
        """Whether ``answer`` (a clean answer to this question) meets ``condition``."""
        return condition == "answered"

    # -- serialisation --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: ``{"type": type_name, <every field>: value}``."""
        data: dict[str, Any] = {"type": self.type_name}
        for f in fields(self):
            data[f.name] = _jsonable(getattr(self, f.name))
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, Option):
        return {"code": value.code, "zh": value.zh, "en": value.en}
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    return value


def question_types() -> dict[str, type[Question]]:
    """The registered question classes by their ``type_name`` (a copy)."""
    return dict(_QUESTION_TYPES)


def question_from_dict(data: Mapping[str, Any]) -> Question:
    """Rebuild a question from its ``to_dict()`` data; ``DefinitionError`` if malformed.

    Unknown types and unknown fields are refused rather than dropped, so a typo in stored
    data cannot silently change a questionnaire.
    """
    if not isinstance(data, Mapping):
        raise DefinitionError(f"a question is a JSON object, got {type(data).__name__}")
    type_name = data.get("type")
    cls = _QUESTION_TYPES.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        raise DefinitionError(f"unknown question type {type_name!r}")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names - {"type"})
    if unknown:
        raise DefinitionError(f"unknown field(s) for a {type_name} question: {unknown}")
    missing = sorted(f.name for f in fields(cls) if f.name not in data and _has_no_default(f))
    if missing:
        raise DefinitionError(f"missing field(s) for a {type_name} question: {missing}")
    return cls(**{name: value for name, value in data.items() if name != "type"})


def _has_no_default(f: Field[Any]) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


# ---------------------------------------------------------------------------------------------
# Ratings


@dataclass(frozen=True, kw_only=True)
class LevelQuestion(Question):
    """A rating on the five-level scale; the clean answer is a :class:`~surveys.scale.Level`.

    Every one of the five levels is accepted, the bad ones included: the form value is
    exactly ``"1"``, ``"2"``, ``"3"``, ``"4"`` or ``"5"``.
    """

    def parse(self, raw: RawAnswer, context: ValidationContext | None = None) -> Level:
        value = _single(raw)
        level = _LEVEL_VALUES.get(value)
        if level is None:
            raise AnswerError(
                ErrorCode.NOT_A_LEVEL,
                "Please choose one of the five satisfaction levels.",
                "请在五个满意度等级中选择一项。",
            )
        return level

    def supports_condition(self, condition: str) -> bool:
        if condition.startswith("is:"):
            return condition[3:] in _LEVEL_VALUES
        return condition in CONDITIONS

    def condition_met(self, condition: str, answer: Answer) -> bool:
        assert isinstance(answer, Level)
        if condition == "bad":
            return is_bad(answer)
        if condition == "good":
            return is_good(answer)
        if condition.startswith("is:"):
            return condition[3:] == str(int(answer))
        return condition == "answered"


@dataclass(frozen=True, kw_only=True)
class SatisfactionQuestion(LevelQuestion):
    """The overall satisfaction with the service (总体评价); one per questionnaire."""

    type_name: ClassVar[str] = "satisfaction"


@dataclass(frozen=True, kw_only=True)
class DimensionQuestion(LevelQuestion):
    """A rating of one aspect of the service (e.g. 办事效率) on the same five-level scale."""

    type_name: ClassVar[str] = "dimension"


# ---------------------------------------------------------------------------------------------
# Choices


def _option(value: object, name: str) -> Option:
    if isinstance(value, Mapping):
        if set(value) != {"code", "zh", "en"}:
            raise DefinitionError(f"{name} must have exactly code, zh and en, got {value!r}")
        value = (value["code"], value["zh"], value["en"])
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise DefinitionError(f"{name} must be (code, zh, en), got {value!r}")
    code, zh, en = value
    if not isinstance(code, str) or not code or code != code.strip():
        raise DefinitionError(f"{name} code must be a non-empty string without outer spaces")
    return Option(code, _text(zh, f"{name}.zh"), _text(en, f"{name}.en"))


@dataclass(frozen=True, kw_only=True)
class ChoiceQuestion(Question):
    """A question answered by choosing among ``options``, each ``(code, zh, en)``.

    Options may be given as ``Option``, ``(code, zh, en)`` tuples or lists, or
    ``{"code", "zh", "en"}`` dicts; they are stored as a tuple of :class:`Option`. Codes are
    unique and are what the form submits and the answers hold.
    """

    options: tuple[Option, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.options, list | tuple) or not self.options:
            raise DefinitionError(f"{self.key}.options must be a non-empty list")
        options = tuple(
            _option(item, f"{self.key}.options[{i}]") for i, item in enumerate(self.options)
        )
        codes = [option.code for option in options]
        if len(set(codes)) != len(codes):
            raise DefinitionError(f"{self.key}.options has duplicate codes")
        object.__setattr__(self, "options", options)

    @property
    def codes(self) -> tuple[str, ...]:
        """The option codes, in display order."""
        return tuple(option.code for option in self.options)

    def _check_code(self, code: str) -> str:
        if code not in self.codes:
            raise AnswerError(
                ErrorCode.UNKNOWN_OPTION,
                "Please choose one of the listed options.",
                "请从列出的选项中选择。",
            )
        return code

    def supports_condition(self, condition: str) -> bool:
        if condition.startswith("is:"):
            return condition[3:] in self.codes
        return condition == "answered"


@dataclass(frozen=True, kw_only=True)
class SingleChoiceQuestion(ChoiceQuestion):
    """Choose exactly one option; the clean answer is its code (``str``)."""

    type_name: ClassVar[str] = "single_choice"

    def parse(self, raw: RawAnswer, context: ValidationContext | None = None) -> str:
        return self._check_code(_single(raw))

    def condition_met(self, condition: str, answer: Answer) -> bool:
        if condition.startswith("is:"):
            return answer == condition[3:]
        return condition == "answered"


@dataclass(frozen=True, kw_only=True)
class MultipleChoiceQuestion(ChoiceQuestion):
    """Choose between ``min_selections`` and ``max_selections`` options (checkboxes).

    ``max_selections`` ``None`` means no limit but the number of options. The clean answer
    is a tuple of the chosen codes in option order, without duplicates.
    """

    type_name: ClassVar[str] = "multiple_choice"

    min_selections: int = 1
    max_selections: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _int(self.min_selections, f"{self.key}.min_selections", 1)
        if self.min_selections > len(self.options):
            raise DefinitionError(f"{self.key}.min_selections exceeds the number of options")
        if self.max_selections is not None:
            _int(self.max_selections, f"{self.key}.max_selections", self.min_selections)

    def parse(self, raw: RawAnswer, context: ValidationContext | None = None) -> tuple[str, ...]:
        chosen = {self._check_code(code) for code in _values(raw)}
        if not chosen:
            raise AnswerError.required()
        if len(chosen) < self.min_selections:
            n = self.min_selections
            raise AnswerError(
                ErrorCode.TOO_FEW, f"Please choose at least {n} options.", f"请至少选择{n}项。"
            )
        if self.max_selections is not None and len(chosen) > self.max_selections:
            n = self.max_selections
            raise AnswerError(
                ErrorCode.TOO_MANY, f"Please choose at most {n} options.", f"最多只能选择{n}项。"
            )
        return tuple(code for code in self.codes if code in chosen)

    def condition_met(self, condition: str, answer: Answer) -> bool:
        if condition.startswith("is:"):
            return isinstance(answer, tuple) and condition[3:] in answer
        return condition == "answered"


# ---------------------------------------------------------------------------------------------
# Free text and staff

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, kw_only=True)
class TextQuestion(Question):
    """Free text of at most ``max_length`` characters (default 500).

    The clean answer has outer white space stripped, line ends made ``"\\n"`` (browsers
    submit ``"\\r\\n"`` but count one character per line end against ``maxlength``) and other
    control characters removed (PostgreSQL refuses NUL). ``max_length`` is checked after that.
    """

    type_name: ClassVar[str] = "text"

    max_length: int = 500

    def __post_init__(self) -> None:
        super().__post_init__()
        _int(self.max_length, f"{self.key}.max_length", 1)

    def parse(self, raw: RawAnswer, context: ValidationContext | None = None) -> str:
        items = raw if isinstance(raw, list | tuple) else [raw]
        texts = [_text_of(item) for item in items if not is_blank(item)]
        if not texts:
            raise AnswerError.required()
        if len(texts) > 1:
            raise _one_only()
        text = texts[0].replace("\r\n", "\n").replace("\r", "\n")
        text = _CONTROL_CHARS.sub("", text).strip()
        if not text:
            raise AnswerError.required()
        if len(text) > self.max_length:
            n = self.max_length
            raise AnswerError(
                ErrorCode.TOO_LONG,
                f"Please use at most {n} characters.",
                f"请不要超过{n}个字。",
            )
        return text


@dataclass(frozen=True, kw_only=True)
class StaffQuestion(Question):
    """Which staff member served the citizen; valid ids come from the :class:`ValidationContext`.

    Staff lists change, so the questionnaire does not hold them: the clean answer is the
    matching id from ``context.staff_ids`` (``int`` or ``str`` as given there).
    """

    type_name: ClassVar[str] = "staff"

    def parse(self, raw: RawAnswer, context: ValidationContext | None = None) -> int | str:
        value = _single(raw)
        staff_id = (context or ValidationContext()).find_staff(value)
        if staff_id is None:
            raise AnswerError(
                ErrorCode.UNKNOWN_STAFF,
                "Please choose a staff member from the list.",
                "请从列表中选择工作人员。",
            )
        return staff_id
