"""Who is calling: a session cookie (Flask-Login) or a personal API token (Bearer).

The cookie stores the user's rotating ``session_token``, not the user id: rotating
it (logout, password change, deactivation) makes every old cookie useless.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

import sqlalchemy as sa
from flask import Flask, current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import orm

from app.accounts.models import ApiToken, TokenScope, User
from app.core.db import skipped_if_locked
from app.core.errors import Forbidden
from app.core.models import utcnow
from app.core.permissions import Unauthorized
from app.core.requests import SAFE_METHODS, view_marked
from app.extensions import db, login_manager


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# Every authenticated request runs one of these two. Each is built once (on first use: the
# mappers are complete only then), for SQLAlchemy keys a statement object once, not on each
# request (~0.1 ms a request).
@functools.cache
def _session_user() -> sa.Select:
    token = sa.bindparam("session_token", type_=User.session_token.type)
    return sa.select(User).where(User.session_token == token, User.active.is_(True))


@functools.cache
def _token() -> sa.Select:
    """A token by its hash, and its user in the same statement."""
    token_hash = sa.bindparam("token_hash", type_=ApiToken.token_hash.type)
    return (
        sa.select(ApiToken)
        .options(orm.joinedload(ApiToken.user))
        .where(ApiToken.token_hash == token_hash)
    )


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return db.session.scalars(_session_user(), {"session_token": session_token}).one_or_none()


FEED_ATTR = "calendar_feed"


def calendar_feed(view):
    """Mark a view as a calendar feed: a calendar-scoped token may read it, from the URL too."""
    setattr(view, FEED_ATTR, True)
    return view


def _presented_token(req) -> tuple[str, bool]:
    """The token's secret, and whether it came in the URL (only a feed takes it there)."""
    scheme, _, secret = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return secret.strip(), False
    in_url = req.args.get("token", "").strip()
    if in_url and view_marked(FEED_ATTR):
        return in_url, True
    return "", False


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    secret, in_url = _presented_token(req)
    if not secret:
        return None
    token = db.session.scalars(_token(), {"token_hash": hash_token(secret)}).one_or_none()
    if token is None or not token.usable_at(utcnow()) or not token.user.active:
        return None
    if in_url and not token.calendar_only:
        return None  # a token that can do more never travels in a URL
    g.api_token = token
    return token.user


@login_manager.unauthorized_handler
def _unauthorized():
    raise Unauthorized("Log in, or send a personal API token, to do this.")


def via_token() -> bool:
    """Whether this request is authenticated by a bearer token (not a cookie)."""
    return g.get("api_token") is not None


# Stamping "_seen" changes the session, so the cookie is signed and sent again: once a
# minute is enough for an idle limit counted in minutes (a session may idle up to a
# minute past it), and spares the other responses the work and the Set-Cookie.
SEEN_EVERY = 60


def _session_expired(now: float) -> bool:
    created, seen = session.get("_created"), session.get("_seen")
    if created is None or seen is None:
        return False
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    return now - seen > idle or now - created > absolute


def enforce_session_lifetime() -> None:
    """End a cookie session that idled or lived too long; stamp the ones that go on (at
    most every :data:`SEEN_EVERY` seconds)."""
    if via_token() or "_user_id" not in session:
        return
    now = utcnow().timestamp()
    if _session_expired(now):
        logout_user()
        session.clear()
        return
    session.setdefault("_created", now)
    if now - session.get("_seen", 0) >= SEEN_EVERY:
        session["_seen"] = now


def enforce_token_scope() -> None:
    token = g.get("api_token")
    if token is None:
        return
    if token.calendar_only:
        if not view_marked(FEED_ATTR):
            raise Forbidden("This token only reads your calendar feed.")
        return
    writes = request.method not in SAFE_METHODS
    if writes and TokenScope.WRITE not in token.scopes:
        raise Forbidden("This token may only read; create one with the write scope.")


def touch_token() -> None:
    """Record when a token was last used, at most once a minute: bookkeeping, which never
    fails or holds up the request.

    Requests with one token come in bursts, and once a minute all of them find the stamp
    stale. The first stamps it; the others pass: on PostgreSQL the row another request is
    stamping is skipped (``SKIP LOCKED``), not waited for until it commits; on SQLite a
    reading request that cannot take the write lock at once (another writer, very likely
    stamping the same token, holds it or committed under its snapshot) goes on without
    (``skipped_if_locked``).
    """
    token = g.get("api_token")
    if token is None:
        return
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at <= TOKEN_STAMP_EVERY:
        return
    with skipped_if_locked():
        stale = now - TOKEN_STAMP_EVERY
        db.session.execute(
            _stamp_token(), {"token_id": token.id, "stamped_at": now, "stale": stale}
        )


TOKEN_STAMP_EVERY = dt.timedelta(minutes=1)


@functools.cache
def _stamp_token() -> sa.Update:
    stamp = ApiToken.last_used_at
    stale = (
        sa.select(ApiToken.id)
        .where(
            ApiToken.id == sa.bindparam("token_id"),
            sa.or_(stamp.is_(None), stamp < sa.bindparam("stale", type_=stamp.type)),
        )
        .with_for_update(skip_locked=True)
    )
    return (
        sa.update(ApiToken)
        .where(ApiToken.id.in_(stale.scalar_subquery()))
        .values(last_used_at=sa.bindparam("stamped_at", type_=stamp.type))
        .execution_options(synchronize_session=False)
    )


def authenticate() -> None:
    # A request normally brings a fresh ``g``; one that shares an outer app context (a
    # test, a CLI command) must not inherit the previous request's user.
    g.pop("_login_user", None)
    g.pop("api_token", None)
    # Resolve the user first, so the checks below know how the request is authenticated.
    _ = current_user.is_authenticated
    enforce_session_lifetime()
    enforce_token_scope()
    touch_token()


def begin_session(user: User, remember: bool = False) -> None:
    """Log ``user`` in on a fresh session: nothing from before login survives."""
    from app.audit.services import record

    session.clear()
    session["_sid"] = secrets.token_urlsafe(16)
    login_user(user, remember=remember)
    record("login", "user", user.id)


def end_session(user: User) -> None:
    """Log out, ending every cookie session of ``user`` (the session token rotates)."""
    from app.audit.services import record

    user.rotate_session_token()
    record("logout", "user", user.id)
    logout_user()
    session.clear()


def register_auth(app: Flask) -> None:
    from app.accounts.csrf import check_csrf, csrf_token

    login_manager.init_app(app)
    app.jinja_env.globals["csrf_token"] = csrf_token  # for the hidden field of page forms
    app.before_request(authenticate)
    app.before_request(check_csrf)
