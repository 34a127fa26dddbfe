"""The audit log: who changed what, and when."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, created_at, intpk


class AuditEntry(Base):
    """One change. ``entity_type``/``entity_id`` name the record; ``changes`` holds
    ``{field: [old, new]}`` for updates, the created values for creations."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity_type", "entity_id"),)

    id: Mapped[intpk]
    created_at: Mapped[created_at] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(40))
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))
