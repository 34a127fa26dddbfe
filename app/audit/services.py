"""The audit log is written by the ORM itself: every flush of an audited model records
who created, changed or deleted it, so no view can forget to.

A model takes part by inheriting :class:`app.core.derived.Audited` and naming its entity
type in ``__audit__``; :func:`register` installs the listener. Secrets are logged as
changed, never with their values.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from sqlalchemy import orm

from app.audit.models import AuditEntry
from app.core.derived import Audited, listen

SECRET_FIELDS = frozenset({"password_hash", "session_token", "token_hash"})
SKIPPED_FIELDS = frozenset({"created_at", "updated_at", "version", "last_used_at"})
REDACTED = "[redacted]"


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _value(key: str, value: Any) -> Any:
    return REDACTED if key in SECRET_FIELDS and value is not None else _jsonable(value)


def _entity_id(obj: Any) -> int | None:
    # Read the primary key from the row itself: in after_flush a new object has its id
    # but not yet its identity key.
    key = sa.inspect(obj).mapper.primary_key_from_instance(obj)
    return key[0] if len(key) == 1 and isinstance(key[0], int) else None


def _created(obj: Any) -> dict[str, Any]:
    mapper = sa.inspect(obj).mapper
    return {
        attr.key: _value(attr.key, getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in SKIPPED_FIELDS and getattr(obj, attr.key) is not None
    }


def _changed(obj: Any) -> dict[str, list[Any]]:
    state = sa.inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        if attr.key in SKIPPED_FIELDS:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[attr.key] = [_value(attr.key, old), _value(attr.key, new)]
    for rel in state.mapper.relationships:
        if rel.key == "topics":
            history = state.attrs[rel.key].history
            if history.has_changes():
                changes["topic_ids"] = [
                    sorted(t.id for t in history.deleted),
                    sorted(t.id for t in history.added),
                ]
    return changes


def current_actor() -> tuple[int | None, str | None]:
    """The acting user's id and address: the request's user, or ``g.audit_actor_id``."""
    actor = g.get("audit_actor_id") if g else None
    address = None
    if has_request_context():
        from flask_login import current_user

        if actor is None and current_user.is_authenticated:
            actor = current_user.id
        address = request.remote_addr
    return actor, address


def _entries(session: orm.Session) -> list[dict[str, Any]]:
    actor, address = current_actor()
    now = dt.datetime.now(dt.UTC)
    rows = []

    def add(action: str, obj: Any, changes: dict[str, Any]) -> None:
        rows.append(
            {
                "created_at": now,
                "actor_id": actor,
                "action": action,
                "entity_type": obj.__audit__,
                "entity_id": _entity_id(obj),
                "changes": changes,
                "remote_addr": address,
            }
        )

    for obj in session.new:
        if isinstance(obj, Audited):
            add("create", obj, _created(obj))
    for obj in session.dirty:
        if isinstance(obj, Audited) and (changes := _changed(obj)):
            add("update", obj, changes)
    for obj in session.deleted:
        if isinstance(obj, Audited):
            add("delete", obj, _created(obj))
    return rows


def _record_flush(session: orm.Session, _flush_context: Any) -> None:
    rows = _entries(session)
    if rows:
        session.connection().execute(sa.insert(AuditEntry.__table__), rows)


def register(_app: Flask) -> None:
    """Log every flush of an audited model, on every session (see ``app.core.derived``)."""
    listen([("after_flush", _record_flush)])


def record(
    action: str, entity_type: str, entity_id: int | None, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """Log an action that is more than a row change: a login, an approval, a merge."""
    from app.extensions import db

    actor, address = current_actor()
    entry = AuditEntry(
        actor_id=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=_jsonable(changes or {}),
        remote_addr=address,
    )
    db.session.add(entry)
    return entry
