"""Account services. They add and flush; the caller commits."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.accounts.passwords import MAX_LENGTH, MIN_LENGTH, hash_password
from app.core.errors import Conflict, DomainError
from app.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_policy(password: str) -> None:
    """Length rules only: no composition rules (NIST SP 800-63B)."""
    if len(password) < MIN_LENGTH:
        raise DomainError(
            "The password is too short.",
            {"password": [f"Use at least {MIN_LENGTH} characters."]},
        )
    if len(password) > MAX_LENGTH:
        raise DomainError(
            "The password is too long.",
            {"password": [f"Use at most {MAX_LENGTH} characters."]},
        )


def create_user(email: str, password: str, role: Role = Role.EXPERT) -> User:
    """Create an active user; refuses an email already in use."""
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict("A user with this email already exists.", {"email": ["Already in use."]})
    check_password_policy(password)
    user = User(email=email, password_hash=hash_password(password), role=role)
    db.session.add(user)
    db.session.flush()
    return user
