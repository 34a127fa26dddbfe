"""Checks every API request body passes before a view sees it."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

from flask import Flask, current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import (
    BadRequest,
    LengthRequired,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)

from app.core.errors import DomainError

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Methods that read only: no CSRF check, no write scope, no write lock.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def reading_request() -> bool:
    """Whether this is a request, by a method that only reads (:data:`SAFE_METHODS`)."""
    return has_request_context() and request.method in SAFE_METHODS


# Views that take a raw body (a BibTeX or RIS upload, say) set this attribute.
RAW_BODY_ATTR = "accepts_raw_body"


def accepts_raw_body(view):
    """Mark a view (or MethodView method) as reading a body that is not JSON."""
    setattr(view, RAW_BODY_ATTR, True)
    return view


def view_marked(attribute: str) -> bool:
    """Whether the view (or MethodView method) this request routes to carries a mark."""
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, request.method.lower(), None)
    return bool(getattr(view, attribute, False))


def _view_accepts_raw_body() -> bool:
    return view_marked(RAW_BODY_ATTR)


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"


def body_limit() -> int:
    """The most bytes this request's body may hold: raw uploads (imports) have their own."""
    name = "IMPORT_MAX_BYTES" if _view_accepts_raw_body() else "MAX_CONTENT_LENGTH"
    return current_app.config[name]


def cap_body() -> None:
    """Hold every body to its limit (:func:`body_limit`), whether it comes with
    ``Content-Length`` or chunked, and refuse an oversized one whole with 413.

    Werkzeug stops reading a chunked body at ``max_content_length`` and returns what it read
    without a word, so an import sent chunked lost its tail and answered 200. A chunked body
    is therefore read here, up to one read past the limit: over it, 413; within it, the
    request goes on as if it had come with ``Content-Length``.
    """
    environ, limit = request.environ, body_limit()
    request.max_content_length = limit
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        if (request.content_length or 0) > limit:
            raise _too_large(limit)
        return
    if not environ.get("wsgi.input_terminated"):
        # The server does not end the stream for us (gunicorn and `flask run` do): reading
        # it could wait forever, and Werkzeug would read nothing.
        raise LengthRequired("This server needs a Content-Length header with a body.")
    body = _read_at_most(environ["wsgi.input"], limit)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    del environ["HTTP_TRANSFER_ENCODING"]
    # Forget what Werkzeug may have derived from the chunked environ (nothing, today).
    for derived in ("content_length", "stream"):
        request.__dict__.pop(derived, None)


def _read_at_most(stream, limit: int) -> bytes:
    parts, size = [], 0
    while size <= limit:
        part = stream.read(64 * 1024)
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
    raise _too_large(limit)


def _too_large(limit: int) -> RequestEntityTooLarge:
    error = RequestEntityTooLarge(f"The request body is larger than the limit of {limit} bytes.")
    error.data = {"messages": {"body": [f"At most {limit} bytes."]}}
    return error


class NulCharacter(DomainError):
    page_explanation = _l(
        "What you sent held a character that cannot be stored (NUL, often left by copying "
        "from another program). Go back, remove it and try again."
    )


def refuse_nul_characters() -> None:
    """PostgreSQL text cannot hold NUL; refuse it at the door rather than fail later.

    A JSON body carries it raw or as ``\\u0000``; a page's form encodes it as ``%00``
    (a ``%`` the user typed travels as ``%25``), so that is NUL there too."""
    if "\x00" in request.path or "%00" in request.query_string.decode("latin-1"):
        raise NulCharacter("NUL characters are not allowed in URLs.", {"query": ["NUL."]})
    # Raw uploads (imports) may be larger than the JSON limit; their readers check them.
    if request.content_length and request.method in _BODY_METHODS and not _view_accepts_raw_body():
        data = request.get_data(cache=True)
        form = request.mimetype == "application/x-www-form-urlencoded"
        if b"\x00" in data or b"\\u0000" in data or (form and b"%00" in data):
            location = "form" if form else "json"
            raise NulCharacter(
                "NUL characters are not allowed in request bodies.", {location: ["NUL."]}
            )


def check_json_body() -> None:
    """Refuse a body that is not JSON with 400, before any view runs.

    Reading the body here also trips ``MAX_CONTENT_LENGTH`` (413) early.
    """
    if request.method not in _BODY_METHODS or not request.path.startswith("/api/"):
        return
    if request.routing_exception is not None:
        return  # an unknown path or method answers 404/405 whatever the body
    if not _has_body():
        if request.method in {"PATCH", "PUT"}:
            raise BadRequest("A JSON body with the fields to change is required.")
        return
    if _view_accepts_raw_body():
        return
    if not request.is_json:
        raise BadRequest("The request body must be JSON (Content-Type: application/json).")
    try:
        data = request.get_json()
    except UnsupportedMediaType as exc:  # pragma: no cover - is_json already checked
        raise BadRequest(exc.description) from exc
    except BadRequest as exc:
        raise _invalid_json() from exc
    except RecursionError as exc:  # json raises it, not ValueError, past ~1,000 levels
        raise _bad_json("The JSON nests too deeply.") from exc
    _refuse_lone_surrogates(data)


def _refuse_lone_surrogates(data: object) -> None:
    """JSON may escape half a UTF-16 pair ("\\ud800"); Python keeps it as a code point no
    database, password hasher or file format can encode. Refuse it here, not at flush."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(exc.object[exc.start])
        raise _bad_json(f"\\u{code:04x} is half a UTF-16 surrogate pair, not a character.") from exc


def _invalid_json() -> BadRequest:
    """400 saying where the JSON breaks (Flask's own message hides it outside debug)."""
    try:
        json.loads(request.get_data(cache=True))
        detail = "Not valid JSON."  # pragma: no cover - Flask refused what json accepts
    except ValueError as exc:  # UnicodeDecodeError is one too
        detail = str(exc)
    return _bad_json(detail)


def _bad_json(detail: str) -> BadRequest:
    error = BadRequest("The request body is not valid JSON.")
    error.data = {"messages": {"json": [detail]}}
    return error


def _rollback_after_failure(exc: BaseException | None) -> None:
    # A request that failed past its error handlers (a broken stream, say) must not leave
    # an aborted transaction on the session for whatever runs next on this context.
    if exc is not None:
        from app.extensions import db

        db.session.rollback()


def register_request_checks(app: Flask) -> None:
    app.before_request(cap_body)
    app.before_request(refuse_nul_characters)
    app.before_request(check_json_body)
    app.teardown_request(_rollback_after_failure)


_QUERY_SAFE = "=&+%;/:,?@!$'()*[]~"


def _query_bytes(query: str) -> bytes:
    """The bytes the client sent. WSGI gives them as latin-1 text; Werkzeug's development
    server wraps them once more. Unwrap while the result is still valid UTF-8."""
    raw = query.encode("latin-1")
    for _ in range(3):
        try:
            inner = raw.decode("utf-8").encode("latin-1")
            inner.decode("utf-8")
        except (UnicodeDecodeError, UnicodeEncodeError):
            break
        raw = inner
    return raw


class PercentEncodeQuery:
    """WSGI middleware: a query string sent with raw UTF-8 (``curl "…?q=Шибутов"``) is
    percent-encoded, as a browser would send it, so every parser reads the same text."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if not query.isascii():
            environ["QUERY_STRING"] = quote(_query_bytes(query), safe=_QUERY_SAFE)
        return self.wsgi_app(environ, start_response)
