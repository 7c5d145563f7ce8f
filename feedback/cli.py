"""The ``manyi`` command: Flask's CLI bound to Manyi, with its own commands."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from feedback.accounts.models import Role, User
from feedback.errors import ServiceError
from feedback.extensions import db


def main() -> None:
    from feedback import create_app

    cli = FlaskGroup(create_app=create_app, help="Manyi (满意): manage the application.")
    cli.main(prog_name="manyi")


def register_commands(app: Flask) -> None:
    from feedback.demo import demo_command
    from feedback.notifications.commands import mail_group
    from feedback.periodic.commands import sweep_command, worker_command
    from feedback.reports.commands import report_group
    from feedback.stats.commands import stats_group, token_group

    app.cli.add_command(user_group)
    app.cli.add_command(device_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(calendar_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(sweep_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(stats_group)
    app.cli.add_command(token_group)
    app.cli.add_command(report_group)


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Add missing reference data: service trades, the default questionnaire (idempotent)."""
    from feedback.seed import seed_reference_data

    added = seed_reference_data()
    db.session.commit()
    click.echo(f"service trades added: {added['service_categories']}")


@click.group("calendar")
def calendar_group() -> None:
    """The working-day calendar: which years are known, entering a year's holidays."""


@calendar_group.command("status")
@with_appcontext
def calendar_status_command() -> None:
    """Per year: where its holidays come from (package, admin, weekends) and the entries."""
    from feedback import clock
    from feedback.clock import local_date
    from feedback.workdays.queries import calendar_years, year_coverage

    for row in year_coverage(calendar_years(local_date(clock.now()))):
        click.echo(f"{row.year}\t{row.source}\t{row.admin_days_off} off\t"
                   f"{row.admin_working_days} working")


@calendar_group.command("import")
@click.argument("source", type=click.File("r", encoding="utf-8"))
@with_appcontext
def calendar_import_command(source) -> None:
    """Enter the days of SOURCE (a file, or - for stdin), one per line as on /admin/calendar:
    ``2027-01-01 元旦 休``, ``2027-02-11..2027-02-17 春节 休``. All lines or none."""
    from feedback.workdays.services import CalendarInputError, enter_calendar_days

    try:
        result = enter_calendar_days(None, source.read())
    except CalendarInputError as exc:
        _fail("\n".join(exc.errors))
    db.session.commit()
    click.echo(f"entered {len(result.added)} days, {result.unchanged} already were")


@click.group("user")
def user_group() -> None:
    """Create, list and disable users."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--scope", "scopes", multiple=True, metavar="CODE",
              help="Org unit code (supervisor, operator), window code (manager, repeatable) "
                   "or badge number (staff).")
@click.option("--name", "display_name", default="", help="Full name shown in the interface.")
@click.option("--email", default="", help="E-mail address inbox messages are also sent to.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (never from the command line).")
@with_appcontext
def create_user_command(username: str, role: str, scopes: tuple[str, ...], display_name: str,
                        email: str, password_stdin: bool) -> None:
    """Create USERNAME with ROLE and its scope; the password is read from stdin."""
    from feedback.accounts.services import create_user
    from feedback.orgs.queries import resolve_unit
    from feedback.windows.queries import resolve_staff, resolve_windows

    password = sys.stdin.readline().rstrip("\r\n")
    role_ = Role(role)
    try:
        kwargs: dict = {}
        if role_ in (Role.SUPERVISOR, Role.OPERATOR):
            if len(scopes) != 1:
                raise ServiceError(f"--scope takes exactly one org unit code for {role}")
            kwargs["org_unit"] = resolve_unit(scopes[0])
        elif role_ == Role.MANAGER:
            kwargs["windows"] = resolve_windows(list(scopes))
        elif role_ == Role.STAFF:
            if len(scopes) != 1:
                raise ServiceError("--scope takes exactly one badge number for staff")
            kwargs["staff"] = resolve_staff(scopes[0])
        elif scopes:
            raise ServiceError("administrators see everything: --scope does not apply")
        user = create_user(None, username=username, password=password, role=role_,
                           display_name=display_name, email=email, **kwargs)
    except ServiceError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"created {user.username} ({user.role.value})")


@user_group.command("list")
@with_appcontext
def list_users_command() -> None:
    """List users with role, scope and state."""
    users = db.session.scalars(select(User).order_by(User.username))
    for user in users:
        if user.org_unit is not None:
            scope = user.org_unit.code
        elif user.windows:
            scope = ",".join(w.code for w in user.windows)
        elif user.staff is not None:
            scope = user.staff.badge_no
        else:
            scope = "*" if user.role == Role.ADMIN else "-"
        state = "active" if user.active else "disabled"
        last = user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "never"
        click.echo(f"{user.username}\t{user.role.value}\t{scope}\t{state}\t{last}")


@user_group.command("disable")
@click.argument("username")
@with_appcontext
def disable_user_command(username: str) -> None:
    """Disable USERNAME: their sessions end at the next request."""
    from feedback.accounts.services import disable_user

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        _fail(f"no user named {username}")
    disable_user(None, user)
    db.session.commit()
    click.echo(f"disabled {username}")


@click.group("device")
def device_group() -> None:
    """Create, list and revoke the keys of rating devices and queuing systems."""


@device_group.command("create")
@click.argument("name")
@click.option("--window", "windows", multiple=True, required=True, metavar="CODE",
              help="Code of a window the device may rate and issue tokens for (repeatable).")
@with_appcontext
def create_device_command(name: str, windows: tuple[str, ...]) -> None:
    """Create a device NAME for the given windows and print its key (shown this once only)."""
    from feedback.evaluations.devices import create_device
    from feedback.windows.queries import resolve_windows

    try:
        device, key = create_device(None, name, resolve_windows([w.strip() for w in windows]))
    except ServiceError as exc:
        _fail(exc.message)
    db.session.commit()
    codes = ", ".join(w.code for w in device.windows)
    click.echo(f"created device {device.name} (prefix {device.key_prefix}) for {codes}")
    click.echo("key, shown once — configure the device with it now:")
    click.echo(key)


@device_group.command("list")
@with_appcontext
def list_devices_command() -> None:
    """List devices: key prefix, name, windows, state, last use."""
    from feedback.evaluations.models import Device

    for device in db.session.scalars(select(Device).order_by(Device.name, Device.id)):
        codes = ",".join(sorted(w.code for w in device.windows)) or "-"
        state = "active" if device.active else "revoked"
        last = (device.last_used_at.isoformat(timespec="minutes") if device.last_used_at
                else "never")
        click.echo(f"{device.key_prefix}\t{device.name}\t{codes}\t{state}\t{last}")


@device_group.command("revoke")
@click.argument("name_or_prefix")
@with_appcontext
def revoke_device_command(name_or_prefix: str) -> None:
    """Revoke a device by name or key prefix: its key is refused from now on."""
    from feedback.evaluations.devices import find_device, revoke_device

    try:
        device = find_device(name_or_prefix)
        if device is None:
            raise ServiceError(f"no device named or prefixed {name_or_prefix}")
        revoke_device(None, device)
    except ServiceError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"revoked {device.name} (prefix {device.key_prefix})")
