"""A shared response cache for the public directory lists.

Anonymous ``GET``s of the list endpoints are answered from the cache, before Flask
sees them, when nothing in the directory changed since the answer was stored. Every
committed write to a directory model bumps a generation number, which retires every
stored answer at once. With ``REDIS_URL`` the generation and the answers live in
Redis, shared by every worker and host; without it (``RESPONSE_CACHE=memory``) they
live in the process, which is right only for a single-process server such as
``flask run``.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, orm

CACHED_PATHS = frozenset(
    {
        "/api/v1/centres",
        "/api/v1/experts",
        "/api/v1/publications",
        "/api/v1/projects",
        "/api/v1/countries",
        "/api/v1/regions",
        "/api/v1/topics",
    }
)
DIRECTORY_MODELS = frozenset(
    {
        "Centre",
        "Expert",
        "Affiliation",
        "Publication",
        "Authorship",
        "Project",
        "ProjectCentre",
        "Country",
        "Region",
        "Topic",
        "SearchKey",
        "User",
    }
)
MAX_BODY = 512 * 1024
TTL_SECONDS = 600
SKIPPED_HEADERS = frozenset({"set-cookie", "date", "content-length"})


class MemoryBackend:
    """The process's own cache: right only when one process serves every request."""

    def __init__(self, size: int = 2_000) -> None:
        self.generation = 0
        self.entries: OrderedDict[str, tuple[int, float, bytes]] = OrderedDict()
        self.size = size

    def lookup(self, key: str) -> tuple[int, bytes | None]:
        entry = self.entries.get(key)
        if entry is None or entry[0] != self.generation or entry[1] < time.monotonic():
            return self.generation, None
        self.entries.move_to_end(key)
        return self.generation, entry[2]

    def store(self, key: str, generation: int, payload: bytes) -> None:
        self.entries[key] = (generation, time.monotonic() + TTL_SECONDS, payload)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def bump(self) -> None:
        self.generation += 1
        self.entries.clear()


class RedisBackend:
    """Generation and answers in Redis; one round trip per lookup."""

    def __init__(self, url: str, namespace: str = "eb:cache") -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.namespace = namespace
        self.generation_key = f"{namespace}:generation"

    def lookup(self, key: str) -> tuple[int, bytes | None]:
        generation, payload = self.redis.mget(self.generation_key, f"{self.namespace}:{key}")
        generation = int(generation or 0)
        if payload is None:
            return generation, None
        stored, _, body = payload.partition(b"\n")
        return generation, body if int(stored) == generation else None

    def store(self, key: str, generation: int, payload: bytes) -> None:
        self.redis.set(
            f"{self.namespace}:{key}", str(generation).encode() + b"\n" + payload, ex=TTL_SECONDS
        )

    def bump(self) -> None:
        self.redis.incr(self.generation_key)


def _pack(status: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    kept = [(k, v) for k, v in headers if k.lower() not in SKIPPED_HEADERS]
    return json.dumps({"status": status, "headers": kept}).encode() + b"\n" + body


def _unpack(payload: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
    meta, _, body = payload.partition(b"\n")
    head = json.loads(meta)
    headers = [tuple(h) for h in head["headers"]] + [("Content-Length", str(len(body)))]
    return head["status"], headers, body


class ResponseCache:
    """WSGI middleware answering cacheable requests from ``backend``."""

    def __init__(self, wsgi_app: Callable, backend: MemoryBackend | RedisBackend) -> None:
        self.wsgi_app, self.backend = wsgi_app, backend

    @staticmethod
    def _cacheable(environ: dict[str, Any]) -> bool:
        return (
            environ.get("REQUEST_METHOD") == "GET"
            and environ.get("PATH_INFO") in CACHED_PATHS
            and "HTTP_AUTHORIZATION" not in environ
            and "HTTP_COOKIE" not in environ
            and "format=" not in environ.get("QUERY_STRING", "").replace("format=json", "")
        )

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if not self._cacheable(environ):
            return self.wsgi_app(environ, start_response)
        key = f"{environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')}"
        generation, payload = self.backend.lookup(key)
        if payload is not None:
            status, headers, body = _unpack(payload)
            start_response(status, [*headers, ("X-Cache", "hit")])
            return [body]
        return self._fill(environ, start_response, key, generation)

    def _fill(self, environ, start_response, key: str, generation: int) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            seen.update(status=status, headers=headers)
            return start_response(status, [*headers, ("X-Cache", "miss")], exc_info)

        chunks = list(self.wsgi_app(environ, capture))
        body = b"".join(chunks)
        content_type = dict((k.lower(), v) for k, v in seen.get("headers", [])).get(
            "content-type", ""
        )
        if (
            seen.get("status", "").startswith("200")
            and len(body) <= MAX_BODY
            and content_type.startswith("application/json")
        ):
            self.backend.store(key, generation, _pack(seen["status"], seen["headers"], body))
        return [body]


# -- invalidation -----------------------------------------------------------------------


def _backend() -> MemoryBackend | RedisBackend | None:
    return current_app.extensions.get("response_cache") if has_app_context() else None


def invalidate() -> None:
    """Retire every cached answer (call after writes that bypass the ORM's flush)."""
    backend = _backend()
    if backend is not None:
        backend.bump()


def mark_directory_changed(session: orm.Session) -> None:
    """Retire cached answers when ``session`` commits (for writes the ORM does not see)."""
    session.info["directory_changed"] = True


@event.listens_for(orm.Session, "after_flush")
def _note_directory_writes(session: orm.Session, _context: Any) -> None:
    changed = session.new | session.dirty | session.deleted
    if any(type(obj).__name__ in DIRECTORY_MODELS for obj in changed):
        mark_directory_changed(session)


@event.listens_for(orm.Session, "after_commit")
def _bump_after_commit(session: orm.Session) -> None:
    # After the commit, not the flush: a reader must never store the old rows under
    # the new generation.
    if session.info.pop("directory_changed", False):
        invalidate()


@event.listens_for(orm.Session, "after_rollback")
def _forget(session: orm.Session) -> None:
    session.info.pop("directory_changed", None)


def install(app: Flask) -> None:
    """Wrap the app in the response cache chosen by ``RESPONSE_CACHE``."""
    mode = app.config.get("RESPONSE_CACHE", "off")
    if mode == "off":
        return
    backend = RedisBackend(app.config["REDIS_URL"]) if mode == "redis" else MemoryBackend()
    app.extensions["response_cache"] = backend
    app.wsgi_app = ResponseCache(app.wsgi_app, backend)  # type: ignore[method-assign]
