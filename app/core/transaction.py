"""One transaction boundary: a request, or a CLI command, commits once when it succeeds.

Views and services only ``add`` and ``flush``. The request edge commits after the view
returns, inside Flask's dispatch, so a commit that fails (a stale version, a constraint,
a lost database) reaches the same error handlers as an error in the view; those roll
back. A CLI command commits when it returns and rolls back when it raises.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.cli import AppGroup

from app.extensions import db


class TransactionalFlask(Flask):
    """Flask whose every dispatched view runs in one transaction, committed on success."""

    def dispatch_request(self) -> Any:
        rv = super().dispatch_request()
        db.session.commit()
        return rv


def transactional(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``command`` in one transaction: commit when it returns, roll back when it raises."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            result = command(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return run


class CommandGroup(AppGroup):
    """A ``flask`` command group whose commands each run in one transaction."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        register = super().command(*args, **kwargs)
        return lambda callback: register(transactional(callback))
