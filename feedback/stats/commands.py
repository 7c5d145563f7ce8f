"""``manyi stats rebuild`` and ``manyi token create|list|revoke``."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from feedback.errors import ServiceError
from feedback.extensions import db


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


@click.group("stats")
def stats_group() -> None:
    """Statistics rollups."""


@stats_group.command("rebuild")
@click.option("--window", "windows", multiple=True, metavar="CODE",
              help="Rebuild only this window's rollups (repeatable); default: all.")
@with_appcontext
def rebuild_command(windows: tuple[str, ...]) -> None:
    """Recompute the rollups from the raw evaluations, in one transaction."""
    from feedback.stats.rollups import rebuild
    from feedback.windows.queries import resolve_windows

    try:
        ids = [w.id for w in resolve_windows([c.strip() for c in windows])] if windows else None
    except ServiceError as exc:
        _fail(exc.message)
    started = time.perf_counter()
    count = rebuild(ids)
    db.session.commit()
    click.echo(f"rollups rebuilt from {count} evaluations in {time.perf_counter() - started:.1f} s")


@click.group("token")
def token_group() -> None:
    """Create, list and revoke the bearer tokens of the statistics API."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for (e.g. 省级平台).")
@with_appcontext
def create_token_command(username: str, name: str) -> None:
    """Make a token acting as USERNAME (with that user's scope) and print it, this once only."""
    from feedback.accounts.models import User
    from feedback.stats.tokens import create_api_token

    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        _fail(f"no user named {username}")
    try:
        token, value = create_api_token(None, user, name)
    except ServiceError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"created token {token.prefix} for {user.username} ({user.role.value})")
    click.echo("token, shown once — store it now (Authorization: Bearer <token>):")
    click.echo(value)


@token_group.command("list")
@click.argument("username", required=False)
@with_appcontext
def list_tokens_command(username: str | None) -> None:
    """List tokens (of USERNAME, or all): prefix, user, name, state, created, last use."""
    from feedback.accounts.models import User
    from feedback.stats.tokens import list_api_tokens

    user = None
    if username:
        user = db.session.scalar(select(User).where(User.username == username.strip()))
        if user is None:
            _fail(f"no user named {username}")
    for token in list_api_tokens(user):
        state = "active" if token.revoked_at is None else "revoked"
        last = (token.last_used_at.isoformat(timespec="minutes") if token.last_used_at
                else "never")
        created = token.created_at.isoformat(timespec="minutes")
        click.echo(f"{token.prefix}\t{token.user.username}\t{token.name or '-'}\t{state}\t"
                   f"{created}\t{last}")


@token_group.command("revoke")
@click.argument("prefix")
@with_appcontext
def revoke_token_command(prefix: str) -> None:
    """Revoke the token with this PREFIX: it is refused from now on."""
    from feedback.stats.tokens import find_api_token, revoke_api_token

    token = find_api_token(prefix)
    if token is None:
        _fail(f"no token with prefix {prefix}")
    try:
        revoke_api_token(None, token)
    except ServiceError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"revoked token {token.prefix} of {token.user.username}")
