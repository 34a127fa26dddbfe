"""Stored name keys, so a search never transliterates rows at query time."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.derived import DirectoryRecord
from app.core.models import Base, intpk

KEY_LENGTH = 200


class SearchKey(DirectoryRecord, Base):
    """One folded key of a searchable record: a whole name (``whole``) or one word of it."""

    __tablename__ = "search_keys"
    __table_args__ = (
        sa.Index("ix_search_keys_lookup", "entity_type", "key"),
        sa.Index("ix_search_keys_entity", "entity_type", "entity_id"),
    )

    id: Mapped[intpk]
    entity_type: Mapped[str] = mapped_column(sa.String(20))
    entity_id: Mapped[int]
    key: Mapped[str] = mapped_column(sa.String(KEY_LENGTH))
    whole: Mapped[bool]
