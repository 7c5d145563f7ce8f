"""The state machine: every move from every state either works or raises, changing nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from feedback.audit.models import AuditLog
from feedback.cases.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseSource,
    CaseState,
    IllegalTransition,
    Triage,
    Verdict,
)
from feedback.cases.workflow import services
from feedback.errors import ServiceError
from feedback.extensions import db

FINDING = "核实属实"


def open_complaint(world, *, phone: str = "", kind: CaseKind = CaseKind.COMPLAINT) -> Case:
    opened = services.open_case(world.operator, kind=kind, source=CaseSource.HOTLINE,
                                content="来电反映窗口无人", window=world.window_a, phone=phone,
                                consent=bool(phone))
    db.session.commit()
    return opened.case


# How to bring a case from one state to the next, by the manager of its window.
def _assign(w, c):
    services.assign_case(w.manager_a, c, w.manager_a)


def _verify(w, c):
    services.verify_case(w.manager_a, c, founded=True, finding=FINDING, triage=Triage.FIX_NOW)


def _answer(w, c):
    services.answer_case(w.manager_a, c, "已整改")


def _callback(w, c):
    services.record_callback(w.operator, c, Verdict.SATISFIED)


def _close(w, c):
    services.close_case(w.manager_a, c)


WALK: list[tuple[CaseState, Callable]] = [
    (CaseState.NEW, _assign), (CaseState.ASSIGNED, _verify), (CaseState.VERIFIED, _answer),
    (CaseState.ANSWERED, _callback), (CaseState.FOLLOWED_UP, _close),
]
MOVES = {"assign": _assign, "verify": _verify, "answer": _answer, "callback": _callback,
         "close": _close}
# The moves each state allows (a named case: it must be called back before closing).
ALLOWED = {
    CaseState.NEW: {"assign"},
    CaseState.ASSIGNED: {"assign", "verify"},  # handing it over to someone else
    CaseState.VERIFIED: {"assign", "answer"},
    CaseState.ANSWERED: {"callback"},
    CaseState.FOLLOWED_UP: {"close"},
    CaseState.CLOSED: set(),
}


def case_in(world, state: CaseState, **kwargs) -> Case:
    case = open_complaint(world, phone="13812345678", **kwargs)
    for from_state, move in WALK:
        if case.state == state:
            break
        assert case.state == from_state
        move(world, case)
        db.session.commit()
    assert case.state == state
    return case


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(CaseEvent)),
            db.session.scalar(select(func.count()).select_from(AuditLog)))


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("move", list(MOVES))
def test_each_move_works_only_from_its_states(app, world, state, move):
    case = case_in(world, state)
    if move == "assign" and state != CaseState.NEW:
        other = world.supervisor  # handing over needs someone new
        action: Callable = lambda: services.assign_case(world.supervisor, case, other)  # noqa: E731
    else:
        action = lambda: MOVES[move](world, case)  # noqa: E731
    before = counts()
    if move in ALLOWED[state]:
        action()
        db.session.commit()
        assert counts()[0] == before[0] + 1
        return
    with pytest.raises(IllegalTransition):
        action()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == state
    assert counts() == before


def test_a_named_case_cannot_close_before_the_callback_an_anonymous_one_can(app, world):
    named = case_in(world, CaseState.ANSWERED)
    with pytest.raises(IllegalTransition, match=r"回访|callback"):
        services.close_case(world.manager_a, named)
    db.session.rollback()
    anonymous = open_complaint(world)
    for _state, move in WALK[:3]:
        move(world, anonymous)
    services.close_case(world.manager_a, anonymous)
    assert anonymous.state == CaseState.CLOSED


def test_praise_closes_at_once(app, world):
    praise = open_complaint(world, kind=CaseKind.PRAISE)
    services.close_case(world.manager_a, praise, "已转告窗口")
    assert praise.state == CaseState.CLOSED


def test_reopen_only_after_a_dissatisfied_verdict(app, world):
    case = case_in(world, CaseState.FOLLOWED_UP)
    with pytest.raises(IllegalTransition):
        case.reopen(case.followed_up_at)


@pytest.mark.parametrize(("founded", "triage"), [(True, Triage.EXPLAIN),
                                                 (False, Triage.FIX_NOW),
                                                 (False, Triage.FIX_BY_DEADLINE)])
def test_triage_must_fit_the_finding(app, world, founded, triage):
    case = case_in(world, CaseState.ASSIGNED)
    with pytest.raises(ServiceError) as raised:
        services.verify_case(world.manager_a, case, founded=founded, finding=FINDING,
                             triage=triage)
    assert raised.value.field == "triage"
    db.session.rollback()
    assert db.session.get(Case, case.id).state == CaseState.ASSIGNED


def test_empty_finding_and_reply_are_refused(app, world):
    case = case_in(world, CaseState.ASSIGNED)
    with pytest.raises(ServiceError) as raised:
        services.verify_case(world.manager_a, case, founded=True, finding="  ",
                             triage=Triage.FIX_NOW)
    assert raised.value.field == "finding"
    db.session.rollback()
    case = case_in(world, CaseState.VERIFIED)
    with pytest.raises(ServiceError) as raised:
        services.answer_case(world.manager_a, case, "")
    assert raised.value.field == "reply"


def test_the_database_refuses_a_closed_case_without_its_time(app, world):
    """The CHECK constraints hold even against code that skips the methods."""
    from sqlalchemy.exc import IntegrityError

    case = open_complaint(world)
    case.state = CaseState.CLOSED
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_manager_cannot_assign_to_someone_else_nor_to_a_stranger(app, world):
    case = case_in(world, CaseState.NEW)
    with pytest.raises(ServiceError):
        services.assign_case(world.manager_a, case, world.supervisor)
    with pytest.raises(ServiceError):  # manager B does not manage window A
        services.assign_case(world.supervisor, case, world.manager_b)
    with pytest.raises(ServiceError):  # operators call back; they do not handle
        services.assign_case(world.supervisor, case, world.operator)
    assert case.state == CaseState.NEW
