"""The demo has notices in every state, done by the system."""

from __future__ import annotations

import os

from sqlalchemy import select

from feedback.audit.models import AuditLog
from feedback.demo.loader import load_demo
from feedback.extensions import db
from feedback.notices.effect import before_after
from feedback.notices.evidence import path_of
from feedback.notices.models import EvidenceFile, Notice
from feedback.notices.workflow import NoticeKind, NoticeState


def test_demo_notices_in_every_state(app):
    summary = load_demo()
    db.session.commit()
    notices = db.session.scalars(select(Notice)).all()
    assert summary.counts["notices"] == len(notices)
    assert {n.state for n in notices} == set(NoticeState)
    assert any(n.is_overdue and n.escalated_at and n.published_at for n in notices)
    assert any(n.kind == NoticeKind.TALK for n in notices)
    closed = [n for n in notices if n.state == NoticeState.CLOSED]
    assert any(n.return_count == 1 for n in closed)
    effect = before_after(closed[0])
    assert effect.rows[0].before.n > 0 and effect.rows[0].after.n > 0
    for stored in db.session.scalars(select(EvidenceFile)):
        assert os.path.getsize(path_of(stored.stored_name)) == stored.size
    actors = set(db.session.scalars(select(AuditLog.actor_name)
                                    .where(AuditLog.object_type == "Notice")))
    assert actors == {"system"}
    managers = {w.id for n in notices if n.window for w in [n.window]}
    assert managers  # on the demo windows
