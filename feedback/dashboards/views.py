"""Dashboards: a window's (its managers, the supervisors above it, administrators) and a
subtree's (supervisors of that subtree, administrators), and their chart images.

Chart images live at ``…/charts/<kind>-<key>.<svg|png>``, where ``key`` hashes what the chart
shows: the page computes the chart and remembers it, the image request finds it (or its bytes)
in the cache, checks that it belongs to the window or unit in the URL, and answers with
``Cache-Control: immutable``. When the cache does not know the key (another worker, a restart),
the chart is built again from the period in the query string; if the figures have changed
since, the request is redirected to the image of the current figures.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from feedback.accounts.models import Role
from feedback.alerts.models import Alert
from feedback.alerts.queries import alert_markers, count_open_alerts, open_alerts
from feedback.cases.figures import handling_figures
from feedback.cases.queries import open_cases
from feedback.charts.cache import KEY_PATTERN, Chart, ChartCache
from feedback.charts.render import MIMETYPES
from feedback.config import ConfigError
from feedback.dashboards import charts as dashboard_charts
from feedback.dashboards.forms import Period, PeriodForm
from feedback.dashboards.queries import (
    ALLOWED,
    MISSING,
    latest_comments,
    managed_windows,
    root_units,
    subtree_counts,
    today,
    unit_access,
    unit_path,
    window_access,
)
from feedback.notices.queries import notice_markers
from feedback.orgs.models import OrgUnit
from feedback.orgs.queries import get_unit_by_code
from feedback.permissions import login_required, may, require
from feedback.stats import setting
from feedback.stats.queries import (
    movers,
    ranking,
    staff_table,
    unit_months,
    window_series,
    window_summary,
)
from feedback.windows.models import Window
from feedback.windows.queries import get_window_by_code
from surveys import DIMENSIONS, bad_share, good_share, satisfaction_index

bp = Blueprint("dashboards", __name__)

WINDOW_READERS = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)
UNIT_READERS = (Role.ADMIN, Role.SUPERVISOR)
WINDOW_CHARTS = ("trend", "distribution")
UNIT_CHARTS = ("ranking",)
UNIT_MONTHS = 6
MOVERS = 10
COMMENTS = 10
CASES = 10
ALERTS = 10
CACHE_KEY = "manyi.charts"
IMMUTABLE = {"Cache-Control": "private, max-age=31536000, immutable"}
NO_STORE = {"Cache-Control": "private, no-store"}


# --- settings ------------------------------------------------------------------------------------


def _float_setting(app, name: str, default: float, low: float, high: float) -> None:
    if name in app.config:
        return
    raw = os.environ.get(name, "")
    try:
        value = float(raw) if raw.strip() else default
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    app.config[name] = value


def _bool_setting(app, name: str, default: bool) -> None:
    if name in app.config:
        return
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        app.config[name] = default
    elif raw in {"1", "true", "yes", "on"}:
        app.config[name] = True
    elif raw in {"0", "false", "no", "off"}:
        app.config[name] = False
    else:
        raise ConfigError(f"{name} must be true or false, got {raw!r}")


@bp.record_once
def _load_settings(state) -> None:
    """Read the dashboards' settings when the app is built: a malformed one stops the start."""
    app = state.app
    _float_setting(app, "DASHBOARD_TARGET_INDEX", 90.0, 0.0, 100.0)
    _float_setting(app, "CHART_CACHE_MB", 32.0, 0.0, 4096.0)
    _bool_setting(app, "CHART_CACHE_FILES", True)


def chart_cache() -> ChartCache:
    """This app's chart cache (one per process), files under ``instance/charts`` if enabled."""
    app = current_app._get_current_object()
    cache = app.extensions.get(CACHE_KEY)
    if cache is None:
        directory = (os.path.join(app.instance_path, "charts")
                     if app.config["CHART_CACHE_FILES"] else None)
        cache = app.extensions.setdefault(CACHE_KEY, ChartCache(
            max_bytes=int(app.config["CHART_CACHE_MB"] * 1024 * 1024), directory=directory))
    return cache


# --- loading and checking ------------------------------------------------------------------------


def get_window(code: str) -> Window:
    window = get_window_by_code(code) or abort(404)
    return require("view", window)


def get_unit(code: str) -> OrgUnit:
    unit = get_unit_by_code(code) or abort(404)
    return require("view", unit)


class BadPeriod(Exception):
    def __init__(self, form: PeriodForm) -> None:
        super().__init__("bad period")
        self.form = form


def _period() -> tuple[PeriodForm, Period]:
    form = PeriodForm(request.args, today=today())
    if not form.validate():
        raise BadPeriod(form)
    return form, form.resolve()


@bp.errorhandler(BadPeriod)
def _bad_period(exc: BadPeriod):
    return render_template("dashboards/bad_period.html", form=exc.form), 400


# --- figures for the templates -------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A headline figure this period against the last: which way it went and whether good."""

    now: float | None
    then: float | None
    higher_is_better: bool | None = True  # None: neither (the number of ratings)

    @property
    def delta(self) -> float | None:
        if self.now is None or self.then is None:
            return None
        return self.now - self.then

    @property
    def direction(self) -> str:
        delta = self.delta
        if delta is None:
            return "none"
        if math.isclose(delta, 0.0, abs_tol=1e-9):
            return "same"
        return "up" if delta > 0 else "down"

    @property
    def verdict(self) -> str:
        if self.direction in ("none", "same") or self.higher_is_better is None:
            return "neutral"
        better = (self.direction == "up") == self.higher_is_better
        return "better" if better else "worse"


@dataclass
class ListPage:
    """A page of a list built in Python, shaped like Flask-SQLAlchemy's for the pager macro."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _list_page(rows: list[Any]) -> ListPage:
    per_page = current_app.config["PAGE_SIZE"]
    page = request.args.get("page", 1, type=int)
    if page < 1 or (page - 1) * per_page >= max(len(rows), 1):
        abort(404)
    return ListPage(rows[(page - 1) * per_page: page * per_page], page, per_page, len(rows))


def _dimension_labels() -> dict[str, str]:
    zh = dashboard_charts.chart_language() == "zh"
    return {d.key: d.zh if zh else d.en for d in DIMENSIONS}


def _chart_url(endpoint: str, code: str, chart: Chart, key: str, period: Period,
               fmt: str = "svg") -> str:
    return url_for(endpoint, code=code, kind=chart.kind, key=key, fmt=fmt, lang=chart.lang,
                   **period.args())


# --- the window dashboard ------------------------------------------------------------------------


def _window_charts(window: Window, period: Period, this, last) -> dict[str, Chart]:
    series = window_series([window.id], period.start, period.end, period.granularity)
    markers = sorted([*notice_markers([window.id], period.start, period.end),
                      *alert_markers([window.id], period.start, period.end)])
    return {
        "trend": dashboard_charts.trend_chart(series, period.granularity, markers),
        "distribution": dashboard_charts.distribution_chart(this, last),
    }


def _window_scope(window: Window) -> str:
    return f"window:{window.code}"  # the chart route builds the same from its URL


def _window_page(window: Window):
    form, period = _period()
    ids = [window.id]
    this = window_summary(ids, period.start, period.end)
    last = window_summary(ids, period.previous_start, period.previous_end)
    charts = _window_charts(window, period, this, last)
    cache = chart_cache()
    scope = _window_scope(window)
    chart_urls = {}
    for kind, chart in charts.items():
        key = cache.remember(scope, chart)
        chart_urls[kind] = {fmt: _chart_url("dashboards.window_chart", window.code, chart, key,
                                            period, fmt) for fmt in MIMETYPES}
    changes = {
        "n": Change(this.n, last.n, higher_is_better=None),
        "index": Change(this.index, last.index),
        "good_share": Change(this.good_share, last.good_share),
        "bad_share": Change(this.bad_share, last.bad_share, higher_is_better=False),
    }
    return render_template(
        "dashboards/window.html", window=window, form=form, period=period, this=this,
        last=last, changes=changes, charts=charts, chart_urls=chart_urls,
        dimension_labels=_dimension_labels(),
        staff=staff_table(ids, period.start, period.end),
        staff_minimum=setting("STAFF_MIN_RATINGS"),
        comments=latest_comments(ids, COMMENTS),
        cases=open_cases(ids, CASES),
        handling=handling_figures(ids, period.start, period.end),
        other_windows=[w for w in managed_windows(current_user) if w.id != window.id],
        unit_link=may(current_user, "view", window.org_unit)
        and current_user.role in UNIT_READERS,
    )


@bp.route("/dashboard/windows/<code>")
@login_required(*WINDOW_READERS)
def window(code: str):
    """A window's satisfaction: this period against the last, trend, levels, staff, comments."""
    return _window_page(get_window(code))


@bp.route("/dashboard/windows/<code>/charts/"
          "<any(trend, distribution):kind>-<key>.<any(svg, png):fmt>")
@login_required(*WINDOW_READERS)
def window_chart(code: str, kind: str, key: str, fmt: str):
    """A chart of the window's dashboard, by the hash of what it shows."""
    _check(window_access(current_user, code))

    def rebuild() -> Chart:
        window = get_window(code)
        _form, period = _period()
        ids = [window.id]
        this = window_summary(ids, period.start, period.end)
        last = window_summary(ids, period.previous_start, period.previous_end)
        return _window_charts(window, period, this, last)[kind]

    return _chart_response(f"window:{code}", kind, key, fmt, rebuild,
                           lambda fresh: url_for("dashboards.window_chart", code=code,
                                                 kind=kind, key=fresh, fmt=fmt,
                                                 **request.args.to_dict()))


def _check(access: str) -> None:
    if access == MISSING:
        abort(404)
    if access != ALLOWED:
        abort(403)


def _chart_response(scope: str, kind: str, key: str, fmt: str, rebuild, url_of) -> Response:
    if not KEY_PATTERN.fullmatch(key):
        abort(404)
    cache = chart_cache()
    body = cache.get(scope, key, fmt)
    if body is None:
        chart = cache.chart(scope, key)
        if chart is None:
            chart = rebuild()
            fresh = cache.remember(scope, chart)
            if fresh != key:
                # The figures changed since the page was drawn: show the current ones.
                response = redirect(url_of(fresh))
                response.headers.update(NO_STORE)
                return response
        if chart.kind != kind:
            abort(404)
        body = cache.render(scope, chart, fmt, key)
    return Response(body, mimetype=MIMETYPES[fmt], headers=IMMUTABLE)


# --- the subtree dashboard -----------------------------------------------------------------------


def _unit_scope(unit: OrgUnit) -> str:
    return f"unit:{unit.code}"  # the chart route builds the same from its URL


def _unit_charts(unit: OrgUnit, period: Period, ranked=None) -> dict[str, Chart]:
    ranked = ranking(unit, period.start, period.end) if ranked is None else ranked
    return {"ranking": dashboard_charts.ranking_chart(ranked)}


def _figures(counts) -> dict[str, float | None]:
    return {"index": satisfaction_index(counts), "good_share": good_share(counts),
            "bad_share": bad_share(counts)}


def _unit_page(unit: OrgUnit, *, landing: bool = False):
    form, period = _period()
    ranked = ranking(unit, period.start, period.end)
    charts = _unit_charts(unit, period, ranked)
    cache = chart_cache()
    scope = _unit_scope(unit)
    chart_urls = {}
    for kind, chart in charts.items():
        key = cache.remember(scope, chart)
        chart_urls[kind] = {fmt: _chart_url("dashboards.unit_chart", unit.code, chart, key,
                                            period, fmt) for fmt in MIMETYPES}
    this_counts, this_flagged = subtree_counts(unit, period.start, period.end)
    last_counts, _last_flagged = subtree_counts(unit, period.previous_start, period.previous_end)
    this, last = _figures(this_counts), _figures(last_counts)
    changes = {
        "n": Change(this_counts.total, last_counts.total, higher_is_better=None),
        "index": Change(this["index"], last["index"]),
        "good_share": Change(this["good_share"], last["good_share"]),
        "bad_share": Change(this["bad_share"], last["bad_share"], higher_is_better=False),
    }
    top = current_user.org_unit if current_user.role == Role.SUPERVISOR else None
    return render_template(
        "dashboards/unit.html", unit=unit, form=form, period=period, charts=charts,
        chart_urls=chart_urls, ranked=_list_page(ranked),
        chart_rows=dashboard_charts.ranking_rows(ranked),
        windows_total=len(ranked), ranked_total=sum(1 for r in ranked if r.rank is not None),
        this=this, this_n=this_counts.total, flagged=this_flagged, last_n=last_counts.total,
        changes=changes, months=unit_months(unit, UNIT_MONTHS, period.end),
        movers=movers(unit, period.current, period.previous, MOVERS),
        alerts=_alerts(unit), alerts_total=count_open_alerts(current_user, unit),
        breadcrumbs=unit_path(unit, top), landing=landing,
        target=dashboard_charts.target_index(),
    )


def _alerts(unit: OrgUnit) -> list[Alert]:
    """The newest open alerts of the subtree (``feedback.alerts``)."""
    return open_alerts(current_user, unit, ALERTS)


@bp.route("/dashboard/units/<code>")
@login_required(*UNIT_READERS)
def unit(code: str):
    """A subtree: windows ranked fairly, child units by month, biggest movers, alerts."""
    return _unit_page(get_unit(code))


@bp.route("/dashboard/units/<code>/charts/<any(ranking):kind>-<key>.<any(svg, png):fmt>")
@login_required(*UNIT_READERS)
def unit_chart(code: str, kind: str, key: str, fmt: str):
    """A chart of the subtree's dashboard, by the hash of what it shows."""
    _check(unit_access(current_user, code))

    def rebuild() -> Chart:
        _form, period = _period()
        return _unit_charts(get_unit(code), period)[kind]

    return _chart_response(f"unit:{code}", kind, key, fmt, rebuild,
                           lambda fresh: url_for("dashboards.unit_chart", code=code,
                                                 kind=kind, key=fresh, fmt=fmt,
                                                 **request.args.to_dict()))


# --- where each role starts ----------------------------------------------------------------------


@bp.route("/dashboard")
@login_required(*WINDOW_READERS)
def landing():
    """The right dashboard for who signs in: a supervisor's subtree, a manager's windows, the
    top of the tree for an administrator."""
    user = current_user
    if user.role == Role.SUPERVISOR:
        if user.org_unit is None:
            abort(403)
        return _unit_page(user.org_unit, landing=True)
    if user.role == Role.ADMIN:
        roots = root_units()
        if len(roots) == 1:
            return _unit_page(roots[0], landing=True)
        return render_template("dashboards/landing.html", roots=roots, windows=[])
    form, period = _period()
    windows = managed_windows(user)
    overview = []
    for window in windows:
        this = window_summary([window.id], period.start, period.end)
        last = window_summary([window.id], period.previous_start, period.previous_end)
        overview.append((window, this, Change(this.index, last.index)))
    return render_template("dashboards/landing.html", roots=[], windows=overview, form=form,
                           period=period)
