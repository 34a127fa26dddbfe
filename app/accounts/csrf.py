"""CSRF protection for cookie sessions: state-changing requests carry ``X-CSRF-Token``,
or, from a page's form, a ``csrf_token`` field.

The token is a random value kept in the (signed) session; bearer-token requests
are exempt, since a browser never adds an Authorization header by itself. Anonymous
requests are checked when they post a page's form, so another site cannot log a visitor
in to its own account (login CSRF) or send mail in their name; the language switcher,
which only sets the visitor's own cookie, is the one form exempt.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.auth import via_token
from app.core.errors import DomainError
from app.core.requests import SAFE_METHODS

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
_FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class CsrfFailed(DomainError):
    status = 403
    page_explanation = _l(
        "This form has expired, or it was sent from another site. Go back, reload the "
        "page and send the form again."
    )


def csrf_token() -> str:
    """This session's token, created on first use."""
    token = session.get("_csrf")
    if token is None:
        token = session["_csrf"] = secrets.token_urlsafe(32)
    return token


# Forms an anonymous visitor may post without a token.
ANONYMOUS_EXEMPT = frozenset({"site.set_language"})


def check_csrf() -> None:
    if request.method in SAFE_METHODS or via_token():
        return
    if not current_user.is_authenticated and (
        not _page_form() or request.endpoint in ANONYMOUS_EXEMPT
    ):
        return
    sent = request.headers.get(HEADER, "") or _sent_in_form()
    expected = session.get("_csrf", "")
    if not (sent and expected and hmac.compare_digest(sent, expected)):
        raise CsrfFailed(
            "Missing or wrong CSRF token.",
            {"headers": [f"Send the {HEADER} header given by GET /api/v1/auth/csrf."]},
        )


def _page_form() -> bool:
    """A page's form (API bodies are JSON, and never carry the token as a field)."""
    return not request.path.startswith("/api/") and request.mimetype in _FORMS


def _sent_in_form() -> str:
    """The token a page's form posts."""
    return request.form.get(FIELD, "") if _page_form() else ""
