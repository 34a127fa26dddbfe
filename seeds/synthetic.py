"""A plausible synthetic Russia–Kazakhstan network, inserted in bulk.

It sits beside the report's data (which must be loaded first for countries,
regions and topics) and is shaped like the story the report tells: joint work
thins out after 2020 and again after 2022, Russian output is more often
departmental, and few centres study the neighbour systematically.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import sqlalchemy as sa

from app.core.cache import mark_directory_changed
from app.extensions import db
from app.models import (
    Affiliation,
    Authorship,
    Centre,
    Expert,
    Forum,
    ForumSession,
    Participation,
    Project,
    ProjectCentre,
    Publication,
    Region,
    Room,
    Topic,
    centre_topics,
    expert_topics,
    project_topics,
    publication_topics,
    session_topics,
)
from app.reports import ledger
from app.search.services import insert_keys
from seeds import names

BATCH = 5_000
COUNTRIES = ("RU", "KZ")
FIRST_YEAR, LAST_YEAR = 2005, 2026

# Relative chance that a publication of a given year is co-written across the
# border: contacts were cut by the pandemic and again after 2022.
CROSS_BORDER_BY_YEAR = {2020: 0.35, 2021: 0.5, 2022: 0.4, 2023: 0.3, 2024: 0.35, 2025: 0.4}


@dataclass(frozen=True)
class SyntheticSpec:
    centres: int
    experts: int
    publications: int
    forums: int = 0
    sessions_per_forum: int = 20
    projects: int = 0
    seed: int = 2030


def _chunks(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _insert_returning_ids(model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert (SQLAlchemy's insertmanyvalues) and return the new ids in order."""
    ids: list[int] = []
    for chunk in _chunks(rows):
        stmt = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
        ids.extend(db.session.scalars(stmt, chunk).all())
    return ids


def _insert(table: Any, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    target = table.__table__ if hasattr(table, "__table__") else table
    for chunk in _chunks(rows):
        db.session.execute(sa.insert(target), chunk)
        count += len(chunk)
    return count


class Generator:
    """Builds the network table by table, keeping only ids and a few attributes in memory."""

    def __init__(self, spec: SyntheticSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.topic_ids = list(db.session.scalars(sa.select(Topic.id).order_by(Topic.id)))
        if not self.topic_ids:
            raise RuntimeError("Load the report's data first (flask seed): no topics found.")
        self.region_ids = dict(db.session.execute(sa.select(Region.code, Region.id)).all())
        self.centre_country: dict[int, str] = {}
        self.centres_by_country: dict[str, list[int]] = {c: [] for c in COUNTRIES}
        self.expert_country: dict[int, str] = {}
        self.expert_centre: dict[int, int] = {}
        self.experts_by_country: dict[str, list[int]] = {c: [] for c in COUNTRIES}
        # Run-specific tag, so repeated runs with other seeds never collide on names.
        self.tag = f"{spec.seed:x}"

    def topics(self, low: int = 1, high: int = 3) -> list[int]:
        return self.rng.sample(
            self.topic_ids, k=min(len(self.topic_ids), self.rng.randint(low, high))
        )

    # -- centres --------------------------------------------------------------

    def centre_row(self, n: int) -> dict[str, Any]:
        rng = self.rng
        country = "RU" if n % 2 == 0 else "KZ"
        field_ru, field_en = rng.choice(names.CENTRE_FIELDS)
        type_ru, type_en, letter = rng.choice(names.CENTRE_TYPES)
        city_ru, city_en, region_code = rng.choice(
            names.RU_CITIES if country == "RU" else names.KZ_CITIES
        )
        kind = rng.choices(
            [
                "state",
                "academic",
                "university",
                "sectoral",
                "independent",
                "international",
                "media",
                "ngo",
            ],
            weights=[14, 18, 20, 10, 20, 3, 7, 8],
        )[0]
        departmental = 0.45 if country == "RU" else 0.2
        visibility = rng.choices(
            ["public", "departmental", "closed"], weights=[1 - departmental, departmental, 0.08]
        )[0]
        return {
            "name_en": f"{city_en} {type_en} {field_en} No. {n} ({self.tag})",
            "name_ru": f"{type_ru} {field_ru} № {n} ({city_ru})",
            "acronym": f"{city_en[:3].upper()}{letter}{n}",
            "alt_names": [],
            "country_code": country,
            "city": city_en,
            "city_ru": city_ru,
            "region_id": self.region_ids.get(region_code) if region_code else None,
            "kind": kind,
            "visibility": visibility,
            "studies_neighbour": rng.random() < 0.04,
            "founded_year": rng.randint(1950, 2022),
        }

    def make_centres(self) -> int:
        rows = [self.centre_row(n) for n in range(1, self.spec.centres + 1)]
        ids = _insert_returning_ids(Centre, rows)
        insert_keys(
            db.session,
            "centre",
            (
                (cid, [row["name_en"], row["name_ru"], row["acronym"]])
                for cid, row in zip(ids, rows, strict=True)
            ),
        )
        for cid, row in zip(ids, rows, strict=True):
            self.centre_country[cid] = row["country_code"]
            self.centres_by_country[row["country_code"]].append(cid)
        self._make_units(ids)
        _insert(
            centre_topics,
            ({"centre_id": cid, "topic_id": t} for cid in ids for t in self.topics(1, 4)),
        )
        return len(ids)

    def _make_units(self, ids: list[int]) -> None:
        """Every tenth centre becomes a department of another centre of its country."""
        updates = []
        for cid in ids[9::10]:
            siblings = self.centres_by_country[self.centre_country[cid]]
            parent = self.rng.choice(siblings)
            if parent != cid:
                updates.append({"b_id": cid, "b_parent": parent})
        if updates:
            table = Centre.__table__
            stmt = (
                sa.update(table)
                .where(table.c.id == sa.bindparam("b_id"))
                .values(parent_id=sa.bindparam("b_parent"))
            )
            db.session.execute(stmt, updates, execution_options={"synchronize_session": False})

    # -- experts --------------------------------------------------------------

    def expert_row(self, n: int) -> dict[str, Any]:
        rng = self.rng
        country = "RU" if rng.random() < 0.5 else "KZ"
        female = rng.random() < 0.4
        if country == "RU":
            given = rng.choice(names.RU_GIVEN_F if female else names.RU_GIVEN_M)
            surname = rng.choice(names.RU_SURNAMES)
        else:
            given = rng.choice(names.KZ_GIVEN_F if female else names.KZ_GIVEN_M)
            surname = rng.choice(names.KZ_SURNAMES)
        suffix = (
            ("а", "a") if female and surname[0].endswith(("ов", "ев", "ёв", "ин")) else ("", "")
        )
        cyr = f"{given[0]} {surname[0]}{suffix[0]}"
        lat = f"{given[1]} {surname[1]}{suffix[1]}"
        return {
            "full_name": lat,
            "other_names": [cyr, f"{surname[0]}{suffix[0]} {given[0][0]}."],
            "country_code": country,
            "birth_year": rng.randint(1945, 2000) if rng.random() < 0.8 else None,
            "languages": ["ru", "kk"] if country == "KZ" and rng.random() < 0.6 else ["ru"],
            "verified": rng.random() < 0.3,
        }

    def make_experts(self) -> int:
        rows = [self.expert_row(n) for n in range(self.spec.experts)]
        ids = _insert_returning_ids(Expert, rows)
        insert_keys(
            db.session,
            "expert",
            (
                (eid, [row["full_name"], *row["other_names"]])
                for eid, row in zip(ids, rows, strict=True)
            ),
        )
        affiliations = []
        for eid, row in zip(ids, rows, strict=True):
            country = row["country_code"]
            self.expert_country[eid] = country
            self.experts_by_country[country].append(eid)
            affiliations.extend(self._affiliations(eid, country))
        _insert(Affiliation, affiliations)
        _insert(
            expert_topics,
            ({"expert_id": eid, "topic_id": t} for eid in ids for t in self.topics(1, 4)),
        )
        return len(ids)

    def _affiliations(self, eid: int, country: str) -> list[dict[str, Any]]:
        rng = self.rng
        pool = self.centres_by_country[country]
        current = rng.choice(pool)
        self.expert_centre[eid] = current
        start = dt.date(rng.randint(2000, 2022), rng.randint(1, 12), 1)
        rows = [
            {
                "expert_id": eid,
                "centre_id": current,
                "position": "Researcher",
                "start_date": start,
                "end_date": None,
            }
        ]
        if rng.random() < 0.3 and start.year > 2001:
            earlier = rng.choice(pool)
            rows.append(
                {
                    "expert_id": eid,
                    "centre_id": earlier,
                    "position": "Analyst",
                    "start_date": dt.date(start.year - rng.randint(2, 8), 1, 1),
                    "end_date": start - dt.timedelta(days=1),
                }
            )
        return rows

    # -- publications ---------------------------------------------------------

    def publication_row(self, n: int) -> tuple[dict[str, Any], list[int]]:
        rng = self.rng
        year = rng.randint(FIRST_YEAR, LAST_YEAR)
        lead_country = rng.choice(COUNTRIES)
        authors = [rng.choice(self.experts_by_country[lead_country])]
        for _ in range(rng.choices([0, 1, 2, 3], weights=[35, 35, 20, 10])[0]):
            authors.append(rng.choice(self.experts_by_country[lead_country]))
        if rng.random() < 0.12 * CROSS_BORDER_BY_YEAR.get(year, 1.0):
            other = "KZ" if lead_country == "RU" else "RU"
            authors.append(rng.choice(self.experts_by_country[other]))
        authors = list(dict.fromkeys(authors))
        subject = rng.choice(names.TITLE_SUBJECTS)
        frame = rng.choice(names.TITLE_FRAMES)
        departmental = 0.4 if lead_country == "RU" else 0.15
        row = {
            "title": frame[0].format(s=subject[0], y=year - 1) + f" ({n})",
            "kind": rng.choices(
                ["report", "article", "analysis", "interview", "monograph", "news"],
                weights=[10, 35, 30, 10, 3, 12],
            )[0],
            "year": year,
            "published_on": dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
            "venue": rng.choice(
                [
                    "Regnum",
                    "Profile",
                    "Nomad",
                    "Eurasia Expert",
                    "Vlast.kz",
                    "Russia in Global Affairs",
                    "Central Asia's Affairs",
                ]
            ),
            "url": f"https://example.org/synthetic/{self.tag}/publications/{n}",
            "language": "ru",
            "visibility": rng.choices(
                ["public", "departmental", "closed"],
                weights=[1 - departmental, departmental, 0.05],
            )[0],
        }
        return row, authors

    def make_publications(self) -> int:
        total = 0
        n = 0
        while total < self.spec.publications:
            size = min(BATCH, self.spec.publications - total)
            batch = [self.publication_row(n + i) for i in range(size)]
            n += size
            ids = _insert_returning_ids(Publication, [row for row, _ in batch])
            insert_keys(
                db.session,
                "publication",
                ((pid, [row["title"]]) for pid, (row, _) in zip(ids, batch, strict=True)),
            )
            _insert(
                Authorship,
                (
                    {
                        "publication_id": pid,
                        "position": pos,
                        "expert_id": eid,
                        "centre_id": self.expert_centre[eid],
                    }
                    for pid, (_, authors) in zip(ids, batch, strict=True)
                    for pos, eid in enumerate(authors, start=1)
                ),
            )
            _insert(
                publication_topics,
                ({"publication_id": pid, "topic_id": t} for pid in ids for t in self.topics(1, 3)),
            )
            total += size
        return total

    # -- projects -------------------------------------------------------------

    def make_projects(self) -> int:
        rng = self.rng
        rows, pairs = [], []
        for n in range(self.spec.projects):
            start = dt.date(rng.randint(FIRST_YEAR, LAST_YEAR), rng.randint(1, 12), 1)
            end = start + dt.timedelta(days=rng.randint(30, 1500)) if rng.random() < 0.8 else None
            rows.append(
                {
                    "title": f"Joint programme {n} ({self.tag})",
                    "kind": rng.choice(["memorandum", "joint_research", "exchange", "roundtable"]),
                    "start_date": start,
                    "end_date": end,
                }
            )
            pairs.append(
                (
                    rng.choice(self.centres_by_country["RU"]),
                    rng.choice(self.centres_by_country["KZ"]),
                )
            )
        ids = _insert_returning_ids(Project, rows)
        insert_keys(
            db.session,
            "project",
            ((pid, [row["title"]]) for pid, row in zip(ids, rows, strict=True)),
        )
        _insert(
            ProjectCentre,
            (
                {"project_id": pid, "centre_id": cid}
                for pid, pair in zip(ids, pairs, strict=True)
                for cid in pair
            ),
        )
        _insert(
            project_topics,
            ({"project_id": pid, "topic_id": t} for pid in ids for t in self.topics(1, 2)),
        )
        return len(ids)

    # -- forums ---------------------------------------------------------------

    def make_forums(self) -> tuple[int, int, int]:
        rng = self.rng
        sessions = participations = 0
        for n in range(self.spec.forums):
            host = COUNTRIES[n % 2]
            year = 2015 + n % 14
            start = dt.date(year, rng.randint(3, 11), rng.randint(1, 25))
            forum = Forum(
                title=f"Synthetic Russia–Kazakhstan expert forum {n} ({self.tag})",
                year=year,
                host_country=host,
                city="Omsk" if host == "RU" else "Kostanay",
                start_date=start,
                end_date=start + dt.timedelta(days=2),
                timezone="Asia/Omsk" if host == "RU" else "Asia/Qostanay",
                status="published" if year < 2026 else "draft",
            )
            db.session.add(forum)
            db.session.flush()
            room_ids = _insert_returning_ids(
                Room,
                [
                    {
                        "forum_id": forum.id,
                        "name": f"Hall {r}",
                        "capacity": rng.choice([30, 60, 120, 300]),
                    }
                    for r in range(1, 5)
                ],
            )
            s, p = self._make_sessions(forum, room_ids)
            sessions += s
            participations += p
        return self.spec.forums, sessions, participations

    def _make_sessions(self, forum: Forum, room_ids: list[int]) -> tuple[int, int]:
        rng = self.rng
        base = dt.datetime.combine(forum.start_date, dt.time(4, 0), tzinfo=dt.UTC)
        rows = []
        for i in range(self.spec.sessions_per_forum):
            slot = i // len(room_ids)
            starts = base + dt.timedelta(days=slot // 4, hours=2 * (slot % 4))
            scheduled = rng.random() < 0.7
            rows.append(
                {
                    "forum_id": forum.id,
                    "title": f"Session {i + 1}",
                    "format": rng.choice(["plenary", "panel", "roundtable", "workshop"]),
                    "expected_audience": rng.choice([20, 40, 80, 150]),
                    "duration_minutes": 90,
                    "starts_at": starts if scheduled else None,
                    "ends_at": starts + dt.timedelta(minutes=90) if scheduled else None,
                    "room_id": room_ids[i % len(room_ids)] if scheduled else None,
                    "status": forum.status,
                    "version": 1,
                }
            )
        ids = _insert_returning_ids(ForumSession, rows)
        parts = []
        for sid in ids:
            chosen = {rng.choice(self.experts_by_country[c]) for c in COUNTRIES for _ in range(2)}
            for k, eid in enumerate(sorted(chosen)):
                parts.append(
                    {
                        "session_id": sid,
                        "expert_id": eid,
                        "role": "moderator" if k == 0 else "speaker",
                        "status": rng.choices(["accepted", "invited", "declined"], [7, 2, 1])[0],
                    }
                )
        _insert(Participation, parts)
        _insert(
            session_topics,
            ({"session_id": sid, "topic_id": t} for sid in ids for t in self.topics(1, 2)),
        )
        return len(ids), len(parts)


def generate(spec: SyntheticSpec) -> dict[str, int]:
    """Insert the network described by ``spec``; flushes, the caller commits."""
    gen = Generator(spec)
    counts = {"centres": gen.make_centres(), "experts": gen.make_experts()}
    counts["publications"] = gen.make_publications()
    counts["projects"] = gen.make_projects()
    forums, sessions, participations = gen.make_forums()
    counts.update(forums=forums, sessions=sessions, participations=participations)
    mark_directory_changed(db.session)  # bulk inserts bypass the flush listeners
    ledger.rebuild(db.session)
    return counts
