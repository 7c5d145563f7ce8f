"""What an alert says in words: labels, a one-sentence summary, what a notice should ask.

Used by the pages, the notifications and the draft notice, in the reader's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.alerts.rules import AlertKind, PeriodUnit

if TYPE_CHECKING:
    from feedback.alerts.models import Alert

KIND_LABELS = {
    AlertKind.BURST: _l("Burst of bad reviews"),
    AlertKind.LOW_INDEX: _l("Low satisfaction index"),
    AlertKind.P_CHART: _l("Significant rise in bad reviews"),
    AlertKind.CUSUM: _l("Sustained drift in bad reviews"),
    AlertKind.SILENCE: _l("Ratings stopped"),
    AlertKind.RELAPSE: _l("Fell back after rectification"),
}

STATUS_LABELS = {
    "open": _l("open"),
    "dismissed": _l("dismissed"),
    "notice_drafted": _l("notice drafted"),
}


def kind_label(kind: Any) -> str:
    try:
        return str(KIND_LABELS[AlertKind(kind)])
    except ValueError:
        return str(kind)


def status_label(status: Any) -> str:
    return str(STATUS_LABELS.get(str(getattr(status, "value", status)), status))


def percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def chance_text(chance: float | None) -> str:
    """A small probability as a percentage with three significant digits (0.0756%)."""
    return "" if chance is None else format(chance * 100, ".3g") + "%"


def period_text(alert: Alert) -> str:
    start, end = alert.period_start.isoformat(), alert.period_end.isoformat()
    return start if start == end else f"{start} – {end}"


def describe(alert: Alert) -> str:
    """One sentence saying what was found, with the numbers."""
    e = alert.evidence
    window = alert.window.name
    kind = AlertKind(alert.kind)
    if kind == AlertKind.BURST:
        return _("%(window)s received %(bad)d bad reviews within %(hours)d hours "
                 "(%(period)s).", window=window, bad=e["bad"], hours=e["hours"],
                 period=period_text(alert))
    if kind == AlertKind.LOW_INDEX:
        return _("The satisfaction index of %(window)s was %(index)s over %(period)s, below "
                 "the threshold of %(threshold)s, from %(n)d ratings.", window=window,
                 index=format(e["index"], ".1f"), period=period_text(alert),
                 threshold=format(e["threshold"], "g"), n=e["n"])
    if kind == AlertKind.P_CHART:
        if e.get("unit") == PeriodUnit.WEEK:
            text = _("The bad-review share of %(window)s in the week of %(period)s was "
                     "%(share)s (%(bad)d of %(n)d), above the upper control limit of %(ucl)s "
                     "set by its own history (usually %(p_bar)s).")
        else:
            text = _("The bad-review share of %(window)s on %(period)s was %(share)s "
                     "(%(bad)d of %(n)d), above the upper control limit of %(ucl)s set by "
                     "its own history (usually %(p_bar)s).")
        return text % {"window": window, "period": period_text(alert),
                       "share": percent(e["share"]), "bad": e["bad"], "n": e["n"],
                       "ucl": percent(e["ucl"]), "p_bar": percent(e["p_bar"])}
    if kind == AlertKind.CUSUM:
        return _("The bad-review share of %(window)s has drifted upward over %(period)s: "
                 "%(bad)d bad reviews of %(n)d ratings against a usual %(p_bar)s (CUSUM "
                 "%(statistic)s above the decision interval %(h)s).", window=window,
                 period=period_text(alert), bad=e["run_bad"], n=e["run_n"],
                 p_bar=percent(e["p_bar"]), statistic=format(e["statistic"], ".2f"),
                 h=format(e["h"], "g"))
    if kind == AlertKind.SILENCE:
        return _("%(window)s received no ratings over %(period)s (%(days)d open days), "
                 "although it usually receives %(median)s a day.", window=window,
                 period=period_text(alert), days=e["silent_days"],
                 median=format(e["median"], "g"))
    return _("%(window)s fell back after notice %(number)s was closed: its satisfaction index "
             "was %(index)s over %(period)s, below the threshold of %(threshold)s, from %(n)d "
             "ratings.", window=window, number=e.get("notice_number") or "",
             index=format(e["index"], ".1f"), period=period_text(alert),
             threshold=format(e["threshold"], "g"), n=e["n"])


def requirement(alert: Alert) -> str:
    """What a rectification notice drafted from this alert asks the window to do."""
    if AlertKind(alert.kind) == AlertKind.SILENCE:
        return _("Check that the rating QR code is displayed at the window and that citizens "
                 "are not kept from rating; report what was found and what was done.")
    return _("Find out why citizens are dissatisfied (read the bad reviews and call the "
             "citizens back), rectify the causes and report the measures taken.")


def _at(value: str | None) -> str:
    if not value:
        return ""
    from feedback.i18n import _datetime

    return _datetime(datetime.fromisoformat(value))


def evidence_rows(alert: Alert) -> list[tuple[str, str]]:
    """The evidence numbers as ``(label, value)`` pairs, in reading order."""
    e = alert.evidence
    kind = AlertKind(alert.kind)
    rows: list[tuple[Any, Any]] = []
    if kind == AlertKind.BURST:
        rows = [(_l("Bad reviews"), e["bad"]), (_l("First bad review"), _at(e.get("first_at"))),
                (_l("Last bad review"), _at(e.get("last_at"))),
                (_l("Alert rule"), _("at least %(count)d within %(hours)d hours",
                               count=e["count"], hours=e["hours"]))]
    elif kind == AlertKind.LOW_INDEX:
        rows = [(_l("Satisfaction index"), format(e["index"], ".1f")),
                (_l("Threshold"), format(e["threshold"], "g")), (_l("Ratings"), e["n"]),
                (_l("Ratings needed"), e["min_ratings"]), (_l("Bad reviews"), e["bad"]),
                (_l("Bad-review share"), percent(e["bad_share"]))]
    elif kind == AlertKind.P_CHART:
        rows = [(_l("Ratings in the period"), e["n"]), (_l("Bad reviews"), e["bad"]),
                (_l("Bad-review share"), percent(e["share"])),
                (_l("Usual share p̄ (own history)"), percent(e["p_bar"])),
                (_l("Upper control limit"), percent(e["ucl"])),
                (_l("Standard deviations above p̄"), e.get("z") if e.get("z") is not None
                 else ""),
                (_l("Limit at"), _("%(n)s standard deviations", n=format(e["sigmas"], "g"))),
                (_l("Chance of as many bad reviews"), chance_text(e.get("chance"))),
                (_l("Own history"), _("%(periods)d periods, %(bad)d bad reviews of %(n)d ratings",
                                  periods=e["history_periods"], bad=e["history_bad"],
                                  n=e["history_n"]))]
    elif kind == AlertKind.CUSUM:
        rows = [(_l("CUSUM statistic"), format(e["statistic"], ".2f")),
                (_l("Decision interval h"), format(e["h"], "g")),
                (_l("Slack k"), format(e["k"], "g")),
                (_l("Usual share p̄ (own history)"), percent(e["p_bar"])),
                (_l("Own history"), _("%(periods)d days, %(bad)d bad reviews of %(n)d ratings",
                                  periods=e["baseline_days"], bad=e["baseline_bad"],
                                  n=e["baseline_n"])),
                (_l("Since the drift began"), _("%(bad)d bad reviews of %(n)d ratings",
                                                bad=e["run_bad"], n=e["run_n"]))]
    elif kind == AlertKind.SILENCE:
        rows = [(_l("Open days without a rating"), e["silent_days"]),
                (_l("Alert rule"), _("%(n)d open days", n=e["days"])),
                (_l("Usual ratings a day (median)"), format(e["median"], "g")),
                (_l("Last day with ratings"), e.get("last_rated_day", ""))]
    else:
        rows = [(_l("Closed notice"), e.get("notice_number") or ""),
                (_l("Notice closed on"), _at(e.get("closed_at"))),
                (_l("Satisfaction index"), format(e["index"], ".1f")),
                (_l("Threshold"), format(e["threshold"], "g")), (_l("Ratings"), e["n"]),
                (_l("Bad reviews"), e["bad"])]
    return [(str(label), str(value)) for label, value in rows]
