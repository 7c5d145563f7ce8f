"""Reports: spreadsheet exports of evaluations and of figures per window and per unit, and the
monthly report PDF of an org unit (专报).

Exports are for those who answer for windows: managers get their windows, supervisors their
subtree, administrators everything; the figures per unit and the monthly report are for
supervisors and administrators. Every export and report handed out is audited (who, what,
which filter, how many rows) before its first byte leaves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from feedback import clock
from feedback.accounts.models import Role
from feedback.clock import local_date
from feedback.exports import content_disposition, csv_response, xlsx_response
from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.orgs.queries import get_unit_by_code
from feedback.permissions import (
    login_required,
    require,
    visible_units_filter,
    visible_windows_filter,
)
from feedback.reports.exports import (
    EvaluationFilter,
    count_evaluations,
    evaluation_header,
    evaluation_rows,
    unit_aggregate_header,
    unit_aggregate_rows,
    unit_aggregates,
    window_aggregate_header,
    window_aggregate_rows,
    window_aggregates,
)
from feedback.reports.forms import (
    AggregateExportForm,
    EvaluationExportForm,
    MonthlyReportForm,
    ReportPeriod,
    last_complete_month,
)
from feedback.reports.monthly import monthly_report_pdf, report_filename
from feedback.reports.services import record_export, record_monthly_report
from feedback.windows.models import Window
from feedback.windows.queries import get_window_by_code

bp = Blueprint("reports", __name__, url_prefix="/reports")

READERS = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)
UNIT_READERS = (Role.ADMIN, Role.SUPERVISOR)
CHOICES_SHOWN = 500  # units and windows suggested in the forms' lists
PRIVATE = {"Cache-Control": "private, no-store"}


def today() -> date:
    return local_date(clock.now())


def get_window(code: str) -> Window:
    window = get_window_by_code(code) or abort(404)
    return require("view", window)


def get_unit(code: str) -> OrgUnit:
    unit = get_unit_by_code(code) or abort(404)
    return require("view", unit)


# --- the page ------------------------------------------------------------------------------------


def _suggestions() -> dict[str, list[Any]]:
    units: list[OrgUnit] = []
    if current_user.role in UNIT_READERS:
        units = list(db.session.scalars(
            select(OrgUnit).where(visible_units_filter(current_user)).order_by(OrgUnit.path)
            .limit(CHOICES_SHOWN)))
    windows = list(db.session.scalars(
        select(Window).join(OrgUnit, OrgUnit.id == Window.org_unit_id)
        .where(visible_windows_filter(current_user), Window.active.is_(True))
        .order_by(OrgUnit.path, Window.name).limit(CHOICES_SHOWN)))
    return {"unit_choices": units, "window_choices": windows}


def _fresh(form_class, day: date):
    """An empty form showing its default: the last complete month."""
    form = form_class(None, today=day)
    form.month.data = f"{last_complete_month(day):%Y-%m}"
    return form


def _page(status: int = 200, **forms: Any):
    """The reports page; ``forms`` holds a submitted form to show again with its errors."""
    day = today()
    monthly = forms.get("monthly_form") or _fresh(MonthlyReportForm, day)
    if not monthly.unit.data and current_user.role == Role.SUPERVISOR and current_user.org_unit:
        monthly.unit.data = current_user.org_unit.code
    context = {
        "evaluation_form": forms.get("evaluation_form") or _fresh(EvaluationExportForm, day),
        "window_form": forms.get("window_form") or _fresh(AggregateExportForm, day),
        "unit_form": forms.get("unit_form") or _fresh(AggregateExportForm, day),
        "monthly_form": monthly,
        "may_units": current_user.role in UNIT_READERS,
        **_suggestions(),
    }
    return render_template("reports/index.html", **context), status


@bp.route("/")
@login_required(*READERS)
def index():
    """What can be exported, and the monthly report to print."""
    return _page()


# --- exports ---------------------------------------------------------------------------------


def _download(fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
              sheet: str) -> Response:
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, header, rows, sheet=sheet)


def _period_filters(period: ReportPeriod) -> dict[str, Any]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat(),
            "month": period.month or None}


@bp.route("/evaluations.<any(csv, xlsx):fmt>")
@login_required(*READERS)
def evaluations(fmt: str):
    """The evaluations the user may see, one a row: never a phone number, only whether one
    was left. ``?month=`` or ``?start=&end=``, ``window`` or ``unit``, ``level``, ``flagged``."""
    form = EvaluationExportForm(request.args, today=today())
    if not form.validate():
        return _page(400, evaluation_form=form)
    window = get_window(form.window.data.strip()) if form.window.data else None
    unit = get_unit(form.unit.data.strip()) if form.unit.data else None
    period = form.period()
    filters = EvaluationFilter(start=period.start, end=period.end, window=window, unit=unit,
                               level=int(form.level.data) if form.level.data else None,
                               include_flagged=bool(form.flagged.data))
    count, upto = count_evaluations(current_user, filters)
    record_export(current_user, "evaluations", fmt,
                  {**filters.describe(), "month": period.month or None}, count,
                  obj=window or unit)
    db.session.commit()  # audited before the first row leaves
    return _download(fmt, f"manyi-evaluations-{period.label}.{fmt}", evaluation_header(),
                     evaluation_rows(current_user, filters, upto), sheet=_("Evaluations"))


@bp.route("/windows.<any(csv, xlsx):fmt>")
@login_required(*READERS)
def windows(fmt: str):
    """Each window the user may see with its figures for the period (``?unit=`` for one
    subtree): ratings per level, index, shares, and the flagged ones apart."""
    return _aggregate_export("windows", fmt, "window_form", window_aggregates,
                             window_aggregate_header, window_aggregate_rows, _("Windows"))


@bp.route("/units.<any(csv, xlsx):fmt>")
@login_required(*UNIT_READERS)
def units(fmt: str):
    """Each unit of the user's subtree (or of ``?unit=``) with its whole subtree's figures."""
    return _aggregate_export("units", fmt, "unit_form", unit_aggregates,
                             unit_aggregate_header, unit_aggregate_rows, _("Org units"))


def _aggregate_export(kind: str, fmt: str, form_name: str, aggregates, header, to_rows,
                      sheet: str):
    """The figures export ``kind`` for the period and unit of the query string: audited,
    then downloaded; an invalid query shows the page again with ``form_name`` marked (400)."""
    form = AggregateExportForm(request.args, today=today())
    if not form.validate():
        return _page(400, **{form_name: form})
    unit = get_unit(form.unit.data.strip()) if form.unit.data else None
    period = form.period()
    rows = aggregates(current_user, period.start, period.end, unit=unit)
    record_export(current_user, kind, fmt,
                  {**_period_filters(period), "unit": unit.code if unit else None}, len(rows),
                  obj=unit)
    db.session.commit()
    return _download(fmt, f"manyi-{kind}-{period.label}.{fmt}", header(), to_rows(rows),
                     sheet=sheet)


# --- the monthly report ------------------------------------------------------------------------


@bp.route("/monthly")
@login_required(*UNIT_READERS)
def monthly_choose():
    """The page's monthly-report form: on to the chosen unit's PDF (the page itself while
    nothing has been chosen)."""
    if not request.args:
        return _page()
    form = MonthlyReportForm(request.args, today=today())
    if not form.validate() or not form.unit.data:
        if not form.unit.data:
            form.unit.errors = [*form.unit.errors, _("Please give the unit's code.")]
        return _page(400, monthly_form=form)
    return redirect(url_for("reports.monthly", code=form.unit.data.strip(),
                            month=f"{form.first_day():%Y-%m}"))


@bp.route("/units/<code>/monthly.pdf")
@login_required(*UNIT_READERS)
def monthly(code: str):
    """``code``'s monthly report 专报 as an A4 PDF in Chinese; ``?month=2026-11`` (the last
    complete month by default)."""
    unit = get_unit(code)
    form = MonthlyReportForm(request.args, today=today())
    if not form.validate():
        abort(400, " ".join(str(e) for e in form.month.errors))
    report, pdf = monthly_report_pdf(unit, form.first_day(), chart_png=_cached_chart(unit))
    record_monthly_report(current_user, unit, report.period.month)
    db.session.commit()
    disposition = content_disposition(report_filename(report)).replace("attachment", "inline", 1)
    return Response(pdf, mimetype="application/pdf",
                    headers={**PRIVATE, "Content-Disposition": disposition})


def _cached_chart(unit: OrgUnit):
    """Charts through the dashboards' cache: a chart the dashboard drew is not drawn again."""
    from feedback.dashboards.views import chart_cache

    cache = chart_cache()
    scope = f"unit:{unit.code}"
    return lambda chart: cache.render(scope, chart, "png")
