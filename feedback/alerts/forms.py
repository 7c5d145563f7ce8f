from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from feedback.alerts.rules import RULE_BOUNDS, AlertKind, PeriodUnit
from feedback.alerts.services import REASON_MAX


class DismissForm(FlaskForm):
    reason = TextAreaField(_l("Why this alert needs no action"),
                           validators=[DataRequired(), Length(max=REASON_MAX)])
    submit = SubmitField(_l("Dismiss"))


class DraftNoticeForm(FlaskForm):
    submit = SubmitField(_l("Turn into a draft rectification notice"))


# A choice for each on/off setting: inherit, on, off.
INHERIT = ""
_SWITCH = [SelectChoice(INHERIT, _l("as above")), SelectChoice("1", _l("on")),
           SelectChoice("0", _l("off"))]


def _switch(label) -> SelectField:
    return SelectField(label, choices=_SWITCH, default=INHERIT, validators=[Optional()])


def _int(name: str, label, description=None) -> IntegerField:
    b = RULE_BOUNDS[name]
    return IntegerField(label, description=description,
                        validators=[Optional(), NumberRange(int(b.low), int(b.high))])


def _dec(name: str, label, description=None) -> DecimalField:
    b = RULE_BOUNDS[name]
    return DecimalField(label, description=description, places=None,
                        validators=[Optional(), NumberRange(b.low, b.high)])


class RulesForm(FlaskForm):
    """An org unit's alert settings; an empty field takes the value of the unit above."""

    burst_enabled = _switch(_l("This rule"))
    burst_count = _int("burst_count", _l("Bad reviews"))
    burst_hours = _int("burst_hours", _l("Within hours"))

    low_index_enabled = _switch(_l("This rule"))
    low_index_threshold = _dec("low_index_threshold", _l("Index below (0–100)"))
    low_index_min_ratings = _int("low_index_min_ratings", _l("With at least this many ratings"))
    low_index_days = _int("low_index_days", _l("Over the last days"))

    pchart_enabled = _switch(_l("This rule"))
    pchart_period = SelectField(
        _l("Period compared"), default=INHERIT, validators=[Optional()],
        choices=[SelectChoice(INHERIT, _l("as above")),
                 SelectChoice(PeriodUnit.DAY.value, _l("today")),
                 SelectChoice(PeriodUnit.WEEK.value, _l("this week"))])
    pchart_sigmas = _dec("pchart_sigmas", _l("Control limit in standard deviations"))
    pchart_history = _int("pchart_history", _l("History read (periods)"))
    pchart_min_history = _int("pchart_min_history", _l("Periods with ratings needed"))
    pchart_min_count = _int("pchart_min_count", _l("Ratings needed in the period"))

    cusum_enabled = _switch(_l("This rule"))
    cusum_k = _dec("cusum_k", _l("Slack k (standard deviations)"),
                   _l("Half the shift worth detecting; smaller values react to smaller drifts."))
    cusum_h = _dec("cusum_h", _l("Decision interval h (standard deviations)"),
                   _l("The alert fires when the cumulative sum exceeds h; larger values mean "
                      "fewer false alarms and later alerts."))
    cusum_days = _int("cusum_days", _l("Days watched"))
    cusum_history_days = _int("cusum_history_days", _l("History read before them (days)"))
    cusum_min_history = _int("cusum_min_history", _l("Days with ratings needed"))

    silence_enabled = _switch(_l("This rule"))
    silence_days = _int("silence_days", _l("Days without any rating"))
    silence_working_days = SelectField(
        _l("Days counted"), default=INHERIT, validators=[Optional()],
        choices=[SelectChoice(INHERIT, _l("as above")),
                 SelectChoice("1", _l("working days")), SelectChoice("0", _l("all days"))])
    silence_min_median = _dec("silence_min_median",
                              _l("For windows usually rated at least this often a day"))
    silence_baseline_days = _int("silence_baseline_days", _l("Usual rate over the last days"))

    submit = SubmitField(_l("Save"))

    SWITCHES = ("burst_enabled", "low_index_enabled", "pchart_enabled", "cusum_enabled",
                "silence_enabled", "silence_working_days")
    GROUPS = (
        ("burst", ("burst_enabled", "burst_count", "burst_hours")),
        ("low_index", ("low_index_enabled", "low_index_threshold", "low_index_min_ratings",
                       "low_index_days")),
        ("p_chart", ("pchart_enabled", "pchart_period", "pchart_sigmas", "pchart_history",
                     "pchart_min_history", "pchart_min_count")),
        ("cusum", ("cusum_enabled", "cusum_k", "cusum_h", "cusum_days", "cusum_history_days",
                   "cusum_min_history")),
        ("silence", ("silence_enabled", "silence_days", "silence_working_days",
                     "silence_min_median", "silence_baseline_days")),
    )

    def values(self) -> dict[str, object]:
        """The settings as the service takes them: ``None`` for "as above"."""
        out: dict[str, object] = {}
        for _group, names in self.GROUPS:
            for name in names:
                data = getattr(self, name).data
                if name in self.SWITCHES:
                    out[name] = None if data in (None, INHERIT) else data == "1"
                elif name == "pchart_period":
                    out[name] = PeriodUnit(data) if data else None
                elif data is None:
                    out[name] = None
                else:
                    out[name] = float(data) if name in _FLOATS else int(data)
        return out

    def fill(self, settings: dict[str, object]) -> None:
        """Show a unit's own settings (GET)."""
        for name, value in settings.items():
            field = getattr(self, name)
            if name in self.SWITCHES:
                field.data = "1" if value else "0"
            elif name == "pchart_period":
                field.data = PeriodUnit(value).value
            else:
                field.data = value


_FLOATS = {"low_index_threshold", "pchart_sigmas", "cusum_k", "cusum_h", "silence_min_median"}
KINDS = tuple(AlertKind)
