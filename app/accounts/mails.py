"""The mail accounts send: the verification link and the password reset link."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from app.accounts.links import EMAIL_CHANGE, RESET, VERIFY, make_token
from app.accounts.models import User
from app.core import mail
from app.extensions import db


def _hours(setting: str) -> int:
    return int(current_app.config[setting].total_seconds() // 3600)


def send_verification(user: User) -> None:
    """Mail ``user`` a link that proves the address is theirs."""
    link = mail.absolute_url("accounts.verify", token=make_token(VERIFY, user))
    mail.send(user.email, "verify", user.language, link=link, hours=_hours("VERIFY_LINK_MAX_AGE"))


def send_password_reset(user: User) -> None:
    """Mail ``user`` a link that sets a new password."""
    link = mail.absolute_url("accounts.reset_password", token=make_token(RESET, user))
    mail.send(
        user.email, "password_reset", user.language, link=link, hours=_hours("RESET_LINK_MAX_AGE")
    )


def send_email_change(user: User, new_email: str) -> None:
    """Mail the new address a link that makes it the account's."""
    link = mail.absolute_url(
        "account.confirm_email", token=make_token(EMAIL_CHANGE, user, new_email)
    )
    mail.send(
        new_email,
        "email_change",
        user.language,
        link=link,
        hours=_hours("EMAIL_CHANGE_LINK_MAX_AGE"),
    )


def send_email_changed(user: User, old_email: str) -> None:
    """Tell the old address it no longer signs in, in case the change was not its owner's."""
    mail.send(old_email, "email_changed", user.language, new_email=user.email)


def active_user_by_email(email: str) -> User | None:
    email = email.strip().lower()
    return db.session.scalars(
        sa.select(User).where(User.email == email, User.active.is_(True))
    ).one_or_none()


def resend_verification(email: str) -> None:
    """A new link for an address still unverified; nothing (and no sign) otherwise."""
    user = active_user_by_email(email)
    if user is not None and not user.email_verified:
        send_verification(user)


def request_password_reset(email: str) -> None:
    """A reset link for an active account with this address; nothing (and no sign) otherwise."""
    user = active_user_by_email(email)
    if user is not None:
        send_password_reset(user)
