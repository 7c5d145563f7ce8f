"""Each question type on its own: parse, errors, to_dict and the registry."""

from __future__ import annotations

import dataclasses

import pytest

from surveys import (
    AnswerError,
    DefinitionError,
    DimensionQuestion,
    ErrorCode,
    Level,
    MultipleChoiceQuestion,
    Option,
    SatisfactionQuestion,
    SingleChoiceQuestion,
    StaffQuestion,
    TextQuestion,
    ValidationContext,
    question_from_dict,
    question_types,
)

OPTIONS = (("a", "甲", "A"), ("b", "乙", "B"), ("c", "丙", "C"), ("d", "丁", "D"))


def code_of(excinfo: pytest.ExceptionInfo[AnswerError]) -> str:
    return excinfo.value.code


# -- ratings -----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [SatisfactionQuestion, DimensionQuestion])
@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_every_level_is_accepted(cls: type[SatisfactionQuestion], value: int) -> None:
    question = cls(key="q", label_zh="问", label_en="Q")
    answer = question.parse(str(value))
    assert answer == value
    assert isinstance(answer, Level)
    assert question.parse([f" {value} "]) is Level(value)


@pytest.mark.parametrize("raw", ["0", "6", "10", "-1", "4.5", "five", "非常满意", "٣", "５", "3a"])
def test_values_outside_the_scale_are_refused(raw: str) -> None:
    question = SatisfactionQuestion(key="overall", label_zh="总体", label_en="Overall")
    with pytest.raises(AnswerError) as excinfo:
        question.parse(raw)
    assert code_of(excinfo) == ErrorCode.NOT_A_LEVEL == "not_a_level"
    assert excinfo.value.message_zh and excinfo.value.message_en


def test_a_rating_takes_one_value_only() -> None:
    question = DimensionQuestion(key="speed", label_zh="办事效率", label_en="Speed")
    with pytest.raises(AnswerError) as excinfo:
        question.parse(["5", "1"])
    assert code_of(excinfo) == "invalid"
    assert question.parse(["4", "4"]) == 4  # the same value twice is still one answer


def test_blank_is_reported_as_required_by_parse() -> None:
    question = SatisfactionQuestion(key="overall", label_zh="总体", label_en="Overall")
    for raw in ("", "  ", [], [""]):
        with pytest.raises(AnswerError) as excinfo:
            question.parse(raw)
        assert code_of(excinfo) == "required"


# -- choices -----------------------------------------------------------------------------


def test_single_choice() -> None:
    question = SingleChoiceQuestion(key="way", label_zh="方式", label_en="Way", options=OPTIONS)
    assert question.parse("b") == "b"
    assert question.parse([" c "]) == "c"
    with pytest.raises(AnswerError) as excinfo:
        question.parse("z")
    assert code_of(excinfo) == "unknown_option"
    with pytest.raises(AnswerError) as excinfo:
        question.parse(["a", "b"])
    assert code_of(excinfo) == "invalid"


def test_options_are_normalised_to_option_tuples() -> None:
    question = SingleChoiceQuestion(
        key="way",
        label_zh="方式",
        label_en="Way",
        options=[["a", "甲", "A"], {"code": "b", "zh": "乙", "en": "B"}],
    )
    assert question.options == (Option("a", "甲", "A"), Option("b", "乙", "B"))
    assert isinstance(question.options, tuple)
    assert question.codes == ("a", "b")


def test_multiple_choice_in_option_order_without_duplicates() -> None:
    question = MultipleChoiceQuestion(key="m", label_zh="多选", label_en="Many", options=OPTIONS)
    assert question.parse(["c", "a", "c", ""]) == ("a", "c")
    assert question.parse("d") == ("d",)  # one checkbox may arrive as a plain string


def test_multiple_choice_limits() -> None:
    question = MultipleChoiceQuestion(
        key="m",
        label_zh="多选",
        label_en="Many",
        options=OPTIONS,
        min_selections=2,
        max_selections=3,
    )
    assert question.parse(["a", "b"]) == ("a", "b")
    assert question.parse(["a", "b", "d"]) == ("a", "b", "d")
    with pytest.raises(AnswerError) as excinfo:
        question.parse(["a", "b", "c", "d"])
    assert code_of(excinfo) == "too_many"
    assert "3" in excinfo.value.message_en and "3" in excinfo.value.message_zh
    with pytest.raises(AnswerError) as excinfo:
        question.parse(["a"])
    assert code_of(excinfo) == "too_few"
    with pytest.raises(AnswerError) as excinfo:
        question.parse(["a", "x"])
    assert code_of(excinfo) == "unknown_option"


def test_multiple_choice_without_maximum_accepts_all_options() -> None:
    question = MultipleChoiceQuestion(key="m", label_zh="多选", label_en="Many", options=OPTIONS)
    assert question.parse(["d", "c", "b", "a"]) == ("a", "b", "c", "d")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"options": ()},
        {"options": (("a", "甲", "A"), ("a", "乙", "B"))},
        {"options": (("", "甲", "A"),)},
        {"options": ((" a", "甲", "A"),)},
        {"options": (("a", "", "A"),)},
        {"options": (("a", "甲"),)},
        {"options": OPTIONS, "min_selections": 0},
        {"options": OPTIONS, "min_selections": 5},
        {"options": OPTIONS, "min_selections": 3, "max_selections": 2},
        {"options": OPTIONS, "max_selections": True},
    ],
)
def test_malformed_choice_questions_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(DefinitionError):
        MultipleChoiceQuestion(key="m", label_zh="多选", label_en="Many", **kwargs)  # type: ignore[arg-type]


# -- text --------------------------------------------------------------------------------


def test_text_default_max_length_is_500() -> None:
    question = TextQuestion(key="comment", label_zh="意见", label_en="Comment")
    assert question.max_length == 500
    assert question.parse("好" * 500) == "好" * 500
    with pytest.raises(AnswerError) as excinfo:
        question.parse("好" * 501)
    assert code_of(excinfo) == "too_long"
    assert "500" in excinfo.value.message_zh


def test_text_is_cleaned_before_measuring() -> None:
    question = TextQuestion(key="comment", label_zh="意见", label_en="Comment", max_length=5)
    # A browser sends CRLF but counts one character per line end against maxlength.
    assert question.parse("  ab\r\ncd  ") == "ab\ncd"
    assert question.parse("ab\rcd") == "ab\ncd"
    assert question.parse("a\x00b\tc") == "ab\tc"
    with pytest.raises(AnswerError) as excinfo:
        question.parse("abcdef")
    assert code_of(excinfo) == "too_long"


def test_text_max_length_must_be_positive() -> None:
    with pytest.raises(DefinitionError):
        TextQuestion(key="comment", label_zh="意见", label_en="Comment", max_length=0)


# -- staff -------------------------------------------------------------------------------


def test_staff_answer_must_be_in_the_context() -> None:
    question = StaffQuestion(key="staff", label_zh="工作人员", label_en="Staff")
    context = ValidationContext(staff_ids=[12, 15, "s-7"])
    assert question.parse("15", context) == 15
    assert question.parse("s-7", context) == "s-7"
    for raw, ctx in (("16", context), ("15", ValidationContext()), ("15", None)):
        with pytest.raises(AnswerError) as excinfo:
            question.parse(raw, ctx)
        assert code_of(excinfo) == "unknown_staff"


def test_context_refuses_odd_staff_ids() -> None:
    with pytest.raises(TypeError):
        ValidationContext(staff_ids=[True])
    with pytest.raises(TypeError):
        ValidationContext(staff_ids="101")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ValidationContext(staff_ids=[1.5])  # type: ignore[list-item]


# -- base fields, serialisation, registry ------------------------------------------------


@pytest.mark.parametrize("key", ["", "Overall", "a b", "1st", "é", "a" * 65, "a-b"])
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(DefinitionError):
        TextQuestion(key=key, label_zh="意见", label_en="Comment")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"label_zh": ""},
        {"label_en": "   "},
        {"required": "yes"},
        {"help_zh": None},
        {"show_if": ("overall",)},
        {"show_if": ("overall", "terrible")},
        {"show_if": ("overall", "is:")},
        {"show_if": ("comment", "answered")},
    ],
)
def test_bad_base_fields_are_refused(kwargs: dict[str, object]) -> None:
    fields: dict[str, object] = {"key": "comment", "label_zh": "意见", "label_en": "Comment"}
    with pytest.raises(DefinitionError):
        TextQuestion(**(fields | kwargs))  # type: ignore[arg-type]


def test_questions_are_frozen() -> None:
    question = TextQuestion(key="comment", label_zh="意见", label_en="Comment")
    with pytest.raises(dataclasses.FrozenInstanceError):
        question.max_length = 10  # type: ignore[misc]


ALL_KINDS = [
    SatisfactionQuestion(key="overall", label_zh="总体", label_en="Overall", required=True),
    DimensionQuestion(
        key="speed",
        label_zh="办事效率",
        label_en="Speed",
        help_zh="快吗",
        help_en="Fast?",
        show_if=("overall", "is:3"),
    ),
    SingleChoiceQuestion(key="way", label_zh="方式", label_en="Way", options=OPTIONS),
    MultipleChoiceQuestion(
        key="m",
        label_zh="多选",
        label_en="Many",
        options=OPTIONS,
        min_selections=2,
        max_selections=3,
        show_if=("overall", "bad"),
    ),
    TextQuestion(key="comment", label_zh="意见", label_en="Comment", max_length=80),
    StaffQuestion(key="staff", label_zh="工作人员", label_en="Staff", required=True),
]


@pytest.mark.parametrize("question", ALL_KINDS, ids=lambda q: q.type_name)
def test_every_type_round_trips_through_its_dict(question: object) -> None:
    data = question.to_dict()  # type: ignore[attr-defined]
    rebuilt = question_from_dict(data)
    assert rebuilt == question
    assert type(rebuilt) is type(question)
    assert rebuilt.to_dict() == data


def test_registry_holds_all_six_types() -> None:
    assert question_types() == {
        "satisfaction": SatisfactionQuestion,
        "dimension": DimensionQuestion,
        "single_choice": SingleChoiceQuestion,
        "multiple_choice": MultipleChoiceQuestion,
        "text": TextQuestion,
        "staff": StaffQuestion,
    }


def test_to_dict_is_plain_json_data() -> None:
    question = ALL_KINDS[3]
    assert question.to_dict() == {
        "type": "multiple_choice",
        "key": "m",
        "label_zh": "多选",
        "label_en": "Many",
        "required": False,
        "help_zh": "",
        "help_en": "",
        "show_if": ["overall", "bad"],
        "options": [
            {"code": "a", "zh": "甲", "en": "A"},
            {"code": "b", "zh": "乙", "en": "B"},
            {"code": "c", "zh": "丙", "en": "C"},
            {"code": "d", "zh": "丁", "en": "D"},
        ],
        "min_selections": 2,
        "max_selections": 3,
    }


@pytest.mark.parametrize(
    "data",
    [
        {"type": "slider", "key": "x", "label_zh": "x", "label_en": "x"},
        {"key": "x", "label_zh": "x", "label_en": "x"},
        {"type": "text", "key": "x", "label_zh": "x", "label_en": "x", "colour": "red"},
        {"type": "text", "key": "x", "label_zh": "x"},
        {"type": "single_choice", "key": "x", "label_zh": "x", "label_en": "x"},
        {"type": "text", "key": "x", "label_zh": "x", "label_en": "x", "max_length": "500"},
        ["text", "x"],
    ],
)
def test_malformed_question_data_is_refused(data: object) -> None:
    with pytest.raises(DefinitionError):
        question_from_dict(data)  # type: ignore[arg-type]


def test_answer_error_carries_both_languages() -> None:
    error = AnswerError(ErrorCode.TOO_LONG, "Too long.", "太长了。")
    assert isinstance(error, Exception)
    assert error.code == "too_long"
    assert error.message("zh-CN") == "太长了。"
    assert error.message("en") == "Too long."
    assert error.to_dict() == {
        "code": "too_long",
        "message_en": "Too long.",
        "message_zh": "太长了。",
    }
