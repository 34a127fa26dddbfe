"""Redis clients that fail fast: every client the app makes comes from here.

A Redis that does not answer must cost a request at most ``REDIS_TIMEOUT`` seconds (0.5 by
default), never a hang: connecting and each command time out, and nothing is retried (the
caller falls back instead: the caches read uncached, rate limits count in the process).
"""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask
from redis.backoff import NoBackoff
from redis.retry import Retry


def client_options(timeout: float) -> dict[str, Any]:
    """Keyword arguments for ``redis.Redis.from_url`` (and Flask-Limiter's storage)."""
    return {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),
    }


def connect(app: Flask, url: str | None = None) -> redis.Redis:
    """A client for ``url`` (default: ``REDIS_URL``) with the app's timeouts."""
    return redis.Redis.from_url(
        url or app.config["REDIS_URL"], **client_options(app.config["REDIS_TIMEOUT"])
    )


def status(app: Flask) -> str:
    """``ok``, ``down`` or ``not configured``: whether the app's Redis takes a write.

    A write, not a PING: a Redis that answers but refuses writes (``MISCONF``, a read-only
    replica, out of memory) leaves the caches bypassed and the limits in memory, so for
    the service it is down."""
    if not app.config.get("REDIS_URL"):
        return "not configured"
    if "redis_health" not in app.extensions:
        app.extensions["redis_health"] = connect(app)
    try:
        app.extensions["redis_health"].set("eb:health", b"1", ex=60)
    except redis.RedisError:
        return "down"
    return "ok"
