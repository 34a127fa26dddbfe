"""Cross-script search over stored name keys.

Every searchable model (:class:`app.core.derived.Searchable`) names its texts in
``search_texts()``; a flush listener, installed by :func:`register`, keeps their keys in
``search_keys`` current. A query is folded the same way and ranked:
exact matches first, then prefixes, then fuzzy matches (rapidfuzz) among keys that
share the query word's first letters.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask
from rapidfuzz import fuzz
from sqlalchemy import orm

from app.core.derived import Searchable, listen
from app.core.names import name_key, name_words, prefix_upper_bound
from app.search.models import KEY_LENGTH, SearchKey

EXACT, PREFIX, FUZZY = 3, 2, 1
FUZZY_CUTOFF = 80
MIN_WORD = 2
MAX_CANDIDATES = 2_000
# The fuzzy pass is a fallback: it runs only when exact and prefix matches are this few.
FUZZY_BELOW = 20


def key_rows(entity_type: str, entity_id: int, texts: Iterable[str | None]) -> list[dict]:
    """The ``search_keys`` rows for one record's texts."""
    seen: set[tuple[str, bool]] = set()
    for text in texts:
        if not text:
            continue
        words = name_words(text)
        whole = "".join(words)[:KEY_LENGTH]
        if whole:
            seen.add((whole, True))
        seen.update((w[:KEY_LENGTH], False) for w in words if len(w) >= MIN_WORD)
    return [
        {"entity_type": entity_type, "entity_id": entity_id, "key": key, "whole": whole}
        for key, whole in sorted(seen)
    ]


# -- keeping keys current -----------------------------------------------------------


def _needs_reindex(obj: Any) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in obj.__search_fields__)


def register(_app: Flask) -> None:
    """Keep search keys current on every session (see ``app.core.derived``)."""
    listen([("after_flush", _reindex)])


def _reindex(session: orm.Session, _context: Any) -> None:
    stale, rows = [], []
    new = session.new  # built anew on every access: read it once
    for obj in new | session.dirty:
        if isinstance(obj, Searchable) and (obj in new or _needs_reindex(obj)):
            stale.append((obj.__search_type__, obj.id))
            rows.extend(key_rows(obj.__search_type__, obj.id, obj.search_texts()))
    stale.extend((o.__search_type__, o.id) for o in session.deleted if isinstance(o, Searchable))
    if not stale:
        return
    conn = session.connection()
    table = SearchKey.__table__
    by_type: dict[str, list[int]] = defaultdict(list)
    for entity_type, entity_id in stale:
        by_type[entity_type].append(entity_id)
    for entity_type, ids in by_type.items():
        conn.execute(
            table.delete().where(table.c.entity_type == entity_type, table.c.entity_id.in_(ids))
        )
    if rows:
        conn.execute(table.insert(), rows)


# -- querying -------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Hit:
    tier: int
    score: float
    entity_id: int


def _prefixes(words: list[str], whole: str, fuzzy: bool) -> tuple[list[str], list[str]]:
    """The stems that must each start one of a candidate's keys, and every prefix to bind
    (the stems, and for the exact pass the whole query). Initials ("А.") do not pick
    candidates, which would be half the table; they are checked against the candidates'
    keys. The fuzzy pass (for typos) asks only for each word's first letters."""
    long_words = [w for w in words if len(w) >= MIN_WORD] or words
    stems = [s for s in dict.fromkeys(_fuzzy_stem(w) if fuzzy else w for w in long_words) if s]
    return stems, (stems if fuzzy else [*stems, whole])


def _candidate_rows(
    session: orm.Session, entity_type: str, words: list[str], whole: str, fuzzy: bool
) -> list[tuple[int, str, bool]]:
    """Every key of the records that have a key starting with a query word (or, for the
    fuzzy pass, with its first letters), or whose name the whole query starts."""
    stems, prefixes = _prefixes(words, whole, fuzzy)
    params = _bound(prefixes, "", {"entity_type": entity_type})
    stmt = _candidates_stmt(len(stems), not fuzzy)
    return [tuple(r) for r in session.connection().execute(stmt, params)]


def _both_passes(
    session: orm.Session, entity_type: str, words: list[str], whole: str
) -> tuple[list[tuple[int, str, bool]], list[tuple[int, str, bool]]]:
    """The exact and the fuzzy pass's candidates in one statement: for a query of one word,
    which takes the fuzzy pass unless it has FUZZY_BELOW matches already (one statement
    less cost a search ~0.3 M instructions)."""
    stems, prefixes = _prefixes(words, whole, False)
    fuzzy_stems, fuzzy_prefixes = _prefixes(words, whole, True)
    params = _bound(prefixes, "", {"entity_type": entity_type})
    _bound(fuzzy_prefixes, "f", params)
    stmt = _both_stmt(len(stems), len(fuzzy_stems))
    passes: tuple[list, list] = ([], [])
    for entity_id, key, is_whole, fuzzy in session.connection().execute(stmt, params):
        passes[fuzzy].append((entity_id, key, is_whole))
    return passes


def _bound(prefixes: list[str], name: str, params: dict[str, Any]) -> dict[str, Any]:
    for n, prefix in enumerate(prefixes):
        params[f"{name}low_{n}"], params[f"{name}high_{n}"] = prefix, prefix_upper_bound(prefix)
    return params


@functools.cache
def _both_stmt(stems: int, fuzzy_stems: int) -> sa.CompoundSelect:
    """:func:`_candidates_stmt` of each pass, told apart by a ``fuzzy`` column: built once."""
    exact = _candidates_stmt(stems, True).add_columns(sa.literal(0).label("fuzzy"))
    fuzzy = _candidates_stmt(fuzzy_stems, False, "f").add_columns(sa.literal(1).label("fuzzy"))
    return sa.union_all(exact, fuzzy)


@functools.cache
def _candidates_stmt(stems: int, with_whole: bool, name: str = "") -> sa.Select:
    """The candidates' keys for so many stems (and the whole query), with bound values
    (named with ``name`` first): built once per shape, not per search (building and keying
    it cost ~0.1 ms a pass)."""
    c = SearchKey.__table__.c
    entity_type = sa.bindparam("entity_type", type_=c.entity_type.type)

    def having_prefix(n: int) -> sa.Select:
        low = sa.bindparam(f"{name}low_{n}", type_=c.key.type)
        high = sa.bindparam(f"{name}high_{n}", type_=c.key.type)
        return sa.select(c.entity_id).where(
            c.entity_type == entity_type, c.key >= low, c.key < high
        )

    # (A subquery, because SQLite refuses a parenthesised INTERSECT inside a UNION.)
    every = sa.intersect(*(having_prefix(n) for n in range(stems))).subquery()
    found = sa.select(every.c.entity_id)
    if with_whole:
        found = sa.union(found, having_prefix(stems))
    ids = sa.select(found.subquery().c.entity_id).distinct().limit(MAX_CANDIDATES)
    return sa.select(c.entity_id, c.key, c.whole).where(
        c.entity_type == entity_type, c.entity_id.in_(ids.scalar_subquery())
    )


def _fuzzy_stem(word: str) -> str:
    """Fuzzy candidates share the word's first letters (three, for longer words)."""
    return word[:3] if len(word) >= 5 else word[:MIN_WORD]


def _word_score(word: str, key: str, fuzzy: bool) -> tuple[int, float]:
    if key == word:
        return EXACT, 1.0
    if key.startswith(word):
        return PREFIX, len(word) / len(key)
    if fuzzy and len(word) >= 4:
        ratio = fuzz.ratio(word, key)
        if ratio >= FUZZY_CUTOFF:
            return FUZZY, ratio / 100
    return 0, 0.0


def _rank(
    rows: list[tuple[int, str, bool]], words: list[str], whole: str, fuzzy: bool
) -> dict[int, Hit]:
    keys: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for entity_id, key, is_whole in rows:
        keys[entity_id].append((key, is_whole))
    hits = {}
    for entity_id, entity_keys in keys.items():
        if any(is_whole and key == whole for key, is_whole in entity_keys):
            hits[entity_id] = Hit(EXACT, 2.0, entity_id)
            continue
        per_word = [max(_word_score(w, k, fuzzy) for k, _ in entity_keys) for w in words]
        if all(tier for tier, _ in per_word):
            tier = min(tier for tier, _ in per_word)
            score = sum(s for _, s in per_word) / len(per_word)
            hits[entity_id] = Hit(tier, score, entity_id)
        elif any(is_whole and key.startswith(whole) for key, is_whole in entity_keys):
            hits[entity_id] = Hit(PREFIX, len(whole) / 100, entity_id)
    return hits


def search(session: orm.Session, entity_type: str, query: str, limit: int = 500) -> list[Hit]:
    """Ranked hits for ``query``: exact, then prefix, then fuzzy; best first."""
    words = [w for w in name_words(query) if w]
    whole = name_key(query)[:KEY_LENGTH]
    if not whole:
        return []
    fuzzy_rows = None
    if len(words) == 1:
        exact_rows, fuzzy_rows = _both_passes(session, entity_type, words, whole)
    else:
        exact_rows = _candidate_rows(session, entity_type, words, whole, False)
    hits = _rank(exact_rows, words, whole, False)
    # A full name found exactly needs no look-alikes; a single word may have typo'd kin.
    exact_name = len(words) > 1 and any(h.tier == EXACT for h in hits.values())
    if len(hits) < min(limit, FUZZY_BELOW) and not exact_name:
        if fuzzy_rows is None:
            fuzzy_rows = _candidate_rows(session, entity_type, words, whole, True)
        for entity_id, hit in _rank(fuzzy_rows, words, whole, True).items():
            hits.setdefault(entity_id, hit)
    ranked = sorted(hits.values(), key=lambda h: (-h.tier, -h.score, h.entity_id))
    return ranked[:limit]


# -- rebuilding -----------------------------------------------------------------------


def searchable_models() -> list[type]:
    """Every mapped model that opts in to search."""
    from app.core.models import Base

    classes = (mapper.class_ for mapper in Base.registry.mappers)
    return sorted((c for c in classes if issubclass(c, Searchable)), key=lambda c: c.__name__)


def insert_keys(
    session: orm.Session,
    entity_type: str,
    records: Iterable[tuple[int, list[str | None]]],
    batch: int = 5_000,
) -> int:
    """Insert the keys of ``(id, texts)`` records in batches; returns how many rows."""
    table, pending, total = SearchKey.__table__, [], 0
    for entity_id, texts in records:
        pending.extend(key_rows(entity_type, entity_id, texts))
        if len(pending) >= batch:
            session.execute(table.insert(), pending)
            total, pending = total + len(pending), []
    if pending:
        session.execute(table.insert(), pending)
        total += len(pending)
    return total


def reindex(session: orm.Session, *, missing_only: bool = False) -> dict[str, int]:
    """Rebuild the keys of every searchable record (or only of those that have none)."""
    counts = {}
    table = SearchKey.__table__
    for model in searchable_models():
        entity_type = model.__search_type__
        stmt = sa.select(model).execution_options(yield_per=2_000).order_by(model.id)
        if missing_only:
            indexed = sa.select(table.c.entity_id).where(table.c.entity_type == entity_type)
            stmt = stmt.where(model.id.not_in(indexed))
        else:
            session.execute(table.delete().where(table.c.entity_type == entity_type))
        records = ((obj.id, obj.search_texts()) for obj in session.scalars(stmt))
        counts[entity_type] = insert_keys(session, entity_type, records)
    return counts


def duplicates(
    session: orm.Session,
    entity_type: str,
    texts: Iterable[str | None],
    exclude_id: int | None = None,
) -> list[int]:
    """Records whose whole name folds to the same key as one of ``texts``."""
    keys = {name_key(t)[:KEY_LENGTH] for t in texts if t and name_key(t)}
    if not keys:
        return []
    c = SearchKey.__table__.c
    stmt = (
        sa.select(c.entity_id)
        .distinct()
        .where(c.entity_type == entity_type, c.whole.is_(True), c.key.in_(keys))
        .order_by(c.entity_id)
    )
    if exclude_id is not None:
        stmt = stmt.where(c.entity_id != exclude_id)
    return list(session.scalars(stmt))
