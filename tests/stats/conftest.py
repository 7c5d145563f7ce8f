"""Fixtures for the statistics tests: evaluations stored through the real service."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from feedback import clock
from feedback.clock import local_date
from feedback.evaluations.models import Channel, Evaluation
from feedback.evaluations.services import Contact, Submission, submit_evaluation
from feedback.extensions import db
from feedback.questionnaires.queries import current_version_ref


@pytest.fixture
def rate(app):
    """``rate(window, level, at=..., staff=..., flagged=False, **dimensions)`` → Evaluation.

    Stored by ``submit_evaluation`` (so the rollups follow as in production) at ``at``
    (default: now); ``flagged=True`` submits from a staff session, which is flagged.
    """
    browsers = itertools.count(1)

    def _rate(window, level: int, *, at: datetime | None = None, staff=None,
              flagged: bool = False, channel: Channel = Channel.QR, **dimensions) -> Evaluation:
        moment = at or clock.now()
        answers = {"overall": str(level), **{k: str(v) for k, v in dimensions.items()}}
        if staff is not None:
            answers["staff"] = str(staff.id)
        with clock.frozen_at(moment):
            version = current_version_ref(window.id, window.category_id, local_date(moment))
            stored = submit_evaluation(
                window, version, answers, Contact(),
                Submission(channel=channel, client_id=f"browser-{next(browsers)}",
                           staff_session=flagged),
            )
        db.session.commit()
        return db.session.get(Evaluation, stored.id)

    return _rate


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
