"""How many anonymous exports may stream at once, across every worker.

A full export holds a worker for as long as it streams (100,000 publications as CSV took
49 s), and the per-address rate limit does not stop a handful of addresses from taking
every worker at once. So anonymous exports also need a free slot: at most
``EXPORTS_IN_FLIGHT`` stream at a time; the next one gets 503 with ``Retry-After``.

With Redis the slots are a sorted set shared by every process on every host (member: a
random token; score: when the slot lapses, so a worker killed mid-export frees its slot
after ``EXPORT_SLOT_SECONDS``). Without Redis, or while it fails, the slots are lock files
in the instance folder, shared by the processes of one host: a slot is a file held with
``flock``, which the kernel lets go when its holder closes it or dies.

A slot is taken when the export's response is built and handed to that response, which
gives it back when the server closes it (done, or the client gone). An export that fails
after taking its slot, before its response is returned, gives it back at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

import redis
from flask import Flask, Response, current_app, g

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

Release = Callable[[], None]


class ExportSlots:
    """Take a slot before streaming an anonymous export; call what it returns when done."""

    def __init__(
        self,
        client: redis.Redis | None,
        limit: int,
        seconds: float,
        directory: Path,
        key: str = KEY,
    ) -> None:
        self.client, self.limit, self.seconds, self.key = client, limit, seconds, key
        self.directory = directory
        self._acquire = client.register_script(_ACQUIRE) if client is not None else None

    def take(self) -> Release | None:
        """A slot (as the function that gives it back), or ``None`` when all are taken."""
        if self._acquire is not None:
            try:
                return self._take_shared()
            except redis.RedisError as exc:
                log.warning("Export slots: Redis failed (%s); counting on this host.", exc)
        return self._take_local()

    def _take_shared(self) -> Release | None:
        token, now = secrets.token_hex(8), time.time()
        if not self._acquire(keys=[self.key], args=[now, now + self.seconds, self.limit, token]):
            return None
        return lambda: self._give_back_shared(token)

    def _give_back_shared(self, token: str) -> None:
        try:
            self.client.zrem(self.key, token)  # type: ignore[union-attr]
        except redis.RedisError as exc:  # the slot lapses by itself
            log.warning("Export slots: could not free a slot (%s).", exc)

    def _take_local(self) -> Release | None:
        self.directory.mkdir(parents=True, exist_ok=True)
        for number in range(self.limit):
            fd = os.open(self.directory / f"slot-{number}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return lambda fd=fd: os.close(fd)  # closing the file lets the lock go
        return None


def hold(response: Response, release: Release) -> None:
    """``response`` holds a slot: it is given back when the response closes."""
    g.export_slot = (response, release)


def _hand_over(response: Response) -> Response:
    held = g.pop("export_slot", None)
    if held is not None:
        streamed, release = held
        if response is streamed:
            response.call_on_close(release)
        else:  # the export failed after taking its slot; another answer went out
            release()
    return response


def _give_back_unsent(_error: BaseException | None) -> None:
    held = g.pop("export_slot", None)
    if held is not None:
        held[1]()


def install(app: Flask) -> None:
    client = connect(app) if app.config.get("REDIS_URL") else None
    app.extensions["export_slots"] = ExportSlots(
        client,
        app.config["EXPORTS_IN_FLIGHT"],
        app.config["EXPORT_SLOT_SECONDS"],
        Path(app.instance_path) / "export-slots",
    )
    app.after_request(_hand_over)
    app.teardown_request(_give_back_unsent)


def slots() -> ExportSlots:
    return current_app.extensions["export_slots"]
