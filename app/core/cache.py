"""A shared response cache for the public directory lists.

Anonymous ``GET``s of the list endpoints are answered from the cache, before Flask
sees them, when nothing in the directory changed since the answer was stored. Every
committed write to a :class:`~app.core.derived.DirectoryRecord` bumps a generation number,
which retires every stored answer at once. With ``REDIS_URL`` the generation and the
answers live in Redis, shared by every worker and host; without it
(``RESPONSE_CACHE=memory``) they live in the process, which is right only for a
single-process server such as ``flask run``.

Redis faults never fail a request, and never keep a retired answer in service for more
than a few seconds. Each process keeps, per cache, a *suspect* flag and a *bump owed*:

- Any Redis error (a lookup, a store, a bump; down, timing out after ``REDIS_TIMEOUT``, or
  refusing writes) is logged, and the process reads uncached for ``CACHE_SUSPECT_SECONDS``
  (5) without touching Redis, and owes a bump. The list and report caches share that
  window.
- A write's bump tries Redis even inside the window: the other processes saw no error and
  serve from the cache, so until the bump reaches Redis they serve the pre-write answer.
  That costs a write at most one ``REDIS_TIMEOUT``, and only one per request (or command):
  once Redis failed in a request, the other cache's bump there only owes. A bump that
  fails is owed; it is never retried inside the request, for the write was committed and
  answers normally.
- Once the window has passed, the process pays the bump it owes at the start of its next
  request of any kind, and in any case before it reads the cache again. Cached answers
  stored before a write that could not announce itself are so retired within about the
  window; every process that saw the outage does the same, so a Redis that kept its data
  over an outage is retired by the first of them to serve a request, even when the writer
  itself died meanwhile.
- A Redis that answers reads but refuses writes (``MISCONF``, ``READONLY``, out of memory)
  leaves the generation as it was, so the others would keep serving old answers. Each
  process therefore proves every ``CACHE_PROBE_SECONDS`` (1), in the same round trip as a
  lookup, that Redis takes a write; when it does not, that process reads uncached too.

What remains: a process that alone loses Redis (a partition) and writes cannot tell the
others, who may serve the pre-write answer until that process reaches Redis again (it pays
its bump on its next request) or the entry's TTL (10 minutes) passes. And a process that saw
nothing of an outage may, until one that did serves a request, serve an answer Redis kept
over it (run Redis with ``--save ""`` and a restart keeps nothing).
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, g, has_app_context, request_started
from redis import RedisError
from sqlalchemy import orm

from app.core.derived import DirectoryRecord, flushed, listen
from app.core.redis_client import connect

log = logging.getLogger(__name__)

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
MAX_BODY = 512 * 1024
TTL_SECONDS = 600
SKIPPED_HEADERS = frozenset({"set-cookie", "date", "content-length"})
SUSPECT_SECONDS = 5.0
PROBE_SECONDS = 1.0


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

    def settle(self) -> None:
        """Nothing is ever owed in the process."""


class Suspicion:
    """Until when a process leaves one Redis alone; shared by the caches on that Redis, so
    a Redis that hangs costs a request one timeout, not one per cache."""

    def __init__(self) -> None:
        self.until = 0.0  # time.monotonic()

    def __bool__(self) -> bool:
        return time.monotonic() < self.until

    def failed(self, seconds: float) -> None:
        """Redis just failed: leave it alone for ``seconds``, and for the rest of this
        request (or command)."""
        self.until = time.monotonic() + seconds
        if has_app_context():
            g.setdefault("redis_failed", set()).add(self)

    def failed_here(self) -> bool:
        """Whether Redis already failed in this request (or command)."""
        return has_app_context() and self in g.get("redis_failed", ())


class RedisBackend:
    """Generation and answers in Redis; one round trip per lookup; fails open.

    ``lookup`` answers ``(None, None)`` when the cache must not be used: the caller then
    computes the answer and stores nothing. See the module docstring for when.
    """

    def __init__(
        self,
        client: Any,
        namespace: str = "eb:cache",
        *,
        suspect_seconds: float = SUSPECT_SECONDS,
        probe_seconds: float = PROBE_SECONDS,
        suspicion: Suspicion | None = None,
    ) -> None:
        self.redis = client
        self.namespace = namespace
        self.generation_key = f"{namespace}:generation"
        self.probe_key = f"{namespace}:writable"
        self.suspect_seconds, self.probe_seconds = suspect_seconds, probe_seconds
        self.suspect = suspicion if suspicion is not None else Suspicion()  # true: uncached
        self.probed_at = -probe_seconds
        self.owes_bump = False  # a bump failed or may have: pay it before reading again

    def lookup(self, key: str) -> tuple[int | None, bytes | None]:
        if not self._usable():
            return None, None
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.mget(self.generation_key, f"{self.namespace}:{key}")
            if time.monotonic() - self.probed_at >= self.probe_seconds:
                # Proof that Redis still takes writes: if it refuses them, a write's bump
                # failed too, so every process stops trusting the cache within a second.
                pipe.set(self.probe_key, b"1", ex=60)
                self.probed_at = time.monotonic()
            (generation, payload), *_ = pipe.execute()
        except RedisError as exc:
            self._failed("lookup", exc)
            return None, None
        generation = int(generation or 0)
        if payload is None:
            return generation, None
        stored, _, body = payload.partition(b"\n")
        return generation, body if int(stored) == generation else None

    def store(self, key: str, generation: int | None, payload: bytes) -> None:
        if generation is None:
            return
        try:
            self.redis.set(
                f"{self.namespace}:{key}",
                str(generation).encode() + b"\n" + payload,
                ex=TTL_SECONDS,
            )
        except RedisError as exc:
            self._failed("store", exc)

    def bump(self) -> None:
        """Retire every stored answer: one try at Redis, even in the suspect window (the
        other processes serve the pre-write answer until it lands); owed if it fails."""
        if self.suspect and self.suspect.failed_here():
            self.owes_bump = True  # this request already waited on Redis once
            return
        in_window = bool(self.suspect)
        # In the window, what the outage itself owes stays owed: it is paid after it.
        if self._incr() and not in_window:
            self._paid()

    def settle(self) -> None:
        """Pay the bump owed once the suspect window has passed (at every request's start)."""
        if self.owes_bump and not self.suspect and self._incr():
            self._paid()

    def _usable(self) -> bool:
        if self.suspect:
            self.owes_bump = True  # Redis failed for a cache of this process: assume the worst
            return False
        self.settle()
        return not self.owes_bump

    def _incr(self) -> bool:
        try:
            self.redis.incr(self.generation_key)
        except RedisError as exc:
            self._failed("generation bump", exc)
            return False
        return True

    def _paid(self) -> None:
        if self.owes_bump:
            self.owes_bump = False
            log.warning("Redis answers again; %s retired what it held", self.namespace)

    def _failed(self, what: str, exc: Exception) -> None:
        if not self.owes_bump:
            log.warning(
                "Redis failed (%s in %s): serving uncached for %ss: %s",
                what,
                self.namespace,
                self.suspect_seconds,
                exc,
            )
        # Writes may have gone unannounced meanwhile (here or in a process that died):
        # retire everything before the cache is read again.
        self.owes_bump = True
        self.suspect.failed(self.suspect_seconds)


def _with_header(start_response: Callable, cache_state: str) -> Callable:
    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Cache", cache_state)], exc_info)

    return start


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
        if generation is None:  # the cache cannot be trusted now: answer from the database
            return self.wsgi_app(environ, _with_header(start_response, "bypass"))
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


def directory_shared(key: str, compute: Callable[[], bytes]) -> bytes:
    """``compute()``, kept beside the cached answers (``key`` must not start with ``/``)
    and retired with them when the directory changes: a value read from the directory's
    tables alone, the same for every process that computes it. Uncached where the
    response cache is off or cannot be trusted now."""
    backend = _backend()
    if backend is None:
        return compute()
    generation, payload = backend.lookup(key)
    if payload is not None:
        return payload
    value = compute()
    backend.store(key, generation, value)
    return value


# -- invalidation -----------------------------------------------------------------------


def _backend() -> MemoryBackend | RedisBackend | None:
    return current_app.extensions.get("response_cache") if has_app_context() else None


def invalidate() -> None:
    """Retire every cached answer (call after writes that bypass the ORM's flush).

    Never raises for Redis: a bump that fails makes the readers bypass the cache."""
    backend = _backend()
    if backend is not None:
        backend.bump()


def mark_directory_changed(session: orm.Session) -> None:
    """Retire cached answers when ``session`` commits (for writes the ORM does not see)."""
    session.info["directory_changed"] = True


def _note_directory_writes(session: orm.Session, _context: Any) -> None:
    if flushed(session, DirectoryRecord):
        mark_directory_changed(session)


def _bump_after_commit(session: orm.Session) -> None:
    # After the commit, not the flush: a reader must never store the old rows under
    # the new generation.
    if session.info.pop("directory_changed", False):
        invalidate()


def _forget(session: orm.Session) -> None:
    session.info.pop("directory_changed", None)


def _settle(_app: Flask, **_extra: Any) -> None:
    # At the start of every request, not only cached reads: a process that serves none
    # still retires, once its window has passed, what its outage may have left in Redis.
    backend = _backend()
    if backend is not None:
        backend.settle()


def make_backend(app: Flask, mode: str, namespace: str, size: int) -> MemoryBackend | RedisBackend:
    """The backend for ``mode`` (``redis`` or ``memory``), with the app's fault settings."""
    if mode != "redis":
        return MemoryBackend(size=size)
    shared = app.extensions.setdefault("redis_cache_client", (connect(app), Suspicion()))
    return RedisBackend(
        shared[0],
        namespace,
        suspect_seconds=app.config["CACHE_SUSPECT_SECONDS"],
        probe_seconds=app.config["CACHE_PROBE_SECONDS"],
        suspicion=shared[1],
    )


def register(app: Flask) -> None:
    """Retire cached answers on directory writes; wrap the app in the response cache
    chosen by ``RESPONSE_CACHE`` (``redis``, ``memory`` or ``off``)."""
    listen(
        [
            ("after_flush", _note_directory_writes),
            ("after_commit", _bump_after_commit),
            ("after_rollback", _forget),
        ]
    )
    mode = app.config.get("RESPONSE_CACHE", "off")
    if mode == "off":
        return
    backend = make_backend(app, mode, "eb:cache", 2_000)
    app.extensions["response_cache"] = backend
    request_started.connect(_settle, app)
    app.wsgi_app = ResponseCache(app.wsgi_app, backend)  # type: ignore[method-assign]
