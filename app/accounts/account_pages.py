"""``/account``: the address, a new password, the interface and mail language, and
personal API tokens. A plain Flask blueprint; the API's schemas and services do the work."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import format_date, gettext
from flask_limiter.util import get_remote_address
from flask_login import login_user

from app.accounts import mails, services
from app.accounts.forms import link_problem, load, refusals
from app.accounts.links import EMAIL_CHANGE, LinkProblem, check_token_values
from app.accounts.models import TokenScope, User
from app.accounts.schemas import EmailChangeSchema, PasswordChangeSchema, TokenCreateSchema
from app.core.errors import DomainError
from app.core.i18n import LANGUAGES, remember_language
from app.core.permissions import signed_in
from app.core.ratelimits import configured, counted, unless_invalid
from app.extensions import limiter

bp = Blueprint("account", __name__, url_prefix="/account")


def _me() -> User:
    # A form posted after the session ended comes back to the account page after login.
    return signed_in(back=url_for("account.show") if request.method != "GET" else None)


def _scope_names() -> dict[str, str]:
    return {
        TokenScope.READ: gettext("Read"),
        TokenScope.WRITE: gettext("Write"),
        TokenScope.CALENDAR: gettext("Calendar feed only"),
    }


def _page(me: User, status: int = 200, **extra: Any):
    context: dict[str, Any] = {
        "me": me,
        "SCOPE_NAMES": _scope_names(),
        "format_date": format_date,
        "tokens": services.user_tokens(me),
        "claim": services.pending_claim(me),
        "scopes": list(TokenScope),
        "errors": {},
        "form": {},
        **extra,
    }
    return render_template("accounts/account.html", **context), status


@bp.get("")
def show():
    """Your account."""
    return _page(_me())


@bp.get("/profile")
def profile():
    """Your profile's edit page (a link that needs no id, for mail and bookmarks)."""
    me = _me()
    if me.expert is None:
        return redirect(url_for("account.show"), 302)
    return redirect(url_for("expert_pages.edit", expert_id=me.expert.id), 302)


@bp.post("/password")
def change_password():
    """Change the password; every other session and every token ends."""
    me = _me()
    data, errors = load(PasswordChangeSchema(), ("current_password", "new_password"))
    try:
        if not errors:
            services.change_password(
                me, data["current_password"], data["new_password"], get_remote_address()
            )
    except DomainError as exc:
        errors = refusals(exc.errors, {"password": "new_password"})
    if errors:
        return _page(me, 422, errors=errors)
    login_user(me)  # this session carries the new session token and goes on
    return _page(me, notice="password")


@bp.post("/email")
@limiter.limit(configured("RATE_LIMIT_MAIL_LINKS"), deduct_when=unless_invalid)
def change_email():
    """Ask for a new address: a link goes to it, and the address changes once it is used."""
    me = _me()
    data, errors = load(EmailChangeSchema(), ("new_email", "email_password"))
    if not errors:
        counted()  # the address is looked up, and a link may be mailed
    try:
        if not errors:
            new_email = services.check_email_change(
                me, data["email_password"], data["new_email"], get_remote_address()
            )
    except DomainError as exc:
        errors = refusals(exc.errors, {"current_password": "email_password"})
    if errors:
        return _page(me, 422, errors=errors, form={"new_email": request.form.get("new_email")})
    mails.send_email_change(me, new_email)
    return _page(me, notice="email", pending_email=new_email)


@bp.get("/email/<token>")
def confirm_email(token: str):
    """Use the link mailed to the new address: it becomes the account's, and the old one
    is told. Needs no login: the link itself proves the mailbox."""
    found = check_token_values(EMAIL_CHANGE, token)
    if isinstance(found, LinkProblem):
        return link_problem(found.value, "email")
    me, (new_email,) = found
    try:
        old = services.change_email(me, new_email)
    except DomainError:
        return link_problem("taken", "email", 409)
    mails.send_email_changed(me, old)
    return render_template("accounts/email_changed.html", email=new_email)


@bp.post("/language")
def set_language():
    """The language of the interface and of the mail we send you."""
    me = _me()
    lang = request.form.get("language", "")
    if lang not in LANGUAGES:
        return _page(me, 422, errors={"language": _choose_language()})
    services.set_language(me, lang)
    return remember_language(redirect(url_for("account.show"), 303), lang)


def _choose_language() -> str:
    return gettext("Choose one of the languages")


@bp.post("/tokens")
@limiter.limit(configured("RATE_LIMIT_TOKENS"), deduct_when=unless_invalid)
def create_token():
    """A new token; its secret (and a calendar token's feed URL) is shown on this page once."""
    me = _me()
    fields = ("name", "expires_in_days")
    order = ("name", "scopes", "expires_in_days")  # as the form shows them
    data, errors = load(TokenCreateSchema(), fields, lists=("scopes",), order=order)
    if errors:
        form = {name: request.form.get(name, "") for name in fields}
        form["scopes"] = request.form.getlist("scopes")  # as chosen, not the default again
        return _page(me, 422, errors=errors, form=form)
    token, secret = services.create_token(me, data["name"], data["scopes"], data["expires_in_days"])
    created = {"token": token, "secret": secret, "feed_url": services.feed_url(token, secret)}
    return _page(me, 201, created=created)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    """Revoke one of your tokens."""
    services.revoke_token(_me(), token_id)
    return redirect(url_for("account.show"), 303)
