"""gunicorn's access log without secrets: ``?token=`` values and credential headers redacted.

Calendar feeds take their token in the URL (calendar programs cannot send a header), so the
request line would otherwise write a working credential into every log line.
``gunicorn.conf.py`` names :class:`RedactingLogger` as its ``logger_class``.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
# A query parameter named token (or access_token), wherever it stands in the line.
_TOKEN_VALUE = re.compile(r"((?:^|[?&;\s])(?:access_)?token=)[^&;\s\"]*", re.IGNORECASE)
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
    """``text`` with every ``token=`` query value replaced by ``[redacted]``."""
    return _TOKEN_VALUE.sub(r"\1" + REDACTED, text)


class RedactingLogger(Logger):
    """gunicorn's logger whose access-log atoms carry no token or credential."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in _SECRET_ATOMS:
                atoms[key] = REDACTED
            elif isinstance(value, str) and "token=" in value.lower():
                atoms[key] = redact(value)
        return atoms
