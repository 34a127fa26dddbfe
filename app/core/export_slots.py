"""How many anonymous exports may stream at once, across every worker and host.

A full export holds a worker for as long as it streams (100,000 publications as CSV took
49 s), and the per-address rate limit does not stop a handful of addresses from taking
every worker at once. So anonymous exports also need a free slot: at most
``EXPORTS_IN_FLIGHT`` stream at a time; the next one gets 503 with ``Retry-After``.

With Redis the slots are a sorted set shared by every process (member: a random token;
score: when the slot lapses, so a worker killed mid-export frees its slot after
``EXPORT_SLOT_SECONDS``). Without Redis, or while it fails, each process counts its own.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time

import redis
from flask import Flask, current_app

from app.core.redis_client import connect

log = logging.getLogger(__name__)
KEY = "eb:exports:in-flight"

# KEYS[1]: the set; ARGV: now, lapse time, limit, token. Atomic, so two callers never
# both take the last slot.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
    redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
    redis.call('EXPIRE', KEYS[1], math.ceil(ARGV[2] - ARGV[1]))
    return 1
end
return 0
"""


class ExportSlots:
    """Take a slot before streaming an anonymous export, and give it back when done."""

    def __init__(self, client: redis.Redis | None, limit: int, seconds: float) -> None:
        self.client, self.limit, self.seconds = client, limit, seconds
        self._acquire = client.register_script(_ACQUIRE) if client is not None else None
        self._local: set[str] = set()
        self._lock = threading.Lock()

    def take(self) -> str | None:
        """A token for a free slot, or ``None`` when every slot is taken."""
        token = secrets.token_hex(8)
        if self._acquire is not None:
            try:
                now = time.time()
                taken = self._acquire(keys=[KEY], args=[now, now + self.seconds, self.limit, token])
                return token if taken else None
            except redis.RedisError as exc:
                log.warning("Export slots: Redis failed (%s); counting in this process.", exc)
        with self._lock:
            if len(self._local) >= self.limit:
                return None
            self._local.add(token)
        return token

    def give_back(self, token: str) -> None:
        with self._lock:
            if token in self._local:
                self._local.discard(token)
                return
        if self.client is not None:
            try:
                self.client.zrem(KEY, token)
            except redis.RedisError as exc:  # the slot lapses by itself
                log.warning("Export slots: could not free a slot (%s).", exc)


def install(app: Flask) -> None:
    client = connect(app) if app.config.get("REDIS_URL") else None
    app.extensions["export_slots"] = ExportSlots(
        client, app.config["EXPORTS_IN_FLIGHT"], app.config["EXPORT_SLOT_SECONDS"]
    )


def slots() -> ExportSlots:
    return current_app.extensions["export_slots"]
