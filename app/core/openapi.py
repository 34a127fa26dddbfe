"""How the OpenAPI document says a caller authenticates, so that Swagger UI's Authorize
button works: a personal token (``eb_…``) as ``Authorization: Bearer``, or the session
cookie with ``X-CSRF-Token`` on writes (``GET /api/v1/auth/csrf`` gives it)."""

from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin

BEARER, COOKIE, CSRF = "bearerAuth", "cookieAuth", "csrfToken"
WRITES = frozenset({"post", "put", "patch", "delete"})

SCHEMES: dict[str, dict[str, Any]] = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "eb_…",
        "description": "A personal API token (POST /api/v1/auth/tokens), sent as "
        "`Authorization: Bearer eb_…`. Writes need the `write` scope; no CSRF header.",
    },
    COOKIE: {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",  # Flask's SESSION_COOKIE_NAME; the browser sends it by itself
        "description": "The session cookie set by POST /api/v1/auth/login. The browser "
        "sends it by itself (Swagger UI cannot set a cookie): give only the CSRF token.",
    },
    CSRF: {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "With the session cookie, every write carries the token that "
        "GET /api/v1/auth/csrf returns.",
    },
}
# Reads are public, and show more to who is signed in: any credentials, or none.
READ_SECURITY: list[dict[str, list]] = [{BEARER: []}, {COOKIE: []}, {}]
WRITE_SECURITY: list[dict[str, list]] = [{BEARER: []}, {COOKIE: [], CSRF: []}]
OPEN_WRITE_SECURITY: list[dict[str, list]] = [*WRITE_SECURITY, {}]
# Writes anyone may send. A view may say so itself with ``@blp.doc(security=...)``; these
# are named here because their blueprint predates the schemes.
OPEN_WRITES = frozenset({("post", "/api/v1/auth/register"), ("post", "/api/v1/auth/login")})


# ``@blp.doc(parameters=[...])`` would replace the parameters flask-smorest documents from
# a view's arguments (a list's query filters); a view adds to them under this key instead.
EXTRA_PARAMETERS = "x-extra-parameters"


class SecurityPlugin(BasePlugin):
    """Adds the schemes, and to each write that states none, the credentials it needs; and
    to each operation the parameters it adds under ``EXTRA_PARAMETERS``."""

    def init_spec(self, spec: APISpec) -> None:
        for name, scheme in SCHEMES.items():
            spec.components.security_scheme(name, scheme)
        spec.options.setdefault("security", READ_SECURITY)

    def operation_helper(
        self, path: str | None = None, operations: dict | None = None, **kwargs: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            extra = operation.pop(EXTRA_PARAMETERS, None) if isinstance(operation, dict) else None
            if extra:
                operation.setdefault("parameters", []).extend(extra)
            if method in WRITES and "security" not in operation:
                is_open = (method, path) in OPEN_WRITES
                operation["security"] = OPEN_WRITE_SECURITY if is_open else WRITE_SECURITY
