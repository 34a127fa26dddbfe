"""Deriving the collaboration ledger, and keeping it in step with every write.

Each kind of evidence is one SQL ``SELECT`` of (source, Russian side, Kazakh side, dates):

- a joint publication: its authors' centres, each the centre named on the authorship or
  else the author's affiliation on the publication date (without a day: 1 July of its year);
- a shared session: accepted participants of a published session, their affiliations on its
  day; a session still to come is *planned* (the reports tell them apart by date);
- a joint project: its Russian and Kazakh partner centres, over the project's dates.

An undated affiliation counts on a day only if it is assumed (``Affiliation.held_on_sql``).
Each tie carries the weakest provenance (``app.core.provenance``) of the facts it rests on:
the publication, the authorships, and the centre named on one (or the affiliation, which
counts as editorial when only its assumption places it); the project; for sessions, which
users enter, ``entered``. Where several readings give the same tie, the best one stands.

The same SELECTs fill the ledger for a few sources after a write (``sync``) or for everything
(``rebuild``), and a test checks that the two always agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.ext.compiler import compiles

from app.centres.models import Centre
from app.core import provenance as prov
from app.core.provenance import Provenance
from app.experts.models import Affiliation, Expert
from app.forums.models import ForumSession, Participation, ParticipationStatus, PublicationStatus
from app.projects.models import Project, ProjectCentre
from app.publications.models import Authorship, Publication
from app.reports.models import CentreTie, ExpertTie, TieKind

PENDING = "ledger_pending"
CHANGED = "reports_changed"  # the flag app.reports.cache reads
EVERYTHING = "ledger_everything"
CHUNK = 500


class mid_year(sa.sql.functions.GenericFunction):
    """1 July of a year, as a date: where a publication gives only its year."""

    type = sa.Date()
    inherit_cache = True


@compiles(mid_year, "postgresql")
def _mid_year_pg(element, compiler, **kw):
    return f"make_date({compiler.process(element.clauses, **kw)}, 7, 1)"


@compiles(mid_year, "sqlite")
def _mid_year_sqlite(element, compiler, **kw):
    return f"printf('%04d-07-01', {compiler.process(element.clauses, **kw)})"


class utc_day(sa.sql.functions.GenericFunction):
    """The UTC calendar day of a stored (UTC) timestamp."""

    type = sa.Date()
    inherit_cache = True


@compiles(utc_day, "postgresql")
def _utc_day_pg(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)})"


def _affiliation_rank() -> sa.ColumnElement[int]:
    """An affiliation's provenance, no better than editorial when only assumed to hold."""
    undated = sa.and_(Affiliation.start_date.is_(None), Affiliation.end_date.is_(None))
    assumption = sa.case((undated, prov.literal_rank(Provenance.EDITORIAL)), else_=0)
    return prov.weakest(prov.rank(Affiliation.provenance), assumption)


def _authorship_rank(*facts: Any) -> sa.ColumnElement[int]:
    """The weakest of a publication, its authorship and the facts given."""
    ranks = (Publication.provenance, Authorship.provenance)
    return prov.weakest(*(prov.rank(c) for c in ranks), *facts)


def _where_ids(column: Any, ids: Iterable[int] | None) -> sa.ColumnElement[bool]:
    return sa.true() if ids is None else column.in_(list(ids))


# -- who spoke for which centre ------------------------------------------------------------


def publication_centres(ids: Iterable[int] | None) -> sa.Subquery:
    """(source_id, expert_id, centre_id, country, day) for each author of the publications."""
    day = sa.func.coalesce(Publication.published_on, mid_year(Publication.year))
    named = (
        sa.select(
            Authorship.publication_id.label("source_id"),
            Authorship.centre_id.label("centre_id"),
            day.label("day"),
            _authorship_rank(prov.rank(Authorship.centre_provenance)).label("rank"),
        )
        .join(Publication, Publication.id == Authorship.publication_id)
        .where(Authorship.centre_id.is_not(None), _where_ids(Authorship.publication_id, ids))
    )
    held = (
        sa.select(
            Authorship.publication_id,
            Affiliation.centre_id,
            day,
            _authorship_rank(_affiliation_rank()),
        )
        .join(Publication, Publication.id == Authorship.publication_id)
        .join(Affiliation, Affiliation.expert_id == Authorship.expert_id)
        .where(
            Authorship.centre_id.is_(None),
            Affiliation.held_on_sql(day),
            _where_ids(Authorship.publication_id, ids),
        )
    )
    return sa.union(named, held).subquery("sides")


def session_centres(ids: Iterable[int] | None) -> sa.Subquery:
    """(source_id, centre_id, day, rank) for the accepted participants of published sessions."""
    day = utc_day(ForumSession.starts_at)
    entered = prov.literal_rank(Provenance.ENTERED)
    return (
        sa.select(
            ForumSession.id.label("source_id"),
            Affiliation.centre_id.label("centre_id"),
            day.label("day"),
            prov.weakest(entered, _affiliation_rank()).label("rank"),
        )
        .join(Participation, Participation.session_id == ForumSession.id)
        .join(Affiliation, Affiliation.expert_id == Participation.expert_id)
        .where(
            ForumSession.status == PublicationStatus.PUBLISHED,
            ForumSession.starts_at.is_not(None),
            Participation.status == ParticipationStatus.ACCEPTED,
            Affiliation.held_on_sql(day),
            _where_ids(ForumSession.id, ids),
        )
        .distinct()
        .subquery("sides")
    )


def _centre_pairs(sides: sa.Subquery, ends_on: Any = None) -> sa.Select:
    """Russian × Kazakh centres that spoke in one source, each pair on its best reading."""
    ru, kz = sides.alias("ru"), sides.alias("kz")
    ru_centre, kz_centre = orm.aliased(Centre), orm.aliased(Centre)
    ends = ends_on if ends_on is not None else ru.c.day
    return (
        sa.select(
            ru.c.source_id,
            ru.c.centre_id.label("ru_centre_id"),
            kz.c.centre_id.label("kz_centre_id"),
            ru.c.day.label("starts_on"),
            ends.label("ends_on"),
            prov.kind_of(sa.func.min(prov.weakest(ru.c.rank, kz.c.rank))).label("provenance"),
        )
        .join(kz, kz.c.source_id == ru.c.source_id)
        .join(ru_centre, ru_centre.id == ru.c.centre_id)
        .join(kz_centre, kz_centre.id == kz.c.centre_id)
        .where(ru_centre.country_code == "RU", kz_centre.country_code == "KZ")
        .group_by(ru.c.source_id, ru.c.centre_id, kz.c.centre_id, ru.c.day, ends)
    )


def project_pairs(ids: Iterable[int] | None) -> sa.Select:
    ru, kz = orm.aliased(ProjectCentre), orm.aliased(ProjectCentre)
    ru_centre, kz_centre = orm.aliased(Centre), orm.aliased(Centre)
    return (
        sa.select(
            Project.id.label("source_id"),
            ru.centre_id.label("ru_centre_id"),
            kz.centre_id.label("kz_centre_id"),
            Project.start_date.label("starts_on"),
            Project.end_date.label("ends_on"),
            Project.provenance.label("provenance"),  # its partners are its own facts
        )
        .join(ru, ru.project_id == Project.id)
        .join(kz, kz.project_id == Project.id)
        .join(ru_centre, ru_centre.id == ru.centre_id)
        .join(kz_centre, kz_centre.id == kz.centre_id)
        .where(
            ru_centre.country_code == "RU",
            kz_centre.country_code == "KZ",
            _where_ids(Project.id, ids),
        )
        .distinct()
    )


def centre_pairs(kind: TieKind, ids: Iterable[int] | None = None) -> sa.Select:
    """The centre ties one kind of evidence gives, for some sources or (None) all."""
    if kind == TieKind.PUBLICATION:
        return _centre_pairs(publication_centres(ids))
    if kind == TieKind.SESSION:
        return _centre_pairs(session_centres(ids))
    return project_pairs(ids)


def expert_pairs(kind: TieKind, ids: Iterable[int] | None = None) -> sa.Select | None:
    """Russian × Kazakh experts who wrote together or shared a published session."""
    ru, kz = orm.aliased(Expert), orm.aliased(Expert)
    if kind == TieKind.PUBLICATION:
        mine, theirs = orm.aliased(Authorship), orm.aliased(Authorship)
        day = sa.func.coalesce(Publication.published_on, mid_year(Publication.year))
        ranks = (Publication.provenance, mine.provenance, theirs.provenance)
        best = sa.func.min(prov.weakest(*(prov.rank(c) for c in ranks)))
        return (
            sa.select(mine.publication_id, ru.id, kz.id, day, prov.kind_of(best))
            .join(theirs, theirs.publication_id == mine.publication_id)
            .join(Publication, Publication.id == mine.publication_id)
            .join(ru, ru.id == mine.expert_id)
            .join(kz, kz.id == theirs.expert_id)
            .where(
                ru.country_code == "RU",
                kz.country_code == "KZ",
                _where_ids(mine.publication_id, ids),
            )
            .group_by(mine.publication_id, ru.id, kz.id, day)
        )
    if kind == TieKind.SESSION:
        mine, theirs = orm.aliased(Participation), orm.aliased(Participation)
        return (
            sa.select(
                ForumSession.id,
                ru.id,
                kz.id,
                utc_day(ForumSession.starts_at),
                prov.literal(Provenance.ENTERED),
            )
            .join(mine, mine.session_id == ForumSession.id)
            .join(theirs, theirs.session_id == ForumSession.id)
            .join(ru, ru.id == mine.expert_id)
            .join(kz, kz.id == theirs.expert_id)
            .where(
                ForumSession.status == PublicationStatus.PUBLISHED,
                ForumSession.starts_at.is_not(None),
                mine.status == ParticipationStatus.ACCEPTED,
                theirs.status == ParticipationStatus.ACCEPTED,
                ru.country_code == "RU",
                kz.country_code == "KZ",
                _where_ids(ForumSession.id, ids),
            )
            .distinct()
        )
    return None  # projects join centres, not people


# -- writing the ledger ----------------------------------------------------------------------


_CENTRE_COLUMNS = (
    "source_id",
    "ru_centre_id",
    "kz_centre_id",
    "starts_on",
    "ends_on",
    "provenance",
)
_EXPERT_COLUMNS = ("source_id", "ru_expert_id", "kz_expert_id", "starts_on", "provenance")


def _derivations(kind: TieKind, ids: list[int] | None) -> list[tuple[sa.Table, tuple, sa.Select]]:
    derived = [(CentreTie.__table__, _CENTRE_COLUMNS, centre_pairs(kind, ids))]
    people = expert_pairs(kind, ids)
    if people is not None:
        derived.append((ExpertTie.__table__, _EXPERT_COLUMNS, people))
    return derived


def _refill(conn: sa.Connection, kind: TieKind) -> None:
    """Replace every ledger row of one kind: the fast path of a full rebuild."""
    for table, columns, derived in _derivations(kind, None):
        conn.execute(sa.delete(table).where(table.c.kind == kind.value))
        sub = derived.subquery()
        conn.execute(
            sa.insert(table).from_select(
                ["kind", *columns], sa.select(sa.literal(kind.value), *sub.c)
            )
        )


def _reconcile(conn: sa.Connection, kind: TieKind, ids: list[int]) -> None:
    """Make the ledger's rows for these sources what they derive to, writing only the difference.

    Rows that still hold keep their ids, so a write that changes no tie (re-seeding the same
    data, an edit to an unrelated field) leaves the ledger untouched.
    """
    for table, columns, derived in _derivations(kind, ids):
        wanted = {tuple(row) for row in conn.execute(derived)}
        held = conn.execute(
            sa.select(table.c.id, *(table.c[name] for name in columns)).where(
                table.c.kind == kind.value, table.c.source_id.in_(ids)
            )
        )
        have = {tuple(row[1:]): row[0] for row in held}
        stale = [tie_id for values, tie_id in have.items() if values not in wanted]
        if stale:  # before the inserts: a tie whose dates moved keeps its unique key
            conn.execute(sa.delete(table).where(table.c.id.in_(stale)))
        fresh = [
            dict(zip(columns, values, strict=True), kind=kind) for values in wanted - have.keys()
        ]
        if fresh:
            conn.execute(sa.insert(table), fresh)


def rebuild(session: orm.Session) -> None:
    """Recompute the whole ledger from the records."""
    session.flush()
    conn = session.connection()
    for kind in TieKind:
        _refill(conn, kind)
    _pending(session).clear()
    session.info.pop(EVERYTHING, None)
    session.info[CHANGED] = True  # retire cached reports at the commit


def refresh(session: orm.Session, kind: TieKind, ids: Iterable[int]) -> None:
    """Mark sources whose ties may have changed; ``sync`` (or the commit) recomputes them."""
    _pending(session).setdefault(kind, set()).update(ids)


def refresh_everything(session: orm.Session) -> None:
    """After writes the ORM does not see (merges, bulk loads): rebuild at the commit."""
    session.info[EVERYTHING] = True


def sync(session: orm.Session) -> None:
    """Bring the ledger up to date with what this session wrote."""
    session.flush()
    if session.info.pop(EVERYTHING, False):
        rebuild(session)
        return
    pending = _pending(session)
    conn = session.connection()
    while pending:
        kind, ids = pending.popitem()
        ordered = sorted(i for i in ids if i is not None)
        for start in range(0, len(ordered), CHUNK):
            _reconcile(conn, kind, ordered[start : start + CHUNK])


def _pending(session: orm.Session) -> dict[TieKind, set[int]]:
    return session.info.setdefault(PENDING, {})
