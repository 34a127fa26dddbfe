"""CSRF protection for cookie sessions: state-changing requests carry ``X-CSRF-Token``,
or, from a page's form, a ``csrf_token`` field.

The token is a random value kept in the (signed) session; bearer-token requests
are exempt, since a browser never adds an Authorization header by itself.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session
from flask_login import current_user

from app.accounts.auth import via_token
from app.core.errors import DomainError
from app.core.requests import SAFE_METHODS

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
_FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class CsrfFailed(DomainError):
    status = 403


def csrf_token() -> str:
    """This session's token, created on first use."""
    token = session.get("_csrf")
    if token is None:
        token = session["_csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    if request.method in SAFE_METHODS or via_token() or not current_user.is_authenticated:
        return
    sent = request.headers.get(HEADER, "") or _sent_in_form()
    expected = session.get("_csrf", "")
    if not (sent and expected and hmac.compare_digest(sent, expected)):
        raise CsrfFailed(
            "Missing or wrong CSRF token.",
            {"headers": [f"Send the {HEADER} header given by GET /api/v1/auth/csrf."]},
        )


def _sent_in_form() -> str:
    """The token a page's form posts (never read from API bodies, which are JSON)."""
    if request.path.startswith("/api/") or request.mimetype not in _FORMS:
        return ""
    return request.form.get(FIELD, "")
