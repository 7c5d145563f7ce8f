"""Questionnaires of Manyi (满意): question types, immutable versions, validation and scoring.

Pure Python (standard library only); the Flask app stores ``SurveyDefinition.to_dict()`` as
JSON, rebuilds it with ``SurveyDefinition.from_dict()``, validates submitted forms with
``SurveyDefinition.validate()`` and computes statistics with :mod:`surveys.scoring`.
"""

from __future__ import annotations

from .defaults import (
    COMMENT_KEY,
    DIMENSIONS,
    REASONS_KEY,
    STAFF_KEY,
    Dimension,
    default_survey,
)
from .definition import (
    OVERALL_KEY,
    SCHEMA_VERSION,
    SurveyDefinition,
    ValidationResult,
)
from .errors import AnswerError, DefinitionError, ErrorCode
from .questions import (
    Answer,
    ChoiceQuestion,
    DimensionQuestion,
    LevelQuestion,
    MultipleChoiceQuestion,
    Option,
    Question,
    RawAnswer,
    SatisfactionQuestion,
    SingleChoiceQuestion,
    StaffQuestion,
    TextQuestion,
    ValidationContext,
    is_blank,
    question_from_dict,
    question_types,
)
from .scale import (
    BAD_LEVELS,
    BAD_REASONS,
    GOOD_LEVELS,
    LABELS_EN,
    LABELS_ZH,
    BadReason,
    Level,
    is_bad,
    is_good,
    level_to_index,
    to_level,
)
from .scoring import (
    LevelCounts,
    bad_share,
    bayesian_index,
    dimension_means,
    good_share,
    mean_level,
    satisfaction_index,
    wilson_interval,
)

__all__ = [
    "BAD_LEVELS",
    "BAD_REASONS",
    "COMMENT_KEY",
    "DIMENSIONS",
    "GOOD_LEVELS",
    "LABELS_EN",
    "LABELS_ZH",
    "OVERALL_KEY",
    "REASONS_KEY",
    "SCHEMA_VERSION",
    "STAFF_KEY",
    "Answer",
    "AnswerError",
    "BadReason",
    "ChoiceQuestion",
    "DefinitionError",
    "Dimension",
    "DimensionQuestion",
    "ErrorCode",
    "Level",
    "LevelCounts",
    "LevelQuestion",
    "MultipleChoiceQuestion",
    "Option",
    "Question",
    "RawAnswer",
    "SatisfactionQuestion",
    "SingleChoiceQuestion",
    "StaffQuestion",
    "SurveyDefinition",
    "TextQuestion",
    "ValidationContext",
    "ValidationResult",
    "bad_share",
    "bayesian_index",
    "default_survey",
    "dimension_means",
    "good_share",
    "is_bad",
    "is_blank",
    "is_good",
    "level_to_index",
    "mean_level",
    "question_from_dict",
    "question_types",
    "satisfaction_index",
    "to_level",
    "wilson_interval",
]
