"""Reference data every installation has: the plan's service trades, the default questionnaire.

The migrations insert it; ``manyi seed`` (and the test suite, after emptying the tables) puts
back what is missing. Idempotent.
"""

from __future__ import annotations


def seed_reference_data() -> dict[str, int]:
    from feedback.orgs.services import seed_categories
    from feedback.questionnaires.services import ensure_default_survey

    added = seed_categories()
    ensure_default_survey()
    return {"service_categories": added}
