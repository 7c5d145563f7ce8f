"""Alert pages: the list, one alert, dismissing it, turning it into a draft notice; the
alert rules of an org unit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from feedback.accounts.models import Role, User
from feedback.alerts.forms import INHERIT, KINDS, DismissForm, DraftNoticeForm, RulesForm
from feedback.alerts.models import Alert, AlertStatus
from feedback.alerts.queries import (
    alerts_query,
    get_alert,
    get_rule,
    inherited_rules,
    rules_chain,
    units_with_rules,
)
from feedback.alerts.rules import AlertKind, PeriodUnit
from feedback.alerts.services import (
    dismiss_alert,
    draft_notice_from_alert,
    save_rules,
    window_dashboard_path,
)
from feedback.alerts.texts import (
    describe,
    evidence_rows,
    kind_label,
    period_text,
    status_label,
)
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.forms import refuse
from feedback.orgs.models import OrgUnit
from feedback.orgs.queries import get_unit_by_code, list_visible_units
from feedback.pagination import paginate
from feedback.permissions import login_required, may, require

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

READERS = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)
DECIDERS = (Role.ADMIN, Role.SUPERVISOR)


@bp.app_template_global("alert_kind_label")
def _alert_kind_label(kind) -> str:
    return kind_label(kind)


@bp.app_template_global("alert_status_label")
def _alert_status_label(status) -> str:
    return status_label(status)


@bp.app_template_global("alert_summary")
def _alert_summary(alert: Alert) -> str:
    return describe(alert)


def may_decide(user: User, alert: Alert) -> bool:
    """Dismiss an alert or draft a notice from it: administrators, and supervisors whose
    subtree holds the window."""
    return user.role in DECIDERS and may(user, "view", alert.window)


def may_edit_rules(user: User, unit: OrgUnit) -> bool:
    """Administrators everywhere; supervisors on their own unit and every unit below."""
    return user.role in DECIDERS and may(user, "view", unit)


def load_alert(alert_id: int, decide: bool = False) -> Alert:
    """The alert (404) on a window the current user may see (403), or may decide on."""
    alert = get_alert(alert_id) or abort(404)
    require("view", alert.window)
    if decide and not may_decide(current_user, alert):
        abort(403)
    return alert


def load_unit(code: str) -> OrgUnit:
    unit = get_unit_by_code(code) or abort(404)
    if not may_edit_rules(current_user, unit):
        abort(403)
    return unit


def _enum_arg(name: str, enum_cls, default: str | None = None):
    value = request.args.get(name) or default
    if value is None:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        abort(400)


@bp.route("/")
@login_required(*READERS)
def index():
    status_arg = request.args.get("status") or AlertStatus.OPEN.value
    status = None if status_arg == "all" else _enum_arg("status", AlertStatus, "open")
    kind = _enum_arg("kind", AlertKind)
    unit = None
    if request.args.get("unit"):
        unit = get_unit_by_code(request.args["unit"]) or abort(404)
        require("view", unit)
    query = alerts_query(current_user, status=status, kind=kind, unit=unit)
    return render_template(
        "alerts/index.html", page=paginate(query), status=status_arg, kind=kind, unit=unit,
        kinds=KINDS, statuses=list(AlertStatus),
        may_edit_rules=current_user.role in DECIDERS,
    )


@bp.route("/<int:alert_id>")
@login_required(*READERS)
def show(alert_id: int):
    alert = load_alert(alert_id)
    return _show(alert, DismissForm())


def _show(alert: Alert, dismiss_form: DismissForm):
    return render_template(
        "alerts/show.html", alert=alert, summary=describe(alert), period=period_text(alert),
        evidence=evidence_rows(alert), may_decide=may_decide(current_user, alert),
        dismiss_form=dismiss_form, notice_form=DraftNoticeForm(),
        notice_url=_notice_url(alert), dashboard_url=window_dashboard_path(alert.window),
        closed_notice_url=(url_for("notices.show", notice_id=alert.evidence["notice_id"])
                           if alert.kind == AlertKind.RELAPSE else None),
    )


@bp.route("/<int:alert_id>/dismiss", methods=["POST"])
@login_required(*DECIDERS)
def dismiss(alert_id: int):
    alert = load_alert(alert_id, decide=True)
    form = DismissForm()
    if form.validate_on_submit():
        try:
            dismiss_alert(current_user, alert, form.reason.data)
        except ServiceError as exc:
            refuse(form, exc, "reason")
        else:
            db.session.commit()
            flash(_("The alert is dismissed."), "success")
            return redirect(url_for("alerts.show", alert_id=alert.id))
    return _show(alert, form), 422


@bp.route("/<int:alert_id>/notice", methods=["POST"])
@login_required(*DECIDERS)
def draft_notice(alert_id: int):
    alert = load_alert(alert_id, decide=True)
    if DraftNoticeForm().validate_on_submit():
        try:
            draft_notice_from_alert(current_user, alert)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("A draft rectification notice was made from the alert."), "success")
            return redirect(_notice_url(alert) or url_for("alerts.show", alert_id=alert.id))
    return redirect(url_for("alerts.show", alert_id=alert.id))


def _notice_url(alert: Alert) -> str | None:
    if alert.notice_id is None:
        return None
    return url_for("notices.show", notice_id=alert.notice_id)


@bp.route("/rules")
@login_required(*DECIDERS)
def rules_index():
    units = list_visible_units(current_user)
    return render_template("alerts/rules_index.html", units=units,
                           with_rules=units_with_rules())


@bp.route("/rules/<code>", methods=["GET", "POST"])
@login_required(*DECIDERS)
def rules(code: str):
    unit = load_unit(code)
    form = RulesForm()
    row = get_rule(unit)
    if request.method == "GET" and row is not None:
        form.fill(row.settings())
    inherited = inherited_rules(unit)
    _show_inherited(form, inherited)
    if form.validate_on_submit():
        try:
            save_rules(current_user, unit, form.values())
        except ServiceError as exc:
            refuse(form, exc, "burst_count")
        else:
            db.session.commit()
            flash(_("Alert rules of %(name)s saved.", name=unit.name), "success")
            return redirect(url_for("alerts.rules", code=unit.code))
    return render_template(
        "alerts/rules.html", unit=unit, form=form, inherited=inherited,
        chain=rules_chain(unit), may_edit_rules=may_edit_rules,
    )


def _inherited_text(name: str, value) -> str:
    if isinstance(value, PeriodUnit):
        return _("today") if value == PeriodUnit.DAY else _("this week")
    if name == "silence_working_days":
        return _("working days") if value else _("all days")
    if isinstance(value, bool):
        return _("on") if value else _("off")
    return f"{value:g}"


def _show_inherited(form: RulesForm, inherited) -> None:
    """Say in each field what it takes from above when left empty."""
    for _group, names in form.GROUPS:
        for name in names:
            field = getattr(form, name)
            text = _inherited_text(name, getattr(inherited, name))
            if field.type == "SelectField":
                field.choices[0] = SelectChoice(INHERIT, _("as above (%(value)s)", value=text))
            else:
                field.render_kw = {**(field.render_kw or {}), "placeholder": text}
