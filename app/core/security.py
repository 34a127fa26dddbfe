"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request

# Swagger UI needs its inline bootstrap script and styles; nothing else does.
_API_CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def add_security_headers(response: Response, *, hsts: bool) -> Response:
    docs = request.path.rstrip("/") == "/api/v1/docs"
    response.headers.setdefault("Content-Security-Policy", _DOCS_CSP if docs else _API_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if hsts:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    return response


def register_security_headers(app: Flask) -> None:
    hsts = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.after_request(lambda response: add_security_headers(response, hsts=hsts))
