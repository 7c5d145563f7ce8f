"""Fixtures for the questionnaire tests: an administrator's browser, questionnaires."""

from __future__ import annotations

import pytest
from flask_babel import refresh

from feedback.accounts.models import Role
from feedback.extensions import db
from feedback.questionnaires.models import Survey, SurveyKind
from tests.questionnaires.helpers import relabelled


@pytest.fixture
def admin(client, auth, make_user, app):
    """The test client signed in as an administrator, speaking English."""
    client.set_cookie("manyi_lang", "en", domain=app.config["SERVER_NAME"])
    refresh()
    user = make_user(Role.ADMIN, username="admin1")
    response = auth.login("admin1")
    assert response.status_code == 302
    return user


@pytest.fixture
def make_survey(app):
    """A questionnaire made through the services, optionally assigned and with its own text."""
    from feedback.questionnaires.services import (
        assign_survey,
        create_survey,
        publish_version,
        set_survey_active,
    )

    counter = iter(range(1, 1_000_000))

    def _make(name: str | None = None, kind: SurveyKind = SurveyKind.STANDARD, *,
              label: str | None = None, category=None, window=None, starts_on=None,
              ends_on=None, active: bool = True) -> Survey:
        survey = create_survey(None, name=name or f"问卷{next(counter)}", kind=kind)
        if label is not None:
            publish_version(None, survey, relabelled(label))
        if category is not None or window is not None:
            assign_survey(None, survey, category=category, window=window,
                          starts_on=starts_on, ends_on=ends_on)
        if not active:
            set_survey_active(None, survey, False)
        db.session.commit()
        return survey

    return _make
