"""The statistics API: a window's or an org unit's figures for a period, as JSON.

For the provincial platform and other systems. Callers authenticate with a user's bearer token
(``manyi token create USERNAME``) and see what that user may see: anything else is 404, as if
it did not exist. Figures count only counted evaluations; flagged ones are given apart.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import select

from feedback import clock
from feedback.accounts.models import User
from feedback.api.auth import api_token_rate_key, api_token_required
from feedback.api.parsing import InvalidRequest, field_error
from feedback.clock import local_date
from feedback.extensions import csrf, db, limiter
from feedback.orgs.models import OrgUnit
from feedback.orgs.queries import get_unit_by_code
from feedback.permissions import may, visible_windows_filter
from feedback.stats.queries import Summary, window_summary
from feedback.windows.models import Window
from feedback.windows.queries import get_window_by_code

bp = Blueprint("api_stats", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


@bp.errorhandler(InvalidRequest)
def _invalid_request(exc: InvalidRequest):
    db.session.rollback()
    return exc.response()


def _limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _user() -> User:
    return g.api_user


def parse_period(args) -> tuple[date, date]:
    """``from`` and ``to`` (local days, both included); the last 30 days by default.

    400 with an error per parameter for a malformed date, ``from`` after ``to``, or a period
    longer than three years.
    """
    errors = {}
    values: dict[str, date | None] = {}
    for name in ("from", "to"):
        raw = args.get(name)
        values[name] = None
        if raw is None or raw == "":
            continue
        try:
            if len(raw) != 10:
                raise ValueError(raw)
            values[name] = date.fromisoformat(raw)
        except ValueError:
            errors[name] = field_error("invalid", _("A date like 2026-03-31 (YYYY-MM-DD)."))
    if errors:
        raise InvalidRequest(400, _("Please correct the parameters listed in errors."), errors)
    end = values["to"] or local_date(clock.now())
    start = values["from"] or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidRequest(400, _("Please correct the parameters listed in errors."), {
            "from": field_error("after_to", _("The start is after the end of the period."))})
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidRequest(400, _("Please correct the parameters listed in errors."), {
            "from": field_error("too_long",
                                _("A period of at most %(days)d days.", days=MAX_DAYS))})
    return start, end


def _figures(summary: Summary) -> dict:
    return {
        "from": summary.start.isoformat(),
        "to": summary.end.isoformat(),
        "count": summary.n,
        "counts": {str(level): count for level, count in sorted(summary.counts.as_dict().items())},
        "index": _round(summary.index),
        "good_share": _round(summary.good_share, 4),
        "bad_share": _round(summary.bad_share, 4),
        "flagged": summary.flagged,
        "verified": summary.verified,
        "dimensions": {key: _round(mean, 3) for key, mean in summary.dimensions.items()},
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _not_found():
    return InvalidRequest(404, _("Nothing here."))


@bp.route("/windows/<code>/stats")
@api_token_required
@limiter.limit(_limit, key_func=api_token_rate_key)
def window_stats(code: str):
    """A window's figures for the period, if the token's user may see the window (else 404)."""
    start, end = parse_period(request.args)
    window = get_window_by_code(code) if len(code) <= 32 else None
    if window is None or not may(_user(), "view", window):
        raise _not_found()
    summary = window_summary([window.id], start, end)
    return {"window": {"code": window.code, "name": window.name,
                       "org_unit": {"code": window.org_unit.code, "name": window.org_unit.name}},
            **_figures(summary)}


@bp.route("/org-units/<code>/stats")
@api_token_required
@limiter.limit(_limit, key_func=api_token_rate_key)
def unit_stats(code: str):
    """An org unit's figures (every window of its subtree the user may see) for the period."""
    start, end = parse_period(request.args)
    unit = get_unit_by_code(code) if len(code) <= 32 else None
    if unit is None or not may(_user(), "view", unit):
        raise _not_found()
    window_ids = list(db.session.scalars(
        select(Window.id).join(OrgUnit, OrgUnit.id == Window.org_unit_id)
        .where(OrgUnit.in_subtree(unit), visible_windows_filter(_user()))
    ))
    summary = window_summary(window_ids, start, end)
    return {"org_unit": {"code": unit.code, "name": unit.name}, "windows": len(window_ids),
            **_figures(summary)}
