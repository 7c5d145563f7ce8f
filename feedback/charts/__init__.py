"""Charts of satisfaction, drawn with matplotlib's ``Figure`` API and Agg (never pyplot).

Each chart is a frozen dataclass of plain values (what it shows: the numbers, the labels, the
language and the size) and a pure function that draws it into a new ``Figure``:

* :mod:`feedback.charts.trend` — the index over time, rolling mean, 95 % band, target, notices;
* :mod:`feedback.charts.distribution` — the five national levels, this period against the last;
* :mod:`feedback.charts.ranking` — windows ranked by their Bayesian-adjusted index.

:mod:`~feedback.charts.render` turns a figure into PNG or SVG bytes, and
:mod:`~feedback.charts.cache` keeps those bytes by a hash of what the chart shows, so a repeat
view renders nothing. Nothing here reads the database; the dashboards build the dataclasses.
"""
