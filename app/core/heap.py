"""Keeping the garbage collector off what the app loaded at startup."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Move every object alive now out of the collector's walks.

    The app imports large libraries (SQLAlchemy, OR-Tools, matplotlib, numpy). A request that
    allocates many objects, such as a large forum's conflict report, sets off a full
    collection every few requests, and each one walks all of them: in ``bench.conflicts`` one
    request in five took 150 ms longer. Frozen, they are skipped; under a forking server
    their memory pages also stay shared between the workers.
    """
    gc.collect()
    gc.freeze()
