"""Error pages: what a 4xx or 5xx looks like outside ``/api/``, in the visitor's language.

:meth:`app.core.api.Api.handle_http_exception` is the one place every error passes through;
it answers JSON under ``/api/`` and calls :func:`error_page` anywhere else.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Not allowed here"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("The service is unavailable"),
}
EXPLANATIONS = {
    400: _l("The request could not be understood. Check the address and try again."),
    403: _l("You do not have permission to open this page."),
    404: _l("There is no page at this address. Check it for typos, or start from the home page."),
    405: _l("This page cannot be used in that way."),
    500: _l("An error on our side stopped this page. Please try again later."),
    503: _l("The service is temporarily unavailable. Please try again in a few minutes."),
}
GENERIC_TITLE = _l("Something went wrong")
GENERIC_EXPLANATION = _l("This request could not be completed.")


def _retry_after(headers: dict[str, str]) -> int | None:
    value = {key.lower(): value for key, value in headers.items()}.get("retry-after", "")
    return int(value) if str(value).isdigit() else None


def _explanation(code: int, headers: dict[str, str]) -> str:
    if code == 429:
        seconds = _retry_after(headers) or 60
        if seconds >= 120:
            return ngettext(
                "You have sent too many requests. Try again in %(num)d minute.",
                "You have sent too many requests. Try again in %(num)d minutes.",
                -(-seconds // 60),
            )
        return ngettext(
            "You have sent too many requests. Try again in %(num)d second.",
            "You have sent too many requests. Try again in %(num)d seconds.",
            seconds,
        )
    return str(EXPLANATIONS.get(code, GENERIC_EXPLANATION))


def error_page(
    code: int, headers: dict[str, str], explanation: str | None = None
) -> tuple[str, int, dict[str, str]]:
    """The HTML page for ``code``; never the exception's text (a 500 shows no trace), only
    the status's sentence or a translated ``explanation``."""
    title = str(TITLES.get(code, GENERIC_TITLE))
    explanation = explanation or _explanation(code, headers)
    try:
        body = render_template("errors/error.html", code=code, title=title, explanation=explanation)
    except Exception:  # the page must answer even when the layout cannot be drawn
        current_app.logger.exception("The error page could not be rendered")
        body = f"<!doctype html><title>{code}</title><h1>{code}</h1>"
    return body, code, {**headers, "Content-Type": "text/html; charset=utf-8"}
