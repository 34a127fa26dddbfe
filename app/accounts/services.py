"""Account services. They add and flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy import orm

from app.accounts import throttle
from app.accounts.auth import hash_token
from app.accounts.models import ApiToken, ClaimStatus, ProfileClaim, Role, TokenScope, User
from app.accounts.passwords import (
    check_password_policy,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from app.audit.services import record
from app.core.cache import mark_directory_changed
from app.core.errors import Conflict, DomainError, NotFound
from app.core.lookup import get_or_404
from app.core.models import utcnow
from app.core.permissions import Unauthorized
from app.experts.models import Expert
from app.extensions import db
from app.reference.models import Country

TOKEN_PREFIX = "eb_"
# Why a new password was refused when it is the current one (the pages translate it).
SAME_AS_CURRENT = "Same as the current."


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    email: str, password: str, role: Role = Role.EXPERT, *, verified: bool = True
) -> User:
    """Create an active user; refuses an email already in use and a weak password. An
    address someone typed at registration is ``verified=False`` until its link is used."""
    email = normalise_email(email)
    _check_email_free(email)
    check_password_policy(password)
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_expert(data: dict[str, Any], language: str | None = None) -> User:
    """A new expert: a user with the expert role and their own profile, private until the
    address is verified; ``language`` is the one their mail is written in."""
    if db.session.get(Country, data["country"]) is None:
        raise DomainError("Unknown country.", {"country": ["No such country."]})
    user = create_user(data["email"], data["password"], Role.EXPERT, verified=False)
    user.language = language
    expert = Expert(
        full_name=data["full_name"],
        country_code=data["country"],
        other_names=data.get("other_names") or [],
        biography=data.get("biography"),
        languages=data.get("languages") or [],
        verified=False,
        user=user,
    )
    db.session.add(expert)
    db.session.flush()
    return user


def _check_email_free(email: str, field: str = "email") -> None:
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict("A user with this email already exists.", {field: ["Already in use."]})


def authenticate(email: str, password: str, address: str) -> User:
    """The user with these credentials, or 401; 429 once ``address`` used up its tries.

    A try is reserved before the password is checked (:mod:`app.accounts.throttle`), so
    parallel guesses get no more tries than the limit. An unknown email costs one argon2
    verification too, so the answer and its timing are the same as for a wrong password.
    """
    email = normalise_email(email)
    with throttle.attempt(email, address):
        user = _check_credentials(email, password)
    _note_login(user, password)
    return user


def _note_login(user: User, password: str) -> None:
    """When the user last logged in, and their hash renewed if its parameters changed.

    Bookkeeping, not an edit: written straight to the row, without the version check an
    edit gets, so two logins at once, or a login while an admin edits the account, never
    turn one of them into a 409.
    """
    values: dict[str, Any] = {"last_login_at": utcnow()}
    if needs_rehash(user.password_hash):
        values["password_hash"] = hash_password(password)
    db.session.execute(
        sa.update(User).where(User.id == user.id).values(**values),
        execution_options={"synchronize_session": False},
    )
    for key, value in values.items():
        orm.attributes.set_committed_value(user, key, value)


def _check_credentials(email: str, password: str) -> User:
    user = db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()
    if user is None:
        verify_password(dummy_hash(), password)
        raise Unauthorized("Wrong email or password.")
    if not verify_password(user.password_hash, password) or not user.active:
        raise Unauthorized("Wrong email or password.")
    return user


def revoke_all_tokens(user: User) -> None:
    """Revoke every personal token of the user, calendar tokens included."""
    now = utcnow()
    for token in db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now


def pending_claim(user: User) -> ProfileClaim | None:
    """The user's claim to a listed profile that still awaits an admin, if any."""
    return db.session.scalars(
        sa.select(ProfileClaim)
        .where(ProfileClaim.user_id == user.id, ProfileClaim.status == ClaimStatus.PENDING)
        .order_by(ProfileClaim.id.desc())
    ).first()


def verify_email(user: User) -> None:
    """The address is proven; the user's profile becomes public."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        mark_directory_changed(db.session)  # cached public lists did not show the profile
        record("verify_email", "user", user.id)
    db.session.flush()


def reset_password(user: User, new: str) -> None:
    """Set a password from a mailed link: every session and token of the user ends. The
    link reached the mailbox, so the address counts as verified too."""
    check_password_policy(new)
    user.password_hash = hash_password(new)
    user.rotate_session_token()
    revoke_all_tokens(user)
    record("reset_password", "user", user.id)
    verify_email(user)


def set_language(user: User, language: str | None) -> None:
    user.language = language
    db.session.flush()


def _check_current_password(user: User, current: str, address: str) -> None:
    """Whether ``current`` is the password, counted as a login is
    (:func:`throttle.attempt`): a session left open must not become a way to guess the
    password, nor to spend the server's memory on argon2 without limit."""
    with throttle.attempt(user.email, address):
        if not verify_password(user.password_hash, current):
            raise DomainError(
                "The current password is wrong.", {"current_password": ["Wrong password."]}
            )


def change_password(user: User, current: str, new: str, address: str) -> None:
    """Needs the current password (checked as a login from ``address`` is); every other
    session and every token of the user ends."""
    _check_current_password(user, current, address)
    if new == current:
        raise DomainError(
            "The new password is the current one.", {"new_password": [SAME_AS_CURRENT]}
        )
    check_password_policy(new)
    user.password_hash = hash_password(new)
    user.rotate_session_token()
    revoke_all_tokens(user)
    db.session.flush()


def check_email_change(user: User, current: str, new_email: str, address: str) -> str:
    """The new address, normalised, once the password is right (checked as a login from
    ``address`` is) and no account (this one included) has it. It takes effect only when
    its mailed link is used (:func:`change_email`)."""
    _check_current_password(user, current, address)
    email = normalise_email(new_email)
    if email == user.email:
        raise Conflict("This is already your address.", {"new_email": ["Already yours."]})
    _check_email_free(email, "new_email")
    return email


def change_email(user: User, email: str) -> str:
    """The link mailed to ``email`` was used: it becomes the account's address, verified.
    Returns the old address (to tell its owner)."""
    _check_email_free(email, "new_email")  # another account may have taken it meanwhile
    old, user.email = user.email, email
    if user.email_verified_at is None:  # proven now: the profile becomes public
        mark_directory_changed(db.session)
    user.email_verified_at = utcnow()
    record("change_email", "user", user.id, {"email": [old, email]})
    db.session.flush()
    return old


def create_token(
    user: User, name: str, scopes: list[TokenScope], days: int
) -> tuple[ApiToken, str]:
    """A new personal token and its secret, which is never stored and shown only now."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=hash_token(secret),
        scopes=sorted({s.value for s in scopes}),
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def feed_url(token: ApiToken, secret: str) -> str | None:
    """Where a calendar program subscribes with a calendar token (None for other tokens)."""
    if not token.calendar_only:
        return None
    return url_for("schedule.MyCalendar", token=secret, _external=True)


def user_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        )
    )


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens; anyone else's is 404, as if it did not exist."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    db.session.flush()


def users_query(filters: dict[str, Any]) -> sa.Select:
    stmt = sa.select(User).order_by(User.id)
    if "role" in filters:
        stmt = stmt.where(User.role == filters["role"])
    if "active" in filters:
        stmt = stmt.where(User.active.is_(filters["active"]))
    if filters.get("q"):
        stmt = stmt.where(User.email.contains(filters["q"].lower(), autoescape=True))
    return stmt


def get_user(user_id: int) -> User:
    return get_or_404(User, user_id, "user")


def update_user(actor: User, user: User, changes: dict[str, Any]) -> User:
    """An admin changes a role or (de)activates; deactivation ends every session."""
    if user.id == actor.id and (
        changes.get("active") is False or changes.get("role", Role.ADMIN) != Role.ADMIN
    ):
        raise Conflict(
            "Admins cannot demote or deactivate themselves.", {"role": ["Ask another admin."]}
        )
    if "role" in changes:
        user.role = changes["role"]
    if "active" in changes and changes["active"] != user.active:
        user.active = changes["active"]
        if not user.active:
            user.rotate_session_token()
            record("deactivate", "user", user.id)
    db.session.flush()
    return user
