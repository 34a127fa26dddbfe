"""Page forms of accounts: load a posted form with the API's schema, and say what is
wrong with each field in the visitor's language (the schemas' own messages are English,
for the API)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import render_template, request
from flask_babel import lazy_gettext as _l

from app.accounts.passwords import MIN_LENGTH, check_password_policy
from app.accounts.services import SAME_AS_CURRENT
from app.core.errors import DomainError

# What to do about a field the schema refused, GOV.UK style: one message per field.
MESSAGES = {
    "email": _l("Enter an email address in the correct format, like name@example.org"),
    "new_email": _l("Enter an email address in the correct format, like name@example.org"),
    "password": _l("Enter a password"),
    "new_password": _l("Enter a new password"),
    "current_password": _l("Enter your current password"),
    "email_password": _l("Enter your current password"),
    "full_name": _l("Enter your full name"),
    "country": _l("Choose your country"),
    "name": _l("Enter a name for the token, up to 100 characters"),
    "scopes": _l("Choose what the token may do: reading, writing, or the calendar feed alone"),
    "expires_in_days": _l("Enter a number of days from 1 to 366"),
    "profile": _l("Choose the profile that is yours, or make a new one"),
}
GENERIC = _l("Check this field")
# A value past its field's length: the message for an empty one ("Enter your full name")
# would send the visitor looking for a mistake that is not there.
TOO_LONG = _l("Enter at most %(max)d characters")


def policy_message() -> str:
    return str(
        _l(
            "Use a password of at least %(min)d characters that is not a common one "
            "and does not repeat a short pattern",
            min=MIN_LENGTH,
        )
    )


# What the services refuse, by field (password fields: the policy).
REFUSALS = {
    "email": _l(
        "An account with this email address already exists: log in, or reset your password"
    ),
    "current_password": _l("The current password is wrong"),
    "email_password": _l("The current password is wrong"),
    "new_email": _l("This address is already yours or another account's"),
}
# A refusal of the new password that is not the policy's.
SAME_PASSWORD = _l("Choose a new password that differs from the current one")
PASSWORDS = ("password", "new_password")


def field_errors(messages: dict[str, Any], order: tuple[str, ...] = ()) -> dict[str, str]:
    """One translated message for each field the schema refused, in the form's order."""
    names = [n for n in order if n in messages] + [n for n in messages if n not in order]
    return {name: str(MESSAGES.get(name, GENERIC)) for name in names}


def refusals(errors: dict[str, Any], rename: dict[str, str] | None = None) -> dict[str, str]:
    """Translated messages for a service's refusal (a DomainError's ``errors``), each on
    its form field (``rename`` maps the service's name for a field to the form's)."""
    found = {}
    for name, reasons in errors.items():
        field = (rename or {}).get(name, name)
        if reasons == [SAME_AS_CURRENT]:
            found[field] = str(SAME_PASSWORD)
        elif field in PASSWORDS:
            found[field] = policy_message()
        else:
            found[field] = str(REFUSALS.get(field) or MESSAGES.get(field, GENERIC))
    return found


def password_problem(field: str = "password") -> dict[str, str]:
    """The policy's message for the posted password, if it breaks the policy: shown with
    the schema's errors, so that one round trip shows every problem."""
    try:
        check_password_policy(request.form.get(field, ""))
    except DomainError:
        return {field: policy_message()}
    return {}


def in_order(errors: dict[str, str], order: tuple[str, ...]) -> dict[str, str]:
    """``errors`` in the form's order (the summary lists them as the fields come)."""
    first = {name: errors[name] for name in order if name in errors}
    return first | {name: text for name, text in errors.items() if name not in order}


def load(
    schema: ma.Schema,
    fields: tuple[str, ...],
    lists: tuple[str, ...] = (),
    order: tuple[str, ...] = (),
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The posted ``fields`` (and ``lists``, fields posted many times) loaded by
    ``schema``: (data, {}) or (None, errors), errors in the form's ``order`` (default:
    the fields, then the lists)."""
    raw: dict[str, Any] = {name: request.form.get(name, "") for name in fields}
    raw.update({name: request.form.getlist(name) for name in lists})
    try:
        return schema.load(raw), {}
    except ma.ValidationError as exc:
        errors = field_errors(exc.messages, order or fields + lists)  # type: ignore[arg-type]
    for name in errors:
        longest = _max_length(schema, name)
        if longest is not None and isinstance(raw.get(name), str) and len(raw[name]) > longest:
            errors[name] = str(TOO_LONG % {"max": longest})
    return None, errors


def _max_length(schema: ma.Schema, name: str) -> int | None:
    """The most characters ``schema``'s field ``name`` takes, if a ``Length`` bounds it."""
    field = schema.fields.get(name)
    validators = getattr(field, "validators", [])
    bounds = [v.max for v in validators if isinstance(v, ma.validate.Length) and v.max]
    return min(bounds) if bounds else None


def link_problem(problem: str, kind: str, status: int = 410):
    """The page for a mailed link that cannot be used, offering a new one."""
    return render_template("accounts/link_problem.html", problem=problem, kind=kind), status
