"""CPU-heavy work at the scheduler's idle priority: it takes only the CPU nothing else wants.

A niceness of 19 is not enough for a search that keeps every core busy for a minute: the
kernel still gives such threads a slice before a request that wakes up, and the requests'
p99 rose half again under a solve (bench/README.md, "Mixed load"). A thread under Linux's
``SCHED_IDLE`` policy gives way at once to any other thread that wants the CPU.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_idle_priority(fn: Callable[[], T]) -> T:
    """``fn()``, called in a new thread under ``SCHED_IDLE``; the threads it starts (a
    solver's workers) inherit the policy. Where the policy does not exist or is refused,
    ``fn()`` is called in this thread at the priority it has.

    A new thread, because a thread leaves ``SCHED_IDLE`` only with a privilege it may lack,
    and the caller's thread (a job thread in the app's process) goes on to other work.
    """
    if not hasattr(os, "SCHED_IDLE"):
        return fn()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # 0: this thread
            outcome["idle"] = True
        except OSError:
            outcome["idle"] = False  # refused (a seccomp profile, say): run as we are
            return
        try:
            outcome["value"] = fn()
        except BaseException as error:  # handed to the caller, who raises it
            outcome["error"] = error

    thread = threading.Thread(target=run, name="idle-priority", daemon=True)
    thread.start()
    thread.join()
    if not outcome["idle"]:
        return fn()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def idle_policy() -> bool:
    """Whether the calling thread runs under ``SCHED_IDLE``."""
    return hasattr(os, "SCHED_IDLE") and os.sched_getscheduler(0) == os.SCHED_IDLE
