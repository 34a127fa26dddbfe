"""Account pages: register, verify the address, log in and out, reset a password.

A plain Flask blueprint that maps URLs; forms are loaded with the API's schemas and
handled by the API's services. The links mailed here never log anyone in: a link in a
mailbox may be forwarded, or opened by a mail scanner, and logging in takes the password.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_limiter.util import get_remote_address

from app.accounts import mails, registration, services
from app.accounts.auth import begin_session, end_session
from app.accounts.forms import MESSAGES, in_order, link_problem, load, password_problem, refusals
from app.accounts.links import RESET, VERIFY, LinkProblem, check_token
from app.accounts.schemas import EmailOnlySchema, LoginSchema, PasswordResetSchema, RegisterSchema
from app.core.errors import DomainError
from app.core.i18n import language, name_in, remember_language
from app.core.permissions import Unauthorized, user
from app.core.ratelimits import configured, counted, unless_invalid
from app.core.redirects import safe_next
from app.extensions import db, limiter
from app.reference.models import Country

bp = Blueprint("accounts", __name__)

REGISTER_FIELDS = ("email", "password", "full_name", "country")


def _limit(name: str):
    return limiter.limit(configured(name), methods=["POST"], deduct_when=unless_invalid)


def _countries() -> list[tuple[str, str]]:
    """(code, name in the interface language), by name."""
    lang = language()
    named = [
        (c.code, name_in(lang, en=c.name_en, ru=c.name_ru, kk=c.name_kk))
        for c in db.session.scalars(sa.select(Country))
    ]
    return sorted(named, key=lambda pair: pair[1])


def _register_page(errors=None, status=200, candidates=()):
    form = {name: request.form.get(name, "") for name in REGISTER_FIELDS if name != "password"}
    return render_template(
        "accounts/register.html",
        form=form,
        errors=errors or {},
        candidates=candidates,
        centre_of=registration.latest_centre,
        countries=_countries(),
    ), status


@bp.route("/register", methods=["GET", "POST"])
@_limit("RATE_LIMIT_REGISTER")
def register():
    """Register: a new profile, or (when the name matches profiles nobody owns) a claim."""
    if request.method == "GET":
        return _register_page()
    data, errors = load(RegisterSchema(), REGISTER_FIELDS)
    if errors:
        errors = in_order({**password_problem(), **errors}, REGISTER_FIELDS)
        offered = request.form.get("offered") and "full_name" not in errors
        if offered:
            counted()  # the names are looked up again
        found = registration.candidates(request.form["full_name"]) if offered else []
        return _register_page(errors, 422, found)
    counted()  # from here on, names and the address are looked up
    choice = request.form.get("profile", "")
    found = registration.candidates(data["full_name"])
    if found and not choice:  # the password is typed again, never echoed
        unanswered = {"profile": str(MESSAGES["profile"])} if request.form.get("offered") else {}
        return _register_page(unanswered, 422 if unanswered else 200, found)
    try:
        new_user, claim = registration.register(data, choice, language())
    except DomainError as exc:  # the address is taken (409), say
        return _register_page(refusals(exc.errors), exc.status, found)
    return render_template("accounts/registered.html", email=new_user.email, claim=claim)


@bp.get("/verify/<token>")
def verify(token: str):
    """Use the mailed link: the address is verified and the profile becomes public."""
    found = check_token(VERIFY, token)
    if isinstance(found, LinkProblem):
        return link_problem(found.value, "verify")
    services.verify_email(found)
    return render_template(
        "accounts/verified.html",
        logged_in=user() is found,
        me=found,
        claim=services.pending_claim(found),
    )


@bp.post("/verify/resend")
@_limit("RATE_LIMIT_MAIL_LINKS")
def resend_verification():
    """A new verification link; the same answer whether or not the address is known."""
    data, errors = load(EmailOnlySchema(), ("email",))
    if errors:
        return render_template("accounts/link_problem.html", kind="verify", errors=errors), 422
    mails.resend_verification(data["email"])
    return render_template("accounts/check_mail.html", kind="verify")


def _login_page(errors=None, status=200, next_url="/"):
    form = {"email": request.form.get("email", ""), "next": next_url}
    return render_template("accounts/login.html", form=form, errors=errors or {}), status


@bp.route("/login", methods=["GET", "POST"])
@_limit("RATE_LIMIT_LOGIN_ADDRESS")
def login():
    """Log in; then go to ``next`` if it is a page of this site."""
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        return _login_page(next_url=next_url)
    data, errors = load(LoginSchema(), ("email", "password", "next"))
    if errors:
        return _login_page(errors, 422, next_url)
    counted()  # an attempt at the password, whatever its answer
    try:
        found = services.authenticate(data["email"], data["password"], get_remote_address())
    except Unauthorized:
        return _login_page({"email": _wrong_login()}, 422, next_url)
    begin_session(found, remember=bool(request.form.get("remember")))
    response = redirect(safe_next(data["next"]), 303)
    return remember_language(response, found.language) if found.language else response


def _wrong_login() -> str:
    return gettext("The email address or the password is wrong")


@bp.post("/logout")
def logout():
    """Log out, ending every session of this user."""
    current = user()
    if current is not None:
        end_session(current)
    return redirect(url_for("site.home"), 303)


@bp.route("/password-reset", methods=["GET", "POST"])
@_limit("RATE_LIMIT_MAIL_LINKS")
def password_reset():
    """Ask for a reset link; the same answer whether or not the address has an account."""
    if request.method == "GET":
        return render_template("accounts/password_reset.html", form={}, errors={})
    data, errors = load(EmailOnlySchema(), ("email",))
    if errors:
        form = {"email": request.form.get("email", "")}
        return render_template("accounts/password_reset.html", form=form, errors=errors), 422
    mails.request_password_reset(data["email"])
    return render_template("accounts/check_mail.html", kind="reset")


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from the mailed link: every session and API token ends."""
    found = check_token(RESET, token)
    if isinstance(found, LinkProblem):
        return link_problem(found.value, "reset")
    if request.method == "GET":
        return render_template("accounts/new_password.html", errors={})
    data, errors = load(PasswordResetSchema(), ("password",))
    try:
        if not errors:
            services.reset_password(found, data["password"])
    except DomainError as exc:
        errors = refusals(exc.errors)
    if errors:
        return render_template("accounts/new_password.html", errors=errors), 422
    if user() is found:
        end_session(found)
    return render_template("accounts/password_changed.html")
