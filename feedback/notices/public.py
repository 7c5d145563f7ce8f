"""The public notices page 通报: published notices, and each city's best and worst windows.

Only public fields are shown: a notice's number, title, the target window's or unit's name,
its dates and state, and the text the supervisor wrote for publication (checked for personal
data when published). Rankings show windows only, never people, and only windows with enough
ratings (``NOTICE_MIN_RATINGS``, default 30) last month.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from feedback import clock
from feedback.clock import local_date
from feedback.notices.queries import best_and_worst, last_month, published_notices
from feedback.permissions import public

bp = Blueprint("notices_public", __name__)


@bp.route("/notices")
@public
def index():
    start, end = last_month(local_date(clock.now()))
    min_ratings = int(current_app.config.get("NOTICE_MIN_RATINGS", 30))
    return render_template(
        "notices/public.html", notices=published_notices(),
        boards=best_and_worst(start, end, min_ratings), start=start, end=end,
        min_ratings=min_ratings,
    )
