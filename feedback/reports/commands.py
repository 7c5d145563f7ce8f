"""``manyi report monthly UNIT_CODE YYYY-MM -o file.pdf``: the monthly report from cron or a
shell, e.g. to mail every city's report on the first of the month."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from feedback import clock
from feedback.clock import local_date
from feedback.extensions import db
from feedback.orgs.queries import get_unit_by_code
from feedback.reports.forms import month_start
from feedback.reports.monthly import monthly_report_pdf, report_filename
from feedback.reports.services import record_monthly_report


@click.group("report")
def report_group() -> None:
    """Reports: the monthly report PDF of an org unit."""


@report_group.command("monthly")
@click.argument("unit_code")
@click.argument("month", metavar="YYYY-MM")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF (default: manyi-monthly-UNIT-YYYY-MM.pdf here; "
                   "'-' for standard output).")
@with_appcontext
def monthly_command(unit_code: str, month: str, output: str | None) -> None:
    """Write UNIT_CODE's monthly report for MONTH as an A4 PDF in Chinese."""
    unit = get_unit_by_code(unit_code.strip())
    if unit is None:
        raise click.BadParameter(f"no org unit with the code {unit_code}",
                                 param_hint="UNIT_CODE")
    first = month_start(month)
    if first is None:
        raise click.BadParameter("a month like 2026-11", param_hint="YYYY-MM")
    if first > local_date(clock.now()).replace(day=1):
        raise click.BadParameter(f"{month} has not begun yet", param_hint="YYYY-MM")
    report, pdf = monthly_report_pdf(unit, first)
    record_monthly_report(None, unit, report.period.month)
    db.session.commit()
    if output == "-":
        click.get_binary_stream("stdout").write(pdf)
        return
    path = output or report_filename(report)
    with open(path, "wb") as fh:
        fh.write(pdf)
    note = " (the month is not over yet)" if report.period.partial else ""
    click.echo(f"wrote {path}: {unit.code} {unit.name}, {report.period.month}{note}, "
               f"{report.this.n} ratings, {len(pdf) // 1024} KB")
