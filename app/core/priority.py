"""CPU-heavy work at the scheduler's idle priority: it takes only the CPU nothing else wants.

A niceness of 19 is not enough for a search that keeps every core busy for a minute: the
kernel still gives such threads a slice before a request that wakes up, and the requests'
p99 rose half again under a solve (bench/README.md, "Mixed load"). A thread under Linux's
``SCHED_IDLE`` policy gives way at once to any other thread that wants the CPU.

Only for work in a process of its own (an RQ work horse): an idle thread switched out
while it holds the GIL holds up every other thread of its process until the CPU is free.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def at_idle_priority(fn: Callable[[], T]) -> T:
    """``fn()``, called in a new thread under ``SCHED_IDLE``; the threads it starts (a
    solver's workers) inherit the policy. Where the policy is missing, ``fn()`` runs in
    this thread; where it is refused, in the new one at this thread's priority.

    A new thread, because a thread leaves ``SCHED_IDLE`` only with a privilege it may
    lack. ``fn`` runs without Flask's app or request context.
    """
    if not hasattr(os, "SCHED_IDLE"):
        return fn()
    outcome: dict[str, Any] = {}

    def run() -> None:
        with contextlib.suppress(OSError):  # refused (a seccomp profile, say): run as is
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # 0: this thread
        try:
            outcome["value"] = fn()
        except BaseException as error:  # handed to the caller, who raises it
            outcome["error"] = error

    # A daemon, joined: a worker's time limit (a signal to this thread) still ends the job.
    thread = threading.Thread(target=run, name="idle-priority", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def idle_policy() -> bool:
    """Whether the calling thread runs under ``SCHED_IDLE``."""
    return hasattr(os, "SCHED_IDLE") and os.sched_getscheduler(0) == os.SCHED_IDLE
