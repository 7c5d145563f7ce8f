"""Opening a case, and the second factor that lets a citizen look it up.

``open_case_for_evaluation`` runs inside the rating form's hot path: one Core INSERT, with the
answer deadline counted from the process's copy of the calendar and the deadline policies
(``feedback.workdays.queries.deadline_at_path``), so no query. The message to the window's
managers follows within seconds from the periodic worker
(``feedback.cases.workflow.services.announce_new_cases``, every 15 seconds): the case row,
not yet announced, is its outbox.

The second factor is the last four digits of the phone number the citizen left, or else a
six-digit code shown once at submission. Only a keyed hash of "<tracking no>:<factor>" is
stored. A form's code is derived from its one-time nonce, so a double tap, which shows the
second response, shows the same code as the first.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert

from feedback import crypto, database
from feedback.cases.models import Case, CaseKind, CaseSource, CaseState
from feedback.workdays.calendar import Deadline, DeadlineKind
from feedback.workdays.queries import deadline_at_path
from surveys import REASONS_KEY, is_bad

CODE_DIGITS = 6
_NON_DIGITS = re.compile(r"\D")
_INSERT = insert(Case.__table__)


def access_hash(tracking_no: str, factor: str) -> str:
    return crypto.keyed_hash("case-access", f"{tracking_no.upper()}:{factor}", 64)


def factor_matches(case_hash: str, tracking_no: str, factor: str) -> bool:
    return hmac.compare_digest(case_hash, access_hash(tracking_no, factor))


def phone_factor(phone: str) -> str:
    """The last four digits of a phone number."""
    return _NON_DIGITS.sub("", phone)[-4:]


def new_access_code(nonce: str | None = None) -> str:
    """Six digits: derived from a form's nonce (stable across a double tap), else random."""
    if nonce:
        value = int(crypto.keyed_hash("case-code", nonce, 16), 16)
    else:
        value = secrets.randbelow(10**CODE_DIGITS)
    return f"{value % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def second_factor(phone: str | None, nonce: str | None) -> tuple[str, str | None]:
    """``(factor, code to show)``: the phone's last four digits (nothing to show), or a code."""
    if phone:
        return phone_factor(phone), None
    code = new_access_code(nonce)
    return code, code


def normalise_tracking_no(text: str) -> str:
    """``20261126-7kq4mz``, ``20261126 7KQ4MZ`` and ``202611267KQ4MZ`` all name one case."""
    compact = re.sub(r"[\s\-－—_]", "", text or "").upper()
    return f"{compact[:8]}-{compact[8:]}" if len(compact) == 14 else compact


@dataclass(frozen=True)
class OpenedCase:
    access_code: str | None  # the code to show the citizen; None: their phone's digits
    deadline: Deadline  # by when the citizen gets an answer


def open_case_for_evaluation(evaluation_id: int, row: Mapping[str, Any], phone: str | None,
                             nonce: str | None, unit_path: str) -> OpenedCase:
    """Open the case of a stored evaluation that has a tracking number (a bad review, or a
    comment asking for a reply), with its answer deadline, in the caller's transaction: one
    INSERT.

    ``row`` is what was inserted into ``evaluations``; ``unit_path`` the materialised path of
    the window's org unit, whose deadline policy applies.
    """
    tracking_no = row["tracking_no"]
    factor, code = second_factor(phone, nonce)
    answers = row["answers"]
    deadline = deadline_at_path(unit_path, DeadlineKind.CASE_ANSWER, row["created_at"])
    database.execute(_INSERT, {
        "tracking_no": tracking_no,
        "access_hash": access_hash(tracking_no, factor),
        "kind": CaseKind.BAD_REVIEW if is_bad(row["level"]) else CaseKind.SUGGESTION,
        "source": CaseSource.EVALUATION,
        "state": CaseState.NEW,
        "evaluation_id": evaluation_id,
        "window_id": row["window_id"],
        "content": row["comment"],
        "reasons": list(answers.get(REASONS_KEY) or []),
        "phone_cipher": row["phone_cipher"],
        "phone_masked": row["phone_masked"],
        "created_at": row["created_at"],
        "due_at": deadline.due_at,
        "deadline_start": row["created_at"],
        "deadline_days": deadline.working_days,
        "deadline_estimated": deadline.estimated,
        "deadline_uncovered": " ".join(str(year) for year in deadline.uncovered_years),
    })
    return OpenedCase(code, deadline)


def code_for_repeat(evaluation: Any, nonce: str | None) -> str | None:
    """The code shown for a form submitted twice (the same nonce gives the same code)."""
    if evaluation.tracking_no is None or evaluation.phone_cipher is not None or not nonce:
        return None
    return new_access_code(nonce)
