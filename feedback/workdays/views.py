"""The working-day calendar (administrators) and deadline policies (administrators and
supervisors, in their subtree); the ``deadline_status`` helper of the deadline macro."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from feedback import clock
from feedback.accounts.models import Role, User
from feedback.clock import local_date
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.forms import refuse
from feedback.orgs.models import OrgUnit
from feedback.orgs.queries import get_unit_by_code
from feedback.pagination import paginate
from feedback.permissions import login_required, may, visible_units_filter
from feedback.workdays.calendar import deadline_last_day, working_days_left
from feedback.workdays.forms import (
    KIND_LABELS,
    SOURCE_LABELS,
    CalendarForm,
    ConfirmForm,
    PolicyForm,
)
from feedback.workdays.models import DeadlineKind
from feedback.workdays.queries import (
    FIRST_YEAR,
    LAST_YEAR,
    calendar_years,
    effective_policy,
    get_entry,
    get_policy,
    list_entries,
    list_policy_rows,
    package_arrangement,
    year_coverage,
)
from feedback.workdays.services import (
    CalendarInputError,
    clear_calendar_year,
    enter_calendar_days,
    remove_calendar_day,
    set_deadline_policy,
)

bp = Blueprint("workdays", __name__, url_prefix="/admin")

POLICY_EDITORS = (Role.ADMIN, Role.SUPERVISOR)


@bp.context_processor
def _labels() -> dict[str, object]:
    return {"deadline_kinds": list(DeadlineKind), "kind_labels": KIND_LABELS,
            "source_labels": SOURCE_LABELS}


# --- the deadline macro's helper ------------------------------------------------------------


class DeadlineStatus(NamedTuple):
    """What ``templates/macros/deadline.html`` shows about a deadline at ``now``."""

    due_at: datetime
    last_day: str  # the last local day, formatted (2026-10-09 周五)
    left: int | None  # working days after today up to the last day; None once overdue
    estimated: bool
    years: str  # the years counted by weekends only, formatted for the language


@bp.app_template_global("deadline_status")
def deadline_status(deadline: Any, now: datetime | None = None) -> DeadlineStatus:
    """``deadline`` is a ``Deadline``, or anything with its attributes, or a bare ``due_at``."""
    due_at = deadline if isinstance(deadline, datetime) else deadline.due_at
    years = getattr(deadline, "uncovered_years", None) or ()
    separator = "、" if str(get_locale()) == "zh" else ", "
    return DeadlineStatus(
        due_at=due_at,
        last_day=workday_date(deadline_last_day(due_at)),
        left=working_days_left(due_at, now or clock.now()),
        estimated=bool(getattr(deadline, "estimated", False)),
        years=separator.join(str(year) for year in years),
    )


@bp.app_template_filter("workday_date")
def workday_date(day: date) -> str:
    """A day with its weekday: 2026-10-09 周五 (Fri in English)."""
    return format_date(day, "yyyy-MM-dd EEE")


# --- the calendar ------------------------------------------------------------------------------


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return year


@bp.route("/calendar", methods=["GET", "POST"])
@login_required(Role.ADMIN)
def calendar():
    form = CalendarForm()
    if form.validate_on_submit():
        try:
            result = enter_calendar_days(current_user, form.lines.data)
        except CalendarInputError as exc:
            db.session.rollback()
            form.lines.errors = list(exc.errors)
        except ServiceError as exc:
            refuse(form, exc, "lines")
        else:
            db.session.commit()
            flash(_("%(added)d days entered, %(same)d already were.",
                    added=len(result.added), same=result.unchanged), "success")
            return redirect(url_for("workdays.calendar"))
    years = year_coverage(calendar_years(local_date(clock.now())))
    return render_template("workdays/calendar.html", form=form, years=years)


@bp.route("/calendar/<int:year>")
@login_required(Role.ADMIN)
def year(year: int):
    _year_or_404(year)
    entries = list_entries(year)
    entered = {entry.day for entry in entries}
    return render_template(
        "workdays/year.html", year=year, coverage=year_coverage([year])[0], entries=entries,
        package_days=package_arrangement(year), entered=entered,
    )


@bp.route("/calendar/<int:year>/clear", methods=["POST"])
@login_required(Role.ADMIN)
def clear_year(year: int):
    _year_or_404(year)
    if ConfirmForm().validate_on_submit():
        removed = clear_calendar_year(current_user, year)
        db.session.commit()
        flash(_("%(n)d entries of %(year)d removed.", n=removed, year=year), "success")
    return redirect(url_for("workdays.year", year=year))


@bp.route("/calendar/days/<day>/remove", methods=["POST"])
@login_required(Role.ADMIN)
def remove_day(day: str):
    try:
        entry = get_entry(date.fromisoformat(day))
    except ValueError:
        entry = None
    if entry is None:
        abort(404)
    year = entry.day.year
    if ConfirmForm().validate_on_submit():
        remove_calendar_day(current_user, entry)
        db.session.commit()
        flash(_("The entry of %(day)s was removed.", day=day), "success")
    return redirect(url_for("workdays.year", year=year))


# --- deadline policies -------------------------------------------------------------------------


def may_set_policy(user: User, unit: OrgUnit) -> bool:
    """Administrators anywhere; supervisors in their subtree, their own unit included (the
    policy of a bureau is the bureau's own business; its parent's still applies above)."""
    return user.role in POLICY_EDITORS and may(user, "view", unit)


def get_policy_unit(code: str) -> OrgUnit:
    """The unit with ``code`` (404) whose policies the current user may set (403)."""
    unit = get_unit_by_code(code) or abort(404)
    if not may_set_policy(current_user, unit):
        abort(403)
    return unit


@bp.route("/deadlines")
@login_required(*POLICY_EDITORS)
def policies():
    page = paginate(
        select(OrgUnit).where(visible_units_filter(current_user)).order_by(OrgUnit.path)
    )
    return render_template("workdays/policies.html", page=page,
                           rows=list_policy_rows(list(page.items)))


@bp.route("/deadlines/<code>", methods=["GET", "POST"])
@login_required(*POLICY_EDITORS)
def policy(code: str):
    unit = get_policy_unit(code)
    form = PolicyForm()
    if request.method == "GET":
        for kind in DeadlineKind:
            own = get_policy(unit, kind)
            getattr(form, kind.value).data = own.working_days if own is not None else None
    if form.validate_on_submit():
        try:
            changed = [set_deadline_policy(current_user, unit, kind,
                                           getattr(form, kind.value).data)
                       for kind in DeadlineKind]
        except ServiceError as exc:
            refuse(form, exc, DeadlineKind.CASE_ANSWER.value)
        else:
            db.session.commit()
            if any(changed):
                flash(_("Deadlines of %(name)s saved.", name=unit.name), "success")
            return redirect(url_for("workdays.policies"))
    inherited = {kind: effective_policy(unit.parent, kind) for kind in DeadlineKind}
    return render_template("workdays/policy.html", unit=unit, form=form, inherited=inherited)
