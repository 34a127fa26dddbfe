"""ETags on items and ``If-Match`` on their writes: of two clients that send the same
ETag, one writes and the other gets 412, never a silent overwrite.

The ETag names the row's version (``app.core.versioning``), so it changes exactly when
the row or one of its own collections does. A write with ``If-Match`` locks the row
before comparing, so a second writer holding the same ETag waits for the first and then
finds its ETag stale; a write without ``If-Match`` still cannot overwrite a change it
has not seen, since the UPDATE names the version it read.
"""

from __future__ import annotations

from typing import Any

from flask import request

from app.core.errors import PreconditionFailed
from app.core.versioning import Versioned, lock


def etag_of(obj: Versioned) -> str:
    """A strong ETag naming the row and its version, e.g. ``"centres-12-v3"``."""
    return f'"{obj.__tablename__}-{obj.id}-v{obj.version}"'  # type: ignore[attr-defined]


def sent_tags() -> set[str] | None:
    """The ETags ``If-Match`` names; ``None`` when absent or ``*``."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def check_if_match(obj: Versioned) -> None:
    """412, with the current ETag, when ``If-Match`` names another version than the stored one."""
    sent = sent_tags()
    if sent is None:
        return
    current = etag_of(lock(obj))
    if current not in sent:
        raise PreconditionFailed(
            "The item changed since you read it; fetch it again and retry.",
            {"If-Match": [f"Current ETag is {current}."]},
            headers={"ETag": current},
        )


def with_etag(obj: Versioned) -> tuple[Any, dict[str, str]]:
    """``obj`` and the headers a view returns with it."""
    return obj, {"ETag": etag_of(obj)}
