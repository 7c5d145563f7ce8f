"""Bearer tokens of the statistics API: made for a user, acting with that user's scope.

``Authorization: Bearer mst_<prefix>_<secret>``. The token is returned once by
``create_api_token`` (``manyi token create USERNAME``); only its prefix (to find it) and a
SHA-256 hash (to check it) are kept. Revoked tokens and tokens of disabled users are refused.
Services flush only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from feedback import clock
from feedback.accounts.models import User
from feedback.audit.services import record
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.stats.models import ApiToken

TOKEN_SCHEME = "mst"  # noqa: S105  (the prefix of every token, not a secret)
PREFIX_LENGTH = 8
SECRET_LENGTH = 32
_PREFIX_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_SECRET_ALPHABET = string.ascii_letters + string.digits
TOKEN_RE = re.compile(
    rf"{TOKEN_SCHEME}_([{_PREFIX_ALPHABET}]{{{PREFIX_LENGTH}}})_([A-Za-z0-9]{{{SECRET_LENGTH}}})"
)
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """SHA-256 (hex) of the whole token. The secret is 190 random bits: no salt needed."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def create_api_token(actor: User | None, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a token for ``user``; return it and the secret value (shown once, never stored).

    Raises ``ServiceError`` for a disabled user or a name over 120 characters. Audited as
    ``api_token.create``.
    """
    name = " ".join(name.split())
    if len(name) > 120:
        raise ServiceError(_("A token name has at most 120 characters."), "name")
    if not user.active:
        raise ServiceError(_("The user %(name)s is disabled.", name=user.username))
    prefix = _unused_prefix()
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    value = f"{TOKEN_SCHEME}_{prefix}_{secret}"
    token = ApiToken(user=user, name=name, prefix=prefix, token_hash=hash_token(value),
                     created_at=clock.now())
    db.session.add(token)
    db.session.flush()
    record(actor, "api_token.create", token,
           {"user": user.username, "prefix": prefix, "name": name})
    return token, value


def _unused_prefix() -> str:
    while True:
        prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        if db.session.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix)) is None:
            return prefix


def check_api_token(value: str | None) -> ApiToken | None:
    """The token ``value`` is, if it is valid, not revoked and its user active; else None.

    Reads only; the hash is compared in constant time.
    """
    match = TOKEN_RE.fullmatch(value or "")
    if match is None:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == match.group(1)))
    if token is None or not hmac.compare_digest(token.token_hash, hash_token(value or "")):
        return None
    if token.revoked_at is not None or not token.user.active:
        return None
    return token


def touch_api_token(token: ApiToken) -> None:
    """Record the token's use, at most once a minute (a conditional UPDATE; flushes only)."""
    now = clock.now()
    if token.last_used_at is not None and token.last_used_at > now - LAST_USED_RESOLUTION:
        return
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id,
               or_(ApiToken.last_used_at.is_(None),
                   ApiToken.last_used_at <= now - LAST_USED_RESOLUTION))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    token.last_used_at = now


def list_api_tokens(user: User | None = None) -> list[ApiToken]:
    """Tokens (of ``user``, or everyone's), newest first."""
    query = select(ApiToken).join(ApiToken.user).order_by(ApiToken.created_at.desc(),
                                                            ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query))


def find_api_token(prefix: str) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix.strip()))


def revoke_api_token(actor: User | None, token: ApiToken) -> None:
    """Refuse the token from now on. Raises ``ServiceError`` if revoked already; audited."""
    if token.revoked_at is not None:
        raise ServiceError(_("The token %(prefix)s is revoked already.", prefix=token.prefix))
    token.revoked_at = clock.now()
    record(actor, "api_token.revoke", token,
           {"user": token.user.username, "prefix": token.prefix})
