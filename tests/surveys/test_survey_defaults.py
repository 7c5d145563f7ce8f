"""The default questionnaire follows national practice for in-person service."""

from __future__ import annotations

from surveys import (
    BAD_REASONS,
    DimensionQuestion,
    MultipleChoiceQuestion,
    SatisfactionQuestion,
    StaffQuestion,
    TextQuestion,
    default_survey,
)


def test_order_and_types() -> None:
    survey = default_survey()
    assert [(q.key, type(q)) for q in survey.questions] == [
        ("overall", SatisfactionQuestion),
        ("speed", DimensionQuestion),
        ("competence", DimensionQuestion),
        ("attitude", DimensionQuestion),
        ("integrity", DimensionQuestion),
        ("staff", StaffQuestion),
        ("reasons", MultipleChoiceQuestion),
        ("comment", TextQuestion),
    ]


def test_only_overall_is_required() -> None:
    survey = default_survey()
    assert [q.key for q in survey.questions if q.required] == ["overall"]


def test_dimension_labels() -> None:
    survey = default_survey()
    labels = {q.key: q.label_zh for q in survey.questions if isinstance(q, DimensionQuestion)}
    assert labels == {
        "speed": "办事效率",
        "competence": "业务水平",
        "attitude": "服务态度",
        "integrity": "廉洁公开",
    }


def test_reasons_are_the_six_bad_reasons_shown_on_bad_reviews() -> None:
    reasons = default_survey().question("reasons")
    assert isinstance(reasons, MultipleChoiceQuestion)
    assert reasons.show_if == ("overall", "bad")
    assert [tuple(option) for option in reasons.options] == [
        tuple(reason) for reason in BAD_REASONS
    ]
    assert reasons.max_selections is None


def test_comment_is_at_most_500_characters() -> None:
    comment = default_survey().question("comment")
    assert isinstance(comment, TextQuestion)
    assert comment.max_length == 500


def test_titles() -> None:
    survey = default_survey()
    assert survey.title_zh and survey.title_en
