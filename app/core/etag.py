"""ETags on items and ``If-Match`` on their writes: two clients that send it never
silently overwrite each other."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import marshmallow as ma
from flask import request

from app.core.errors import PreconditionFailed


def etag_of(obj: Any, schema: ma.Schema) -> str:
    """A strong ETag over the item's representation."""
    data = json.dumps(schema.dump(obj), sort_keys=True, default=str, ensure_ascii=False)
    return '"' + hashlib.sha256(data.encode()).hexdigest()[:32] + '"'


def check_if_match(obj: Any, schema: ma.Schema) -> None:
    """412 when ``If-Match`` names another version of the item than the stored one."""
    if request.headers.get("If-Match"):
        require_match(etag_of(obj, schema))


def require_match(current: str) -> None:
    """412 unless ``If-Match`` is absent, ``*``, or names ``current``."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return
    sent = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if current not in sent:
        raise PreconditionFailed(
            "The item changed since you read it; fetch it again and retry.",
            {"If-Match": [f"Current ETag is {current}."]},
        )


def with_etag(obj: Any, schema: ma.Schema) -> tuple[Any, dict[str, str]]:
    """``obj`` and the headers a view returns with it."""
    return obj, {"ETag": etag_of(obj, schema)}
