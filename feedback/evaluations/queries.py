"""Reads on evaluations, always within what the user may see."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from feedback.accounts.models import User
from feedback.evaluations.models import Evaluation, FlagStatus
from feedback.permissions import visible_windows_filter
from feedback.windows.models import Window


def evaluations_query(
    user: User,
    *,
    window: Window | None = None,
    level: int | None = None,
    flagged_only: bool = False,
) -> Select:
    """Evaluations of the windows ``user`` may see, newest first."""
    query = (
        select(Evaluation)
        .join(Evaluation.window)
        .join(Window.org_unit)
        .where(visible_windows_filter(user))
        .options(joinedload(Evaluation.window).joinedload(Window.org_unit),
                 joinedload(Evaluation.staff))
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
    )
    if window is not None:
        query = query.where(Evaluation.window_id == window.id)
    if level:
        query = query.where(Evaluation.level == level)
    if flagged_only:
        query = query.where(Evaluation.flag_status == FlagStatus.FLAGGED)
    return query



