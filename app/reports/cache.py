"""Report results, cached per filter set and retired by any write they depend on.

In Redis when ``REDIS_URL`` is set, so every worker shares them; in the process otherwise.
The key holds the day too: a session turns from planned to held at midnight.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, orm

from app.core.cache import DIRECTORY_MODELS, MemoryBackend, RedisBackend
from app.reports import ledger

# Writes to these retire every cached report.
REPORT_MODELS = DIRECTORY_MODELS | {"Forum", "ForumSeries", "ForumSession", "Participation"}
FLAG = ledger.CHANGED


def _backend() -> MemoryBackend | RedisBackend | None:
    app = current_app._get_current_object()
    if "report_cache" not in app.extensions:
        mode = app.config.get("REPORT_CACHE", "memory")
        app.extensions["report_cache"] = (
            None
            if mode == "off"
            else RedisBackend(app.config["REDIS_URL"], namespace="eb:reports")
            if mode == "redis"
            else MemoryBackend(size=500)
        )
    return app.extensions["report_cache"]


def jsonable(value: Any) -> Any:
    """Dates as ISO strings, the way every other answer of the API writes them."""
    return json.loads(json.dumps(value, default=_iso, ensure_ascii=False))


def _iso(value: Any) -> str | int | float:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):  # PostgreSQL's numeric, should one slip through
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def cached(
    name: str, args: dict[str, Any], compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """The report for these arguments, computed at most once per generation of the data."""
    backend = _backend()
    if backend is None:
        return jsonable(compute())
    key = (
        name
        + ":"
        + json.dumps({"args": args, "today": dt.date.today()}, default=_iso, sort_keys=True)
    )
    generation, payload = backend.lookup(key)
    if payload is not None:
        return json.loads(payload)
    result = jsonable(compute())
    backend.store(key, generation, json.dumps(result, ensure_ascii=False).encode())
    return result


def invalidate() -> None:
    if not has_app_context():
        return
    backend = _backend()
    if backend is not None:
        backend.bump()


@event.listens_for(orm.Session, "after_flush")
def _note_writes(session: orm.Session, _context: Any) -> None:
    changed = session.new | session.dirty | session.deleted
    if any(type(obj).__name__ in REPORT_MODELS for obj in changed):
        session.info[FLAG] = True


@event.listens_for(orm.Session, "after_commit")
def _retire(session: orm.Session) -> None:
    if session.info.pop(FLAG, False):
        invalidate()


@event.listens_for(orm.Session, "after_rollback")
def _forget(session: orm.Session) -> None:
    session.info.pop(FLAG, None)
