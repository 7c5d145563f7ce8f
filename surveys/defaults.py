"""The default questionnaire for in-person service windows, after national 好差评 practice."""

from __future__ import annotations

from typing import NamedTuple

from .definition import OVERALL_KEY, SurveyDefinition
from .questions import (
    DimensionQuestion,
    MultipleChoiceQuestion,
    Option,
    SatisfactionQuestion,
    StaffQuestion,
    TextQuestion,
)
from .scale import BAD_REASONS


class Dimension(NamedTuple):
    """One aspect of the service rated on the five-level scale: question key and labels."""

    key: str
    zh: str
    en: str


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("speed", "办事效率", "Speed"),
    Dimension("competence", "业务水平", "Competence"),
    Dimension("attitude", "服务态度", "Attitude"),
    Dimension("integrity", "廉洁公开", "Integrity and openness"),
)
"""The rated dimensions of the default questionnaire, in order."""

STAFF_KEY = "staff"
"""Key of the default questionnaire's "who served you" question."""

REASONS_KEY = "reasons"
"""Key of the default questionnaire's "what went wrong" question (bad reviews only)."""

COMMENT_KEY = "comment"
"""Key of the default questionnaire's free-text comment."""


def default_survey() -> SurveyDefinition:
    """The default questionnaire, in this order:

    1. ``overall`` – overall satisfaction, required;
    2. ``speed``, ``competence``, ``attitude``, ``integrity`` – optional dimension ratings;
    3. ``staff`` – optional, which staff member served the citizen;
    4. ``reasons`` – optional multiple choice of :data:`~surveys.scale.BAD_REASONS`, shown
       only when ``overall`` is a bad review (1 or 2);
    5. ``comment`` – optional text, at most 500 characters.

    Each call builds an equal, immutable definition (same fingerprint).
    """
    dimensions = tuple(
        DimensionQuestion(
            key=dimension.key,
            label_zh=dimension.zh,
            label_en=dimension.en,
        )
        for dimension in DIMENSIONS
    )
    return SurveyDefinition(
        title_zh="政务服务评价",
        title_en="Rate our service",
        questions=(
            SatisfactionQuestion(
                key=OVERALL_KEY,
                label_zh="您对本次服务的总体评价",
                label_en="How satisfied are you with the service today?",
                required=True,
            ),
            *dimensions,
            StaffQuestion(
                key=STAFF_KEY,
                label_zh="为您办理业务的工作人员",
                label_en="Which staff member served you?",
            ),
            MultipleChoiceQuestion(
                key=REASONS_KEY,
                label_zh="您不满意的原因",
                label_en="What went wrong?",
                help_zh="可多选",
                help_en="Choose all that apply.",
                show_if=(OVERALL_KEY, "bad"),
                options=tuple(Option(*reason) for reason in BAD_REASONS),
            ),
            TextQuestion(
                key=COMMENT_KEY,
                label_zh="意见和建议",
                label_en="Comments and suggestions",
                max_length=500,
            ),
        ),
    )
