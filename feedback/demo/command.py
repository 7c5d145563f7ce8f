"""``manyi demo``: load the demo province into an empty database, in one transaction."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from feedback.demo.loader import DatabaseNotEmpty, DemoSummary, load_demo
from feedback.errors import ServiceError
from feedback.extensions import db


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when data exists.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load a demo province with windows, staff and users into an empty database."""
    try:
        summary = load_demo()
    except DatabaseNotEmpty as exc:
        db.session.rollback()
        if if_empty:
            click.echo(f"Demo data not loaded: {exc}.")
            return
        raise click.ClickException(
            f"{exc}. manyi demo loads only into an empty database; nothing was changed."
        ) from None
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(f"demo data could not be loaded: {exc.message}") from None
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    _echo_summary(summary)
    # What the periodic worker does at once when it starts: new cases announced, the overdue
    # ones escalated, today's alerts, e-mail. Done here so the demo shows it even without one.
    from feedback import clock
    from feedback.periodic.services import sweep

    outcomes = sweep(clock.now())
    click.echo("Periodic steps run once: " + ", ".join(
        f"{o.step} {o.count}" if o.ok else f"{o.step} ({o.error or 'running elsewhere'})"
        for o in outcomes) + ".")


def _echo_summary(summary: DemoSummary) -> None:
    click.echo("Demo province loaded: " + ", ".join(
        f"{n} {what}" for what, n in summary.counts.items()
    ) + ".")
    passwords = {account.password for account in summary.accounts}
    click.echo(f"Demo accounts (password: {' / '.join(sorted(passwords))}):")
    width = max(len(account.username) for account in summary.accounts)
    for account in summary.accounts:
        click.echo(f"  {account.username:<{width}}  {account.role.value:<10}  "
                   f"{account.display_name}  ({account.scope})")
