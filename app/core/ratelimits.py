"""Refusals for going too fast: 429 in the API's error shape, saying in words when to try
again, with ``Retry-After``. The limits themselves are Flask-Limiter's (``app.extensions``)
and the login throttle's (``app.accounts.throttle``)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, g
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import TooManyRequests


def configured(setting: str) -> Callable[[], str]:
    """A limit read from the app's settings when a request is counted (``limiter.limit``
    takes a callable), so tests and deployments can change it."""
    return lambda: current_app.config[setting]


def in_words(seconds: int) -> str:
    """``45 seconds``, ``1 minute``, ``14 minutes``."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def seconds_until(reset_at: float) -> int:
    """Whole seconds until ``reset_at`` (a Unix time), rounded up: never too early."""
    return max(1, math.ceil(reset_at - time.time()))


def unless_invalid(response) -> bool:
    """``deduct_when`` for a form's or a body's limit: an answer refusing it as invalid
    (422) asked the database nothing and sent no mail, so it leaves the count alone, and
    someone correcting a typo or two is not locked out for an hour. Anything the limit
    guards counts, whatever the answer: a view marks it :func:`counted` once it looks up
    an account or a name, or sends mail (a page shows even a taken address as 422)."""
    return response.status_code != 422 or g.get(_COUNTED, False)


_COUNTED = "rate_limit_counted"


def counted() -> None:
    """This request has done what its limit guards: it counts (:func:`unless_invalid`)."""
    g.setdefault(_COUNTED, True)


class TooMany(TooManyRequests):
    """429: ``refusal``, then when to try again, in words and in ``Retry-After``."""

    def __init__(self, refusal: str, retry_after: int, advice: str = "") -> None:
        message = f"{refusal}; try again in {in_words(retry_after)}{advice}."
        super().__init__(description=message, retry_after=retry_after)
        self.data = {"message": message, "errors": {}}


def register_rate_limit_handler(app: Flask) -> None:
    """Flask-Limiter's own refusals (login, registration, tokens) say when to retry too,
    instead of only naming the limit ("20 per 1 minute")."""
    from app.extensions import api, limiter

    def handle(error: RateLimitExceeded):
        current = limiter.current_limit
        reset_at = current.reset_at if current is not None else time.time() + 60
        seconds = seconds_until(reset_at)
        refusal = f"Too many requests of this kind from your address (at most {error.limit.limit})"
        return api.handle_http_exception(TooMany(refusal, seconds))

    app.register_error_handler(RateLimitExceeded, handle)
