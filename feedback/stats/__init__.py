"""Statistics: rollups kept with every evaluation, metrics, dashboards' queries, rankings, and
the bearer tokens of the statistics API.

Settings (app config, else the environment variable of the same name, else the default):
``STAFF_MIN_RATINGS`` (30) ratings before a staff member's figures are shown,
``RANKING_PRIOR_WEIGHT`` (20) the weight ``m`` of the Bayesian ranking's prior, and
``MOVERS_MIN_RATINGS`` (10) ratings in each period before a window counts as a mover.
"""

from __future__ import annotations

import os

from flask import current_app

DEFAULTS: dict[str, int] = {
    "STAFF_MIN_RATINGS": 30,
    "RANKING_PRIOR_WEIGHT": 20,
    "MOVERS_MIN_RATINGS": 10,
}


def setting(name: str) -> int:
    """A statistics setting: the app's config, else the environment, else its default."""
    value = current_app.config.get(name)
    if value is None:
        raw = os.environ.get(name)
        value = int(raw) if raw not in (None, "") else DEFAULTS[name]
    return int(value)
