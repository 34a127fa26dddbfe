"""Expert services. They add and flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.core.errors import Conflict, DomainError, NotFound
from app.core.listing import apply_sort, bound_search, search_clauses
from app.core.lookup import get_or_404
from app.core.pagination import BOUND_SHAPES, SHARED_COUNT, Bound
from app.core.sqljson import from_json, json_array, json_array_agg
from app.experts.models import Affiliation, Expert, expert_topics
from app.extensions import db
from app.reference.models import Country, Region, Topic
from app.search.services import duplicates

if TYPE_CHECKING:
    from app.accounts.models import User

# A viewer's sessions scope: app.forums.visibility.session_scope
Scope = tuple[str, int | None]
SORTS = {"name": Expert.full_name, "id": Expert.id}


def get_expert(expert_id: int) -> Expert:
    return get_or_404(Expert, expert_id, "expert")


def visible_to(viewer: User | None) -> sa.ColumnElement[bool]:
    """The profiles ``viewer`` may see: all but those whose user has not verified their
    address yet, which only that user and admins see (a registration is private until
    then). The one rule for lists, search and detail."""
    if viewer is not None and viewer.is_admin:
        return sa.true()
    return _visible_rule(None if viewer is None else viewer.id)


def _visible_rule(viewer_id: int | sa.BindParameter | None) -> sa.ColumnElement[bool]:
    """:func:`visible_to` for a viewer who is not an admin (``viewer_id`` None: the
    public), the id given or bound."""
    if viewer_id is None:
        return _public_rule()
    return sa.or_(_public_rule(), Expert.user_id == viewer_id)


@functools.cache
def _public_rule() -> sa.ColumnElement[bool]:
    """Not an unverified registration: built once (its subquery cost every list ~0.2 ms)."""
    from app.accounts.models import User

    # ``user_id IS NULL`` says nothing NOT EXISTS does not, but PostgreSQL 15 estimates the
    # anti-join alone at one row and so sorted every matching expert for a page (3.4 ms
    # for Kazakhstan's 5,000) rather than read the first 20 by ix_experts_country_name in
    # order (0.2 ms); with it, the estimate is right.
    unverified = sa.exists().where(User.id == Expert.user_id, User.email_verified_at.is_(None))
    return sa.or_(Expert.user_id.is_(None), ~unverified)


def get_visible_expert(
    expert_id: int, viewer: User | None, *loads: orm.interfaces.LoaderOption
) -> Expert:
    """The expert, or 404 when ``viewer`` may not see them (as if they did not exist), in
    one statement; ``loads``: loader options for what the caller shows of them."""
    kind = _viewer_kind(viewer)
    params = {"expert_id": expert_id, "viewer_id": None if viewer is None else viewer.id}
    expert = db.session.scalar(_visible_expert(kind, loads), params)
    if expert is None:
        raise NotFound("No such expert.")
    return expert


@functools.lru_cache(maxsize=32)
def _visible_expert(kind: str, loads: tuple[orm.interfaces.LoaderOption, ...]) -> sa.Select:
    """The statement of :func:`get_visible_expert`, built once per kind of viewer and set of
    loader options (the expert and the viewer bound): SQLAlchemy then keys it once, not on
    every request."""
    expert_id = sa.bindparam("expert_id", type_=sa.Integer)
    return sa.select(Expert).options(*loads).where(Expert.id == expert_id, _bound_visible(kind))


def _bound_visible(kind: str) -> sa.ColumnElement[bool]:
    """:func:`visible_to` for a kind of viewer, a user's id bound as ``viewer_id``."""
    if kind == "admin":
        return sa.true()
    return _visible_rule(sa.bindparam("viewer_id", type_=sa.Integer) if kind == "user" else None)


def profile(expert_id: int, viewer: User | None) -> SimpleNamespace:
    """What a profile page shows of the expert, as plain rows (:func:`list_rows`' shape,
    with topics' names too), or 404 as :func:`get_visible_expert`. In three statements
    built once; loading ORM objects for it (country, topics, affiliations, centres) cost
    ~2.8 M instructions a page more (bench.instructions: 17.14 -> 14.36 M)."""
    conn = db.session.connection()
    head, topics, held = _profile_statements(_viewer_kind(viewer))
    params = {"expert_id": expert_id, "viewer_id": None if viewer is None else viewer.id}
    row = conn.execute(head, params).mappings().first()
    if row is None:
        raise NotFound("No such expert.")
    expert = _expert_row(row, True)
    expert.topics = [SimpleNamespace(**t) for t in conn.execute(topics, params).mappings()]
    today = dt.date.today()
    for found in conn.execute(held, params).mappings():
        expert.affiliations.append(_affiliation_row(dict(found), today))
    return expert


def _viewer_kind(viewer: User | None) -> str:
    return "public" if viewer is None else "admin" if viewer.is_admin else "user"


@functools.lru_cache(maxsize=4)
def _profile_statements(kind: str) -> tuple[sa.Select, sa.Select, sa.Select]:
    """The expert with their country's names if a ``kind`` of viewer may see them, their
    topics with names, their affiliations with centres' names (:func:`_held`)."""
    table, countries = Expert.__table__, Country.__table__
    head = _visible_expert(kind, ()).with_only_columns(
        *table.c, *(countries.c[name] for name in _NAMES)
    )
    head = head.join_from(table, countries)
    expert_id = sa.bindparam("expert_id", type_=sa.Integer)
    link, topic = expert_topics.c, Topic.__table__
    topics = sa.select(topic.c.id, *(topic.c[name] for name in _NAMES))
    topics = topics.join_from(expert_topics, topic).where(link.expert_id == expert_id)
    held = _held().where(Affiliation.__table__.c.expert_id == expert_id)
    return head, topics.order_by(topic.c.id), held


def resolve_topics(topic_ids: list[int]) -> list[Topic]:
    """The topics with these ids, or 422 naming the unknown ones."""
    wanted = list(dict.fromkeys(topic_ids))
    topics = {t.id: t for t in db.session.scalars(sa.select(Topic).where(Topic.id.in_(wanted)))}
    missing = [i for i in wanted if i not in topics]
    if missing:
        raise DomainError("Unknown topics.", {"topic_ids": [f"No topic {i}." for i in missing]})
    return [topics[i] for i in wanted]


def check_country(code: str, field: str = "country") -> str:
    if db.session.get(Country, code) is None:
        raise DomainError("Unknown country.", {field: [f"No country {code}."]})
    return code


def check_region(region_id: int | None) -> None:
    """A region given (``region_id``) must exist: 422 otherwise."""
    if region_id is not None and db.session.get(Region, region_id) is None:
        raise DomainError("Unknown region.", {"region_id": ["No such region."]})


_FILTERS = {
    "country": sa.String,
    "verified": sa.Boolean,
    "topic": sa.Integer,
    "centre": sa.Integer,
}


def list_statement(filters: dict[str, Any], viewer: User | None = None, page_rows=None) -> Bound:
    """Experts matching the filters that ``viewer`` may see (:func:`visible_to`; None: the
    public), as a select built once per shape of the filters (:func:`_list_select`) and
    their values; ``page_rows``: the select's page reader (``pagination.read_page``)."""
    params = {name: filters[name] for name in _FILTERS if name in filters}
    if "centre" in params:
        params["today"] = dt.date.today()
    kind = _viewer_kind(viewer)
    if kind == "user":
        params["viewer_id"] = viewer.id
    q, sort, ranked = filters.get("q"), filters.get("sort"), False
    if q:
        ranked, found = bound_search(Expert, q, sort)
        params.update(found)
    narrowed = tuple(name for name in _FILTERS if name in filters)
    export = filters.get("format", "json") != "json"
    dialect = db.engine.dialect.name
    shape = (dialect, kind, narrowed, bool(q), ranked, sort, export, page_rows)
    return Bound(_list_select(*shape), params)


def list_query(filters: dict[str, Any], viewer: User | None = None) -> sa.Select:
    """:func:`list_statement` with its values bound in; for an export, affiliations and
    topics load in two more queries."""
    bound = list_statement(filters, viewer)
    return bound.stmt.params(bound.params)


@functools.lru_cache(maxsize=BOUND_SHAPES)
def _list_select(
    _dialect: str,  # the search's ranking is written per dialect (listing.search_clauses)
    kind: str,
    narrowed: tuple[str, ...],
    searched: bool,
    ranked: bool,
    sort: str | None,
    export: bool,
    page_rows: Any,
) -> sa.Select:
    """The select of :func:`list_statement` for one shape, its values bound parameters
    named as the filters (and ``viewer_id``, ``today``, ``search_ids``, ``rank_ids``)."""
    stmt = sa.select(Expert).where(_bound_visible(kind))
    if export:
        # An export reads whole objects; a page reads plain rows (list_rows), for which
        # these loads were built and keyed for nothing.
        stmt = stmt.options(*_list_loads())
    value = {name: sa.bindparam(name, type_=_FILTERS[name]) for name in narrowed}
    if "country" in value:
        stmt = stmt.where(Expert.country_code == value["country"])
    if "verified" in value:
        stmt = stmt.where(Expert.verified == value["verified"])
    if "topic" in value:
        link = expert_topics.c
        stmt = stmt.where(
            Expert.id.in_(sa.select(link.expert_id).where(link.topic_id == value["topic"]))
        )
    if "centre" in value:
        today = sa.bindparam("today", type_=sa.Date)
        held = sa.select(Affiliation.expert_id).where(
            Affiliation.centre_id == value["centre"], Affiliation.current_on_sql(today)
        )
        stmt = stmt.where(Expert.id.in_(held))
    if searched:
        found, rank = search_clauses(Expert.id, ranked)
        stmt = stmt.where(found)
        if rank is not None:
            stmt = stmt.order_by(rank)
    if sort or not searched:
        stmt = apply_sort(stmt, sort, SORTS, "name")
    if page_rows is not None:
        stmt = stmt.execution_options(page_rows=page_rows)
    # Experts, their topics and affiliations are directory records: a write to any
    # retires the shared counts.
    return stmt.execution_options(**{SHARED_COUNT: True})


@functools.cache
def _list_loads() -> tuple[orm.interfaces.LoaderOption, ...]:
    return (
        orm.selectinload(Expert.topics),
        orm.selectinload(Expert.affiliations).joinedload(Affiliation.centre),
    )


def list_rows(
    window: sa.Select, params: dict[str, Any] | None = None, *, names: bool = False
) -> list[SimpleNamespace]:
    """A page of :func:`list_query` (``window``: with its LIMIT and OFFSET) as plain rows
    holding what :class:`~app.experts.schemas.ExpertSchema` shows, in two statements: the
    experts, then their topics and affiliations (:func:`_page_extras`). Loading ORM
    objects for it cost ~0.3 ms a page more for one expert and ~1 ms for 20; the API list
    dumps these through the same schema, and tests/directory/test_lists.py checks both
    dump alike. With ``names`` (the page) each also carries its country's and its centres'
    names in every language, and whether each affiliation is current, as the ORM objects
    would, but not its topics, which the page does not show."""
    conn = db.session.connection()
    # A bound window (pagination.Bound) is built once, so its columns' select can be too.
    shown = _shown(window, names)
    # .all(): one fetch of the page, where iterating fetches row by row (~20 µs a row).
    rows = conn.execute(shown, params).mappings().all()
    experts = [_expert_row(row, names) for row in rows]
    by_id = {e.id: e for e in experts}
    if not by_id:
        return experts
    if not names:
        _add_page_extras(conn, by_id)
        return experts
    held = _held_by_ids()
    today = dt.date.today()
    for found in conn.execute(held, {"ids": list(by_id)}).mappings().all():
        affiliation = _affiliation_row(dict(found), today)
        by_id[affiliation.expert_id].affiliations.append(affiliation)
    return experts


def _add_page_extras(conn: sa.Connection, by_id: dict[int, SimpleNamespace]) -> None:
    """Give the experts ``by_id`` their topics and the affiliations the API shows, in the
    order the ORM's relationships and :func:`_held` give them."""
    statement, fields, readers = _page_extras()
    nulls_first = conn.dialect.name == "sqlite"  # as each database sorts a null start
    for expert_id, topic_ids, held in conn.execute(statement, {"ids": list(by_id)}).all():
        expert = by_id[expert_id]
        expert.topics = [SimpleNamespace(id=i) for i in sorted(topic_ids or ())]
        found = [
            SimpleNamespace(
                **{f: read(v) for f, read, v in zip(fields, readers, item, strict=True)}
            )
            for item in held or ()
        ]
        found.sort(key=lambda a: ((a.start_date is None) != nulls_first, a.start_date, a.id))
        expert.affiliations = found


@functools.cache
def _page_extras() -> tuple[sa.Select, tuple[str, ...], tuple]:
    """For the experts ``ids``: their topic ids, and their affiliations as what
    :class:`~app.experts.schemas.AffiliationSchema` shows (with the centre's English name),
    each as one JSON array (:mod:`app.core.sqljson`): one statement and a row per expert,
    where two statements read a row per topic and per affiliation (~0.2 ms a page on
    PostgreSQL). Also the names of an affiliation's fields, and what reads each back."""
    from app.centres.models import Centre

    experts, link = Expert.__table__, expert_topics.c
    held, centres = Affiliation.__table__, Centre.__table__
    columns = [held.c[name] for name in _PAGE_HELD] + [centres.c.name_en]
    topic_ids = sa.select(json_array_agg(link.topic_id)).where(link.expert_id == experts.c.id)
    shown = (
        sa.select(json_array_agg(json_array(*columns)))
        .select_from(held.join(centres))
        .where(held.c.expert_id == experts.c.id)
    )
    statement = sa.select(experts.c.id, topic_ids.scalar_subquery(), shown.scalar_subquery()).where(
        experts.c.id.in_(sa.bindparam("ids", expanding=True))
    )
    fields = (*_PAGE_HELD, "centre")
    readers = tuple(from_json(column) for column in columns[:-1])
    return statement, fields, (*readers, lambda name: SimpleNamespace(name_en=name))


# What the API shows of an affiliation (AffiliationSchema), and what orders them.
_PAGE_HELD = (
    "id",
    "centre_id",
    "position",
    "start_date",
    "end_date",
    "assumed",
    "provenance",
    "source",
)


_NAMES = ("name_en", "name_ru", "name_kk")


@functools.lru_cache(maxsize=BOUND_SHAPES)
def _shown(window: sa.Select, names: bool) -> sa.Select:
    """``window`` selecting what :func:`list_rows` shows (with ``names``, the country's)."""
    columns = list(Expert.__table__.c)
    if names:
        window = window.join_from(Expert.__table__, Country.__table__)
        columns += [Country.__table__.c[name] for name in _NAMES]
    return window.with_only_columns(*columns)


def _expert_row(row: sa.RowMapping, names: bool) -> SimpleNamespace:
    fields = {column.key: row[column.key] for column in Expert.__table__.c}
    expert = SimpleNamespace(**fields, topics=[], affiliations=[])
    if names:
        expert.country = SimpleNamespace(code=row["country_code"], **{n: row[n] for n in _NAMES})
    return expert


def _affiliation_row(row: dict[str, Any], today: dt.date) -> SimpleNamespace:
    """An affiliation with its centre's names, and whether it is current ``today``."""
    centre = SimpleNamespace(**{name: row.pop(name) for name in _NAMES})
    affiliation = SimpleNamespace(**row, centre=centre)
    affiliation.current = Affiliation.current_on(affiliation, today)
    return affiliation


@functools.cache
def _held_by_ids() -> sa.Select:
    """The affiliations (with their centre's names) of the experts ``ids``, in the order
    of the relationship: built once (building it cost ~0.1 ms)."""
    ids = sa.bindparam("ids", expanding=True)
    return _held().where(Affiliation.__table__.c.expert_id.in_(ids))


@functools.cache
def _held() -> sa.Select:
    """Affiliations with their centre's names, in the order of the relationship."""
    from app.centres.models import Centre

    table = Affiliation.__table__
    held = sa.select(*table.c, *(Centre.__table__.c[name] for name in _NAMES))
    return held.join_from(table, Centre).order_by(table.c.start_date, table.c.id)


def check_duplicates(data: dict[str, Any], exclude_id: int | None = None) -> None:
    """409 with the candidates when an expert of the same name exists (in any script)."""
    names = [data.get("full_name"), *(data.get("other_names") or [])]
    found = duplicates(db.session, "expert", names, exclude_id)
    if found:
        raise Conflict(
            "An expert with this name exists; send ?force=true to create one anyway.",
            {
                "candidates": [
                    {"id": e.id, "full_name": e.full_name, "country": e.country_code}
                    for e in db.session.scalars(sa.select(Expert).where(Expert.id.in_(found)))
                ]
            },
        )


def _affiliations(expert: Expert, rows: list[dict[str, Any]]) -> list[Affiliation]:
    """The affiliations ``rows`` give the expert. A row the expert has already (the same
    centre, position and dates) stays the row it was, with where it comes from (a seeded
    tie's provenance and source) and whether it is assumed, unless the row says; only
    new rows are the editor's own."""
    from app.centres.models import Centre

    ids = {row["centre_id"] for row in rows}
    known = set(db.session.scalars(sa.select(Centre.id).where(Centre.id.in_(ids))))
    if missing := sorted(ids - known):
        raise DomainError(
            "Unknown centres.", {"affiliations": [f"No centre {i}." for i in missing]}
        )
    held: dict[tuple, list[Affiliation]] = {}
    for affiliation in expert.affiliations:
        held.setdefault(_same(functools.partial(getattr, affiliation)), []).append(affiliation)
    given = []
    for row in rows:
        kept = held.get(_same(row.get))
        if kept:
            affiliation = kept.pop(0)
            affiliation.assumed = row.get("assumed", affiliation.assumed)
        else:
            affiliation = Affiliation(
                centre_id=row["centre_id"],
                position=row.get("position"),
                start_date=row.get("start_date"),
                end_date=row.get("end_date"),
                assumed=row.get("assumed", True),
            )
        given.append(affiliation)
    return given


def _same(value_of: Callable[[str], Any]) -> tuple:
    """What makes two affiliations one: the centre, the position and the dates."""
    return tuple(value_of(key) for key in ("centre_id", "position", "start_date", "end_date"))


def _apply(expert: Expert, data: dict[str, Any]) -> None:
    """Set the fields. Everything that can refuse them is checked before the first is set,
    so a refusal leaves the profile as it was (a page shows it again)."""
    data = dict(data)
    if data.get("orcid"):
        taken = db.session.scalar(
            sa.select(Expert.id).where(Expert.orcid == data["orcid"], Expert.id != expert.id)
        )
        if taken is not None:
            raise Conflict(
                "This ORCID iD belongs to another profile.", {"orcid": [f"Used by expert {taken}."]}
            )
    country = check_country(data.pop("country")) if "country" in data else None
    topics = resolve_topics(data.pop("topic_ids")) if "topic_ids" in data else None
    if "affiliations" in data:
        expert.affiliations = _affiliations(expert, data.pop("affiliations"))
    if country is not None:
        expert.country_code = country
    if topics is not None:
        expert.topics = topics
    for key, value in data.items():
        setattr(expert, key, value.strip() if isinstance(value, str) else value)


def create_expert(data: dict[str, Any], *, force: bool = False) -> Expert:
    if not force:
        check_duplicates(data)
    expert = Expert(other_names=[], languages=[])
    _apply(expert, data)
    db.session.add(expert)
    db.session.flush()
    return expert


def centre_options() -> list[sa.Row]:
    """Every centre as a form's select offers it: id and names, by English name."""
    from app.centres.models import Centre

    stmt = sa.select(Centre.id, Centre.name_en, Centre.name_ru, Centre.name_kk)
    return list(db.session.execute(stmt.order_by(Centre.name_en, Centre.id)))


def update_expert(expert: Expert, changes: dict[str, Any]) -> Expert:
    """Apply an edit of the profile's own fields."""
    _apply(expert, changes)
    db.session.flush()
    return expert


def delete_expert(expert: Expert) -> None:
    """Delete a profile; their works keep the author's name as a raw name."""
    from app.publications.models import Authorship

    db.session.execute(
        sa.update(Authorship)
        .where(Authorship.expert_id == expert.id, Authorship.raw_name.is_(None))
        .values(raw_name=expert.full_name)
    )
    db.session.delete(expert)
    db.session.flush()


# -- detail ---------------------------------------------------------------------------


def _rows(stmt: sa.Select, params: dict[str, Any]) -> sa.CursorResult:
    """``stmt``'s rows read through the connection: a detail's statements select columns,
    never objects, and the ORM's execution path for the five cost a profile page ~0.7 M
    instructions (11.79 -> 11.11 M, bench.instructions); a read needs no flush first."""
    return db.session.connection().execute(stmt, params)


def expert_publications(expert: Expert) -> list[dict[str, Any]]:
    rows = _rows(_publications(), {"expert_id": expert.id})
    return [dict(row._mapping) for row in rows]


@functools.cache
def _publications() -> sa.Select:
    """The works of ``:expert_id``, built once (SQLAlchemy then keys it once)."""
    from app.publications.models import Authorship, Publication

    return (
        sa.select(
            Publication.id,
            Publication.title,
            Publication.year,
            Publication.kind,
            Authorship.centre_id,
        )
        .join(Authorship, Authorship.publication_id == Publication.id)
        .where(Authorship.expert_id == sa.bindparam("expert_id", type_=sa.Integer))
        .order_by(Publication.year.desc(), Publication.id.desc())
    )


def expert_participations(expert: Expert, seen: Scope) -> list[dict[str, Any]]:
    """The expert's sessions that a viewer of scope ``seen`` may see (drafts are not
    public; :func:`~app.forums.visibility.session_scope`)."""
    stmt, params = _seen(expert, seen, 0)
    return [dict(row._mapping) for row in _rows(stmt, params)]


def _seen(expert: Expert, seen: Scope, which: int) -> tuple[sa.Select, dict[str, Any]]:
    """Statement ``which`` of :func:`_seen_statements` for scope ``seen``, and its parameters."""
    scope, invited = seen
    params = {"expert_id": expert.id, "country": expert.country_code, "invited": invited}
    return _seen_statements(scope)[which], params


@functools.lru_cache(maxsize=3)
def _seen_statements(scope: str) -> tuple[sa.Select, sa.Select]:
    """The expert's sessions, and their collaborators abroad with joint works and shared
    sessions, as a ``scope`` of viewer (:func:`~app.forums.visibility.session_scope`) sees
    them: built once (with the viewer's expert id read once, as a scalar: a profile page
    14.36 -> 11.79 M instructions, bench.instructions)."""
    from app.forums.visibility import session_rule

    if scope == "all":
        seen = sa.true()
    else:
        invited = sa.bindparam("invited", type_=sa.Integer) if scope == "invited" else None
        seen = session_rule(invited)
    works, sessions = _collaboration_statements()
    ties = sa.union_all(
        works.add_columns(sa.literal(JOINT_WORKS).label("kind")),
        sessions.where(seen).add_columns(sa.literal(SHARED_SESSIONS).label("kind")),
    ).subquery()
    people = sa.select(
        Expert.id, Expert.full_name, Expert.country_code, Expert.other_names, ties.c.kind, ties.c.n
    ).join_from(ties, Expert, Expert.id == ties.c.expert_id)
    return _participations().where(seen), people


@functools.cache
def _participations() -> sa.Select:
    """The sessions of ``:expert_id``, less the viewer's session filter: built once."""
    from app.forums.models import Forum, ForumSession, Participation

    return (
        sa.select(
            ForumSession.id.label("session_id"),
            ForumSession.title.label("session_title"),
            Forum.id.label("forum_id"),
            Forum.title.label("forum_title"),
            Forum.title_ru.label("forum_title_ru"),
            Forum.title_kk.label("forum_title_kk"),
            Participation.role,
            Participation.status,
            ForumSession.starts_at,
        )
        .join(ForumSession, ForumSession.id == Participation.session_id)
        .join(Forum, Forum.id == ForumSession.forum_id)
        .where(Participation.expert_id == sa.bindparam("expert_id", type_=sa.Integer))
        .order_by(ForumSession.starts_at.desc().nulls_last(), ForumSession.id.desc())
    )


JOINT_WORKS, SHARED_SESSIONS = "joint_publications", "shared_sessions"


def collaborators_abroad(expert: Expert, seen: Scope) -> list[dict[str, Any]]:
    """Experts of another country who co-wrote a work or shared a session with this one
    (a session a viewer of scope ``seen`` may see), in one statement (three cost a profile
    page ~0.5 M instructions more)."""
    stmt, params = _seen(expert, seen, 1)
    people: dict[int, dict[str, Any]] = {}
    for expert_id, name, country, other_names, kind, count in _rows(stmt, params):
        # other_names: for the pages, which show a name in the interface's script
        person = people.setdefault(
            expert_id,
            {"id": expert_id, "full_name": name, "country": country, "other_names": other_names}
            | {JOINT_WORKS: 0, SHARED_SESSIONS: 0},
        )
        person[kind] = count
    ties = people.values()
    return sorted(ties, key=lambda r: (-(r[JOINT_WORKS] + r[SHARED_SESSIONS]), r["id"]))


@functools.cache
def _collaboration_statements() -> tuple[sa.Select, sa.Select]:
    """Joint works and shared accepted sessions (less the viewer's session filter) per
    co-author or co-participant of another country than ``:expert_id``'s ``:country``:
    built once (built per request, their five aliases cost ~1 ms of a profile page)."""
    from app.forums.models import ForumSession, Participation
    from app.publications.models import Authorship

    expert_id, country = sa.bindparam("expert_id"), sa.bindparam("country")
    other = orm.aliased(Expert)
    mine, theirs = orm.aliased(Authorship), orm.aliased(Authorship)
    works = (
        sa.select(theirs.expert_id, sa.func.count(sa.distinct(mine.publication_id)).label("n"))
        .select_from(mine)
        .join(theirs, theirs.publication_id == mine.publication_id)
        .join(other, other.id == theirs.expert_id)
        .where(mine.expert_id == expert_id, other.country_code != country)
        .group_by(theirs.expert_id)
    )
    p_mine, p_theirs = orm.aliased(Participation), orm.aliased(Participation)
    sessions = (
        sa.select(p_theirs.expert_id, sa.func.count(sa.distinct(p_mine.session_id)).label("n"))
        .select_from(p_mine)
        .join(p_theirs, p_theirs.session_id == p_mine.session_id)
        .join(other, other.id == p_theirs.expert_id)
        .join(ForumSession, ForumSession.id == p_mine.session_id)
        .where(
            p_mine.expert_id == expert_id,
            other.country_code != country,
            p_mine.status == "accepted",
            p_theirs.status == "accepted",
        )
        .group_by(p_theirs.expert_id)
    )
    return works, sessions


def with_detail(expert: Expert, viewer: User | None) -> Expert:
    """The expert, carrying their publications, sessions and collaborators abroad, as
    ``viewer`` may see them."""
    from app.forums.visibility import session_scope

    seen = session_scope(viewer)  # once: it may read the viewer's expert id
    expert.publications = expert_publications(expert)
    expert.participations = expert_participations(expert, seen)
    expert.collaborators_abroad = collaborators_abroad(expert, seen)
    return expert
