"""Signed, expiring, single-use links mailed to users: email verification, password reset,
a new address.

A token carries the user's id and a fingerprint of the state the link is meant to
change (the address and whether it was verified; the password hash). Using the link
changes that state, so the same token no longer matches: it works once, with no table of
used tokens. It also stops working after its maximum age (settings ``*_LINK_MAX_AGE``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts.models import User
from app.extensions import db


class LinkProblem(Enum):
    EXPIRED = "expired"
    INVALID = "invalid"  # tampered, for another purpose, or already used


@dataclass(frozen=True)
class Purpose:
    salt: str
    max_age_setting: str
    state: Callable[[User], str]  # what using the link changes

    def fingerprint(self, user: User) -> str:
        return hashlib.sha256(f"{self.salt}|{self.state(user)}".encode()).hexdigest()[:24]


VERIFY = Purpose(
    "verify-email", "VERIFY_LINK_MAX_AGE", lambda u: f"{u.email}|{u.email_verified_at}"
)
RESET = Purpose("reset-password", "RESET_LINK_MAX_AGE", lambda u: u.password_hash)
# Carries the new address (signed, so it cannot be swapped); void once the address changes.
EMAIL_CHANGE = Purpose("change-email", "EMAIL_CHANGE_LINK_MAX_AGE", lambda u: u.email)


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose.salt)


def make_token(purpose: Purpose, user: User, *values: str) -> str:
    """A token for ``user``, carrying ``values`` (signed, not secret)."""
    return _serializer(purpose).dumps([user.id, purpose.fingerprint(user), *values])


def check_token(purpose: Purpose, token: str) -> User | LinkProblem:
    """The user the token was made for, while it is unused and young enough."""
    found = check_token_values(purpose, token)
    return found if isinstance(found, LinkProblem) else found[0]


def check_token_values(purpose: Purpose, token: str) -> tuple[User, list[str]] | LinkProblem:
    """The user the token was made for and the values it carries, while it is unused and
    young enough."""
    max_age = current_app.config[purpose.max_age_setting].total_seconds()
    try:
        user_id, fingerprint, *values = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        return LinkProblem.EXPIRED
    except (BadSignature, ValueError, TypeError):
        return LinkProblem.INVALID
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or purpose.fingerprint(user) != fingerprint:
        return LinkProblem.INVALID
    return user, values
