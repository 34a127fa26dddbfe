"""Who may do what: predicates on the current user, used by every view that needs them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_login import current_user

from app.core.errors import DomainError, Forbidden

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.experts.models import Expert


class Unauthorized(DomainError):
    status = 401


def user() -> User | None:
    """The authenticated user, or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


class LoginNeeded(Exception):
    """A page for those logged in, asked for by a visitor who is not: they are sent to log
    in, then back to ``back`` (by default the page asked for; a form gives its page)."""

    def __init__(self, back: str | None = None) -> None:
        super().__init__(back)
        self.back = back


def signed_in(back: str | None = None) -> User:
    """The logged-in user of a page; the login page, then ``back``, for anyone else."""
    found = user()
    if found is None:
        raise LoginNeeded(back)
    return found


def require_user() -> User:
    found = user()
    if found is None:
        raise Unauthorized("Log in, or send a personal API token, to do this.")
    return found


def require_organiser() -> User:
    found = require_user()
    if not found.is_organiser:
        raise Forbidden("Only organisers and admins may do this.")
    return found


def require_admin() -> User:
    found = require_user()
    if not found.is_admin:
        raise Forbidden("Only admins may do this.")
    return found


def can_edit_expert(actor: User | None, expert: Expert) -> bool:
    """Owners edit their own profile; organisers edit profiles nobody owns yet; admins all."""
    if actor is None:
        return False
    if actor.is_admin or expert.user_id == actor.id:
        return True
    return actor.is_organiser and expert.user_id is None


def can_delete_expert(actor: User | None, expert: Expert) -> bool:
    """Admins delete any profile; organisers only those nobody owns."""
    if actor is None:
        return False
    return actor.is_admin or (actor.is_organiser and expert.user_id is None)
