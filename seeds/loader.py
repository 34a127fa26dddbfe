"""Loads the report's data from ``seeds/data/*.yaml``; running it twice changes nothing.

Each record is found by its natural key (a country code, a region code, a topic
slug, a centre's English name and country, an expert's name and country, a
publication's URL, a series slug with an edition and its year, a finding's key) and
brought to the state the file describes.

Provenance (``app.core.provenance``): a record, and each fact on it that can differ, may
carry ``provenance: report|public|editorial|placeholder`` and ``source: "<note, section or
reference>"``. The facts' keys: ``topics_provenance``/``topics_source`` for a record's topic
list; ``provenance``/``source`` on an affiliation (with ``assumed: true`` for an undated one
taken to hold throughout) and on an author; ``centre_provenance``/``centre_source`` for the
centre named on an author. Left out, a record is editorial, a topic list editorial, an
affiliation or author the record's, an author's centre the author's. A forum edition's state,
reason, host region and dates share the edition's provenance (its source names them); a centre's
``acronym_source`` is the editors' reading throughout, said in SOURCES.md, not per record.
Countries, regions and findings carry none: SOURCES.md gives theirs (a finding is the report's
claim by definition).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from app.core.provenance import Provenance
from app.extensions import db
from app.models import (
    Affiliation,
    Authorship,
    Centre,
    Country,
    Expert,
    Finding,
    Forum,
    ForumSeries,
    Project,
    ProjectCentre,
    Publication,
    Region,
    Topic,
)
from app.search.services import reindex

DATA_DIR = Path(__file__).resolve().parent / "data"
# The seed files, in the order they load (each may refer to those before it).
FILES = (
    "countries",
    "regions",
    "topics",
    "centres",
    "experts",
    "publications",
    "projects",
    "forums",
    "findings",
)


def read(name: str, data_dir: Path = DATA_DIR) -> list[dict[str, Any]]:
    with (data_dir / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or []


def _upsert(model: type, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """The row matching ``lookup``, created if missing, with ``values`` applied."""
    obj = db.session.scalars(sa.select(model).filter_by(**lookup)).one_or_none()
    if obj is None:
        obj = model(**lookup)
        db.session.add(obj)
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
    return obj


def _rows(objs: list[Any], wanted: list[dict[str, Any]], key: Any = None) -> list[Any]:
    """The rows as dicts of the keys ``wanted`` sets (sorted by ``key`` if given)."""
    keys = wanted[0].keys() if wanted else ()
    rows = [{k: getattr(obj, k) for k in keys} for obj in objs]
    return rows if key is None else sorted(map(key, rows))


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def sourced(
    rec: dict[str, Any], prefix: str = "", default: Provenance = Provenance.EDITORIAL
) -> dict[str, Any]:
    """The ``<prefix>provenance`` and ``<prefix>source`` a seed record gives a fact."""
    kind = Provenance(rec.get(f"{prefix}provenance") or default)
    if kind == Provenance.ENTERED:
        raise ValueError(
            "Seeds are not entered by users: report, public, editorial or placeholder."
        )
    return {f"{prefix}provenance": kind, f"{prefix}source": rec.get(f"{prefix}source")}


def _record(rec: dict[str, Any]) -> dict[str, Any]:
    """A record's own provenance and its topic list's."""
    return sourced(rec) | sourced(rec, "topics_")


class ReportLoader:
    """Loads every seed file in dependency order, resolving the files' keys to rows."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.data_dir = data_dir
        self.regions: dict[str, Region] = {}
        self.topics: dict[str, Topic] = {}
        self.centres: dict[str, Centre] = {}
        self.experts: dict[str, Expert] = {}

    def load(self) -> dict[str, int]:
        """Load everything; returns how many records each file describes (forums.yaml: its
        series and, nested in them, their editions)."""
        counts = {}
        for name in FILES:
            records = read(name, self.data_dir)
            getattr(self, f"_load_{name}")(records)
            db.session.flush()
            if name == "forums":
                counts["forum series"] = len(records)
                counts["forum editions"] = sum(len(r.get("forums") or []) for r in records)
            else:
                counts[name] = len(records)
        return counts

    def _load_countries(self, records: list[dict]) -> None:
        for rec in records:
            _upsert(
                Country,
                {"code": rec["code"]},
                {k: rec[k] for k in ("name_en", "name_ru", "name_kk")},
            )

    def _load_regions(self, records: list[dict]) -> None:
        for rec in records:
            self.regions[rec["code"]] = _upsert(
                Region,
                {"code": rec["code"]},
                {
                    "country_code": rec["country"],
                    "name_en": rec["name_en"],
                    "name_ru": rec["name_ru"],
                    "name_kk": rec.get("name_kk"),
                    "is_border": rec.get("is_border", False),
                },
            )

    def _load_topics(self, records: list[dict]) -> None:
        for rec in records:
            topic = _upsert(
                Topic,
                {"slug": rec["slug"]},
                {k: rec.get(k) for k in ("name_en", "name_ru", "name_kk")} | sourced(rec),
            )
            topic.parent = self.topics[rec["parent"]] if rec.get("parent") else None
            self.topics[rec["slug"]] = topic

    def _topic_list(self, slugs: list[str] | None) -> list[Topic]:
        return [self.topics[slug] for slug in slugs or []]

    def _load_centres(self, records: list[dict]) -> None:
        for rec in records:
            centre = _upsert(
                Centre,
                {"name_en": rec["name_en"], "country_code": rec["country"]},
                {
                    "name_ru": rec.get("name_ru"),
                    "name_kk": rec.get("name_kk"),
                    "acronym": rec.get("acronym"),
                    "acronym_source": rec.get("acronym_source", "own"),
                    "alt_names": rec.get("alt_names") or [],
                    "city": rec.get("city"),
                    "city_ru": rec.get("city_ru"),
                    "city_kk": rec.get("city_kk"),
                    "region": self.regions.get(rec.get("region") or ""),
                    "kind": rec["kind"],
                    "visibility": rec.get("visibility", "public"),
                    "studies_neighbour": bool(rec.get("studies_neighbour")),
                    "website": rec.get("website"),
                    "founded_year": rec.get("founded_year"),
                    "topics": self._topic_list(rec.get("topics")),
                }
                | _record(rec),
            )
            self.centres[rec["key"]] = centre
        for rec in records:
            parent = self.centres[rec["parent"]] if rec.get("parent") else None
            if self.centres[rec["key"]].parent is not parent:
                self.centres[rec["key"]].parent = parent

    def _load_experts(self, records: list[dict]) -> None:
        for rec in records:
            expert = _upsert(
                Expert,
                {"full_name": rec["full_name"], "country_code": rec["country"]},
                {
                    "other_names": rec.get("other_names") or [],
                    "biography": rec.get("biography"),
                    "birth_year": rec.get("birth_year"),
                    "orcid": rec.get("orcid"),
                    "languages": rec.get("languages") or [],
                    "topics": self._topic_list(rec.get("topics")),
                }
                | _record(rec),
            )
            self._sync_affiliations(expert, rec.get("affiliations") or [])
            self.experts[rec["key"]] = expert

    def _sync_affiliations(self, expert: Expert, records: list[dict]) -> None:
        wanted = [
            {
                "centre": self.centres[a["centre"]],
                "position": a.get("position"),
                "start_date": _date(a.get("start_date")),
                "end_date": _date(a.get("end_date")),
                "assumed": bool(a.get("assumed", False)),
            }
            | sourced(a, default=expert.provenance)
            for a in records
        ]
        if _rows(expert.affiliations, wanted, key=repr) == sorted(map(repr, wanted)):
            return
        expert.affiliations = [Affiliation(**row) for row in wanted]

    def _load_publications(self, records: list[dict]) -> None:
        for rec in records:
            publication = _upsert(
                Publication,
                {"url": rec["url"]},
                {
                    "title": rec["title"],
                    "kind": rec["kind"],
                    "year": rec["year"],
                    "published_on": _date(rec.get("published_on")),
                    "venue": rec.get("venue"),
                    "doi": rec.get("doi"),
                    "language": rec.get("language"),
                    "visibility": rec.get("visibility", "public"),
                    "topics": self._topic_list(rec.get("topics")),
                }
                | _record(rec),
            )
            self._sync_authors(publication, rec.get("authors") or [])

    def _author(self, publication: Publication, a: dict) -> dict[str, Any]:
        own = sourced(a, default=publication.provenance)
        return (
            {
                "expert": self.experts[a["expert"]] if a.get("expert") else None,
                "raw_name": a.get("name"),
                "organisation": bool(a.get("organisation")),
                "centre": self.centres[a["centre"]] if a.get("centre") else None,
            }
            | own
            | sourced(a, "centre_", default=own["provenance"])
        )

    def _sync_authors(self, publication: Publication, authors: list[dict]) -> None:
        wanted = [self._author(publication, a) for a in authors]
        if _rows(publication.authorships, wanted) == wanted:
            return
        publication.authorships.clear()
        db.session.flush()  # free the (publication, position) slots before refilling
        publication.authorships.extend(
            Authorship(position=i, **row) for i, row in enumerate(wanted, start=1)
        )

    def _load_projects(self, records: list[dict]) -> None:
        for rec in records:
            project = _upsert(
                Project,
                {"title": rec["title"]},
                {
                    "kind": rec["kind"],
                    "description": rec.get("description"),
                    "start_date": _date(rec["start_date"]),
                    "end_date": _date(rec.get("end_date")),
                    "url": rec.get("url"),
                    "topics": self._topic_list(rec.get("topics")),
                }
                | _record(rec),
            )
            wanted = {self.centres[key].id for key in rec.get("centres", [])}
            if {p.centre_id for p in project.participants} != wanted:
                project.participants = [ProjectCentre(centre_id=cid) for cid in sorted(wanted)]

    def _load_forums(self, records: list[dict]) -> None:
        for rec in records:
            series = _upsert(
                ForumSeries,
                {"slug": rec["slug"]},
                {
                    k: rec.get(k)
                    for k in (
                        "name_en",
                        "name_ru",
                        "name_kk",
                        "description",
                        "host_rule",
                        "country_a",
                        "country_b",
                    )
                }
                | sourced(rec),
            )
            db.session.flush()
            for frec in rec.get("forums") or []:
                # The year too: a postponed edition shares its number with the one held later.
                _upsert(
                    Forum,
                    {"series_id": series.id, "edition": frec["edition"], "year": frec["year"]},
                    {
                        "title": frec["title"],
                        "title_ru": frec.get("title_ru"),
                        "title_kk": frec.get("title_kk"),
                        "host_country": frec["host_country"],
                        "city": frec.get("city"),
                        "city_ru": frec.get("city_ru"),
                        "city_kk": frec.get("city_kk"),
                        "region": self.regions.get(frec.get("region") or ""),
                        "start_date": _date(frec["start_date"]),
                        "end_date": _date(frec["end_date"]),
                        "timezone": frec["timezone"],
                        "status": frec.get("status", "draft"),
                        "state": frec.get("state", "on_schedule"),
                        "state_reason": frec.get("state_reason"),
                    }
                    | sourced(frec),
                )

    def _load_findings(self, records: list[dict]) -> None:
        for position, rec in enumerate(records, start=1):
            _upsert(
                Finding,
                {"key": rec["key"]},
                {
                    "position": position,
                    "kind": rec["kind"],
                    "section": rec["section"],
                    "quote_it": rec["quote_it"],
                    "text_en": rec["text_en"],
                    "measure": rec.get("measure"),
                },
            )


def load_report(data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Bring the database to the report's data. Flushes; the caller commits.

    Records that predate the search index get their keys here too.
    """
    counts = ReportLoader(data_dir).load()
    reindex(db.session, missing_only=True)
    return counts
