"""The life of a notice: its states, and which move is legal from which state.

``Notice``'s transition methods (``issue``, ``acknowledge`` …) ask ``check_move`` first, so an
illegal move raises ``IllegalMove`` before anything changes. Overdue, escalation and
publication are marks on the notice, not states: an overdue notice can still be reported, and
the mark stays in its history after it is closed.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from feedback.errors import ServiceError


class NoticeState(enum.StrEnum):
    DRAFT = "draft"  # written by a supervisor (or drafted by an alert or the sweep), not sent
    ISSUED = "issued"  # sent to the window or unit, the deadline runs
    ACKNOWLEDGED = "acknowledged"  # the window's manager has read it
    REPORTED = "reported"  # measures reported, waiting for the supervisor's verification
    RETURNED = "returned"  # the report was not enough: another report is due
    CLOSED = "closed"  # verified by the supervisor
    CANCELLED = "cancelled"  # a draft that was never sent


class NoticeKind(enum.StrEnum):
    RECTIFICATION = "rectification"  # 整改通知
    TALK = "talk"  # 约谈通知: a formal talk after repeated trouble


class NoticeSource(enum.StrEnum):
    SCRATCH = "scratch"  # written by hand
    ALERT = "alert"  # from a statistical alert
    CASES = "cases"  # from cases triaged 限期整改
    INSPECTION = "inspection"  # from an inspection finding
    RANKING = "ranking"  # last in its group N months running (the sweep)
    FOLLOW_UP = "follow_up"  # a closed notice's window fell back


class EventKind(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    ISSUED = "issued"
    ACKNOWLEDGED = "acknowledged"
    REPORTED = "reported"
    RETURNED = "returned"
    VERIFIED = "verified"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


# Notices whose deadline runs: the window or unit must act.
RUNNING = frozenset({NoticeState.ISSUED, NoticeState.ACKNOWLEDGED, NoticeState.RETURNED})
# Notices that have been sent and not yet closed.
OPEN = RUNNING | {NoticeState.REPORTED}

# move: (states it may start from, state it leads to)
MOVES: dict[str, tuple[frozenset[NoticeState], NoticeState]] = {
    "edit": (frozenset({NoticeState.DRAFT}), NoticeState.DRAFT),
    "issue": (frozenset({NoticeState.DRAFT}), NoticeState.ISSUED),
    "cancel": (frozenset({NoticeState.DRAFT}), NoticeState.CANCELLED),
    "acknowledge": (frozenset({NoticeState.ISSUED}), NoticeState.ACKNOWLEDGED),
    "report": (frozenset({NoticeState.ACKNOWLEDGED, NoticeState.RETURNED}), NoticeState.REPORTED),
    "return": (frozenset({NoticeState.REPORTED}), NoticeState.RETURNED),
    "verify": (frozenset({NoticeState.REPORTED}), NoticeState.CLOSED),
}


class IllegalMove(ServiceError):
    """A transition that the notice's state does not allow; nothing was changed."""

    def __init__(self, move: str, state: NoticeState) -> None:
        super().__init__(
            str(_l("A notice that is %(state)s does not allow %(move)s.",
                   state=STATE_LABELS[state], move=MOVE_LABELS.get(move, move))),
            "state",
        )
        self.move = move
        self.state = state


def check_move(state: NoticeState, move: str) -> NoticeState:
    """The state ``move`` leads to from ``state``; ``IllegalMove`` when it is not allowed."""
    sources, target = MOVES[move]
    if state not in sources:
        raise IllegalMove(move, state)
    return target


def allowed_moves(state: NoticeState) -> set[str]:
    return {move for move, (sources, _target) in MOVES.items() if state in sources}


STATE_LABELS = {
    NoticeState.DRAFT: _l("draft"),
    NoticeState.ISSUED: _l("issued"),
    NoticeState.ACKNOWLEDGED: _l("acknowledged"),
    NoticeState.REPORTED: _l("reported"),
    NoticeState.RETURNED: _l("returned for another report"),
    NoticeState.CLOSED: _l("verified and closed"),
    NoticeState.CANCELLED: _l("cancelled"),
}

MOVE_LABELS = {
    "edit": _l("editing"),
    "issue": _l("sending"),
    "cancel": _l("dropping"),
    "acknowledge": _l("acknowledging"),
    "report": _l("reporting"),
    "return": _l("returning the report"),
    "verify": _l("verification"),
    "overdue": _l("marking it overdue"),
    "escalate": _l("escalating it"),
    "publish": _l("publishing it"),
}

KIND_LABELS = {
    NoticeKind.RECTIFICATION: _l("Rectification notice"),
    NoticeKind.TALK: _l("Notice of a formal talk"),
}

SOURCE_LABELS = {
    NoticeSource.SCRATCH: _l("written by hand"),
    NoticeSource.ALERT: _l("from an alert"),
    NoticeSource.CASES: _l("from cases"),
    NoticeSource.INSPECTION: _l("from an inspection finding"),
    NoticeSource.RANKING: _l("last in its group several months running"),
    NoticeSource.FOLLOW_UP: _l("follow-up of a closed notice"),
}

EVENT_LABELS = {
    EventKind.CREATED: _l("Draft written"),
    EventKind.EDITED: _l("Draft edited"),
    EventKind.ISSUED: _l("Notice sent"),
    EventKind.ACKNOWLEDGED: _l("Notice acknowledged"),
    EventKind.REPORTED: _l("Measures reported"),
    EventKind.RETURNED: _l("Returned for another report"),
    EventKind.VERIFIED: _l("Verified and closed"),
    EventKind.OVERDUE: _l("Deadline passed: overdue"),
    EventKind.ESCALATED: _l("Escalated upward"),
    EventKind.PUBLISHED: _l("Published as a public notice"),
    EventKind.CANCELLED: _l("Draft cancelled"),
}
