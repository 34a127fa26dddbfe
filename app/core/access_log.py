"""gunicorn's access log without secrets: ``?token=`` values and credential headers redacted.

Calendar feeds take their token in the URL (calendar programs cannot send a header), so the
request line would otherwise write a working credential into every log line.
``gunicorn.conf.py`` names :class:`RedactingLogger` as its ``logger_class``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
# A query parameter, wherever it stands in the line: its name and its value.
_PARAMETER = re.compile(r"((?:^|[?&;\s])([^=?&;\s\"]+)=)([^&;\s\"]*)")
# Names whose values are secrets, as the app reads them (after percent-decoding).
_SECRET_NAMES = frozenset({"token", "access_token"})
# Atoms a format could name that carry credentials whole.
_SECRET_ATOMS = frozenset(
    {
        "{authorization}i",
        "{cookie}i",
        "{x-csrf-token}i",
        "{http_authorization}e",
        "{http_cookie}e",
        "{http_x_csrf_token}e",
        "{set-cookie}o",
    }
)


def redact(text: str) -> str:
    """``text`` with the value of every ``token=`` query parameter replaced by ``[redacted]``,
    however its name is spelt (``tok%65n`` reaches the app as ``token`` too)."""

    def hide(match: re.Match[str]) -> str:
        name = unquote_plus(match.group(2)).lower()
        return match.group(1) + REDACTED if name in _SECRET_NAMES else match.group(0)

    return _PARAMETER.sub(hide, text)


class RedactingLogger(Logger):
    """gunicorn's logger whose access-log atoms carry no token or credential."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in _SECRET_ATOMS:
                atoms[key] = REDACTED
            elif isinstance(value, str) and "=" in value:
                atoms[key] = redact(value)
        return atoms
