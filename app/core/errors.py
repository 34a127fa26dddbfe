"""Domain errors, and their mapping to HTTP statuses in one place."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from werkzeug.exceptions import HTTPException, InternalServerError


class DomainError(Exception):
    """A rule of the domain was broken; the request cannot be carried out as sent."""

    status = 422

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


def _http_error(
    status: int, message: str, errors: dict[str, Any], headers: dict[str, str] | None = None
) -> HTTPException:
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[status]()
    exc.data = {"message": message, "errors": errors}  # type: ignore[attr-defined]
    if headers:
        exc.data["headers"] = headers  # type: ignore[attr-defined]
    return exc


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and unexpected exceptions onto the API's error shape."""
    from app.extensions import api, db

    def handle_domain_error(error: DomainError):
        db.session.rollback()
        return api.handle_http_exception(
            _http_error(error.status, error.message, error.errors, error.headers)
        )

    def handle_unexpected(error: Exception):
        # The view failed half-way: nothing it wrote may be committed.
        db.session.rollback()
        current_app.logger.exception("Unhandled exception", exc_info=error)
        return api.handle_http_exception(InternalServerError())

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
    """A write whose row another transaction changed first: 412 under ``If-Match``, else 409."""
    from flask import request
    from sqlalchemy.orm.exc import StaleDataError

    from app.extensions import api, db

    def handle_stale(_error: StaleDataError):
        db.session.rollback()
        conditional = bool(request.headers.get("If-Match"))
        message = "The item changed while you were saving it; fetch it again and retry."
        return api.handle_http_exception(_http_error(412 if conditional else 409, message, {}))

    app.register_error_handler(StaleDataError, handle_stale)


def _constraint_name(error: Exception) -> str | None:
    """The violated constraint's name where the driver reports it (psycopg does)."""
    diag = getattr(getattr(error, "orig", None), "diag", None)
    return getattr(diag, "constraint_name", None)
