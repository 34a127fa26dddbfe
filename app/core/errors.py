"""Domain errors, and their mapping to HTTP statuses in one place."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from app.core.error_pages import error_page

# How long a client should wait after a 503 before trying again (Retry-After, seconds).
RETRY_AFTER_SECONDS = 5
# SQLite reports missing tables and bad SQL as OperationalError too: only these messages
# mean the database itself cannot serve (a lock held too long, a file it cannot open).
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error")


class DomainError(Exception):
    """A rule of the domain was broken; the request cannot be carried out as sent."""

    status = 422
    # What an error page says instead of the status's usual sentence (None: that one).
    page_explanation: str | None = None

    def __init__(
        self,
        message: str,
        errors: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.headers = headers or {}


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403


class PreconditionFailed(DomainError):
    status = 412


class TooLarge(DomainError):
    """More than the service takes in one request (records in an import, say)."""

    status = 413


class ServiceUnavailable(DomainError):
    """Something the service needs is down; the answer says when to try again."""

    status = 503


def wants_page() -> bool:
    """Whether an error answers as an HTML page: everywhere but under ``/api/``, which
    keeps its JSON shape. The one place the two are told apart."""
    return has_request_context() and not request.path.startswith("/api/")


def _http_error(
    status: int, message: str, errors: dict[str, Any], headers: dict[str, str] | None = None
) -> HTTPException:
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[status]()
    exc.data = {"message": message, "errors": errors}  # type: ignore[attr-defined]
    if status == 503:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), **(headers or {})}
    if headers:
        exc.data["headers"] = headers  # type: ignore[attr-defined]
    return exc


def database_unavailable(error: Exception) -> bool:
    """Whether a database error means the database cannot be reached or cannot serve now
    (refused or dropped connections, an administrator's shutdown, a restart), as opposed
    to a mistake in the statement, which stays a 500."""
    if isinstance(error, sa_exc.DisconnectionError):
        return True
    if not isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        return False
    if error.connection_invalidated:
        return True
    if lost_race(error):
        return False
    orig = error.orig
    if isinstance(orig, sqlite3.Error):
        return isinstance(orig, sqlite3.OperationalError) and str(orig).lower().startswith(
            SQLITE_UNAVAILABLE
        )
    # psycopg raises OperationalError only for connection, resource and operator
    # trouble (SQLSTATE classes 08, 53, 57, 58); bad SQL is a ProgrammingError.
    return True


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and unexpected exceptions onto the API's error shape."""
    from app.extensions import api, db

    def handle_domain_error(error: DomainError):
        db.session.rollback()
        if error.page_explanation and wants_page():
            return error_page(error.status, error.headers, str(error.page_explanation))
        return api.handle_http_exception(
            _http_error(error.status, error.message, error.errors, error.headers)
        )

    def handle_unexpected(error: Exception):
        if lost_race(error):
            return answer_lost_race()
        if database_unavailable(error):
            return handle_unavailable(error)
        # The view failed half-way: nothing it wrote may be committed.
        db.session.rollback()
        current_app.logger.exception("Unhandled exception", exc_info=error)
        return api.handle_http_exception(InternalServerError())

    def handle_unavailable(error: Exception):
        current_app.logger.warning("Database unavailable: %s", error)
        with contextlib.suppress(sa_exc.SQLAlchemyError):
            db.session.rollback()  # may fail with the connection gone; the pool replaces it
        message = "The database cannot be reached; try again shortly."
        return api.handle_http_exception(_http_error(503, message, {"database": ["unavailable"]}))

    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)


def register_integrity_handler(app: Flask) -> None:
    """A write the database refused (a unique or check constraint) is the client's conflict."""
    from sqlalchemy.exc import IntegrityError

    from app.extensions import api, db

    def handle_integrity(error: IntegrityError):
        db.session.rollback()
        constraint = _constraint_name(error)
        message = "The request conflicts with data already stored."
        errors = {"constraint": [constraint]} if constraint else {}
        return api.handle_http_exception(_http_error(409, message, errors))

    app.register_error_handler(IntegrityError, handle_integrity)


def register_stale_handler(app: Flask) -> None:
    """A write whose row another transaction changed first (``app.core.versioning``)."""
    from sqlalchemy.orm.exc import StaleDataError

    app.register_error_handler(StaleDataError, lambda _error: answer_lost_race())


def lost_race(error: Exception) -> bool:
    """Whether PostgreSQL gave up a transaction for another's sake: a serialization failure
    or a deadlock (SQLSTATE class 40). Nothing was written; the caller may retry."""
    # psycopg's classes for these (SerializationFailure, DeadlockDetected) do not derive
    # from TransactionRollback; their SQLSTATE says it.
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None) or ""
    return isinstance(error, sa_exc.DBAPIError) and sqlstate.startswith("40")


def answer_lost_race():
    """412 when the caller sent ``If-Match`` (its version is stale now), else 409."""
    from flask import request

    from app.extensions import api, db

    db.session.rollback()
    conditional = bool(request.headers.get("If-Match"))
    message = "The item changed while you were saving it; fetch it again and retry."
    return api.handle_http_exception(_http_error(412 if conditional else 409, message, {}))


def _constraint_name(error: Exception) -> str | None:
    """The violated constraint's name where the driver reports it (psycopg does)."""
    diag = getattr(getattr(error, "orig", None), "diag", None)
    return getattr(diag, "constraint_name", None)
