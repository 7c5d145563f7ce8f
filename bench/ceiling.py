"""The rating form with a write path that costs nothing: the ceiling any write path can reach.

Served by ``python -m bench.rating --without-write`` (``gunicorn bench.ceiling:app``). The form
request still does what surrounds storing (session, CSRF check, the window and questionnaire
read, the thank-you page); ``submit_evaluation`` is replaced by handing back a number, so the
read of earlier submissions, the answers' validation, the inserts and the commit's work are
all left out. Measurement only: nothing is stored, so nothing here may be served to anyone.
"""

from __future__ import annotations

import itertools

from feedback import create_app
from feedback.evaluations import public
from feedback.evaluations.models import FlagStatus
from feedback.evaluations.services import Stored

_ids = itertools.count(1)


def _store_nothing(window, version, form, contact, submission) -> Stored:
    return Stored(next(_ids), int(form["overall"]), None, False, FlagStatus.COUNTED, None)


public.submit_evaluation = _store_nothing
app = create_app()
