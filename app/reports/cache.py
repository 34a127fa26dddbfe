"""Report results, cached per filter set and retired by any write they depend on.

In Redis when ``REDIS_URL`` is set, so every worker shares them; in the process otherwise.
The key holds the day too: a session turns from planned to held at midnight. A committed
write to a :class:`~app.core.derived.ReportSource` (or a ledger rebuild) retires them all.
Redis faults fail open, as for the list cache (``app.core.cache`` says how): the report is
computed, served and not stored. A write's retirement tries Redis even in the suspect
window; one that fails makes this process's readers bypass the cache, and is paid at the
start of the first request once the window has passed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context, request_started
from sqlalchemy import orm

from app.core.cache import MemoryBackend, RedisBackend, make_backend
from app.core.derived import ReportSource, flushed, listen
from app.reports import ledger

FLAG = ledger.CHANGED
# Part of every key: raise it when an answer's shape changes, so answers cached by the
# previous release (in Redis, across a deploy) are never served in the new shape's place.
SHAPE = 3  # 3: every answer has its provenance counts, the findings too


def _backend() -> MemoryBackend | RedisBackend | None:
    app = current_app._get_current_object()
    if "report_cache" not in app.extensions:
        mode = app.config.get("REPORT_CACHE", "memory")
        app.extensions["report_cache"] = (
            None if mode == "off" else make_backend(app, mode, "eb:reports", 500)
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
    key = f"{name}:v{SHAPE}:" + json.dumps(
        {"args": args, "today": dt.date.today()}, default=_iso, sort_keys=True
    )
    generation, payload = backend.lookup(key)
    if payload is not None:
        return json.loads(payload)
    result = jsonable(compute())
    if generation is not None:  # None: the cache cannot be trusted now
        backend.store(key, generation, json.dumps(result, ensure_ascii=False).encode())
    return result


def invalidate() -> None:
    """Retire every cached report; never raises for Redis (readers bypass instead)."""
    if not has_app_context():
        return
    backend = _backend()
    if backend is not None:
        backend.bump()


def _settle(_app: Flask, **_extra: Any) -> None:
    # Every request, as for the list cache; a backend not made yet owes nothing.
    backend = current_app.extensions.get("report_cache")
    if backend is not None:
        backend.settle()


def _note_writes(session: orm.Session, _context: Any) -> None:
    if flushed(session, ReportSource):
        session.info[FLAG] = True


def _retire(session: orm.Session) -> None:
    if session.info.pop(FLAG, False):
        invalidate()


def _forget(session: orm.Session) -> None:
    session.info.pop(FLAG, None)


def register(app: Flask) -> None:
    """Retire cached reports when a session commits a write they depend on, and pay a
    retirement Redis missed at the start of the next request."""
    listen(
        [
            ("after_flush", _note_writes),
            ("after_commit", _retire),
            ("after_rollback", _forget),
        ]
    )
    request_started.connect(_settle, app)
