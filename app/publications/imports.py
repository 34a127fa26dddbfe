"""Importing publications from BibTeX, RIS, CSL-JSON and OpenAlex.

A file that cannot be read is refused whole (422). A record that can be read but not
stored (no title, no year from 1900 to 2100, a malformed DOI...) is skipped with a warning
in the report, and the others are imported; in strict mode it refuses the file instead.
Authors are matched to experts by their folded name (and, where several experts share
it, by affiliation); an author nobody matches stays a raw name with a suggested
match. A record whose DOI or URL is already stored is skipped, so importing the same
file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm

from app.core.errors import TooLarge
from app.core.names import name_key
from app.experts.models import Affiliation, Expert
from app.extensions import db
from app.publications.models import (
    DOI_LENGTH,
    DOI_PATTERN,
    Authorship,
    Publication,
)
from app.publications.parsers import (
    COUNTERS,
    MAX_BIBTEX_ENTRY,
    PARSERS,
    ParsedAuthor,
    ParsedFile,
    ParsedRecord,
    ParseError,
    longest_bibtex_entry,
)
from app.search.models import SearchKey
from app.search.services import duplicates, search

CHUNK = 500
YEARS = (1900, 2100)  # as the publications table's check constraint year_plausible
MAX_SUGGESTIONS = 200
# JSON can escape half a UTF-16 pair ("\ud800"): no database can store that text.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class ImportReport:
    dry_run: bool
    created: int = 0
    publication_ids: list[int] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    matched_authors: int = 0
    unmatched_authors: list[dict[str, Any]] = field(default_factory=list)
    # What was read past or left out: [{"record": index or None, "line", "message"}].
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _check(record: ParsedRecord) -> list[str]:
    problems = []
    if not record.title:
        problems.append("No title.")
    elif len(record.title) > 1000:
        problems.append("The title is longer than 1000 characters.")
    if record.year is None or not YEARS[0] <= record.year <= YEARS[1]:
        problems.append(f"No plausible year ({YEARS[0]}-{YEARS[1]}).")
    if record.doi and not re.match(DOI_PATTERN, record.doi):
        problems.append(f"Not a DOI: {record.doi!r}.")
    elif record.doi and len(record.doi) > DOI_LENGTH:
        problems.append(f"The DOI is longer than {DOI_LENGTH} characters.")
    if record.url and len(record.url) > 1000:
        problems.append("The URL is longer than 1000 characters.")
    if any(not a.name or len(a.name) > 300 for a in record.authors):
        problems.append("An author without a name, or with one over 300 characters.")
    if any(_SURROGATE.search(text) for text in _texts(record)):
        problems.append("Text with a lone UTF-16 surrogate, which is not Unicode.")
    return problems


def _texts(record: ParsedRecord) -> list[str]:
    """Every text of the record that is stored or looked up."""
    fields = [record.title, record.venue, record.url, record.doi, record.language, record.abstract]
    people = [text for a in record.authors for text in (a.name, a.affiliation)]
    return [text for text in (*fields, *people) if text]


def check_record_count(fmt: str, text: str, limit: int) -> None:
    """Refuse a file of more than ``limit`` records (413) before the costly parse.

    Parsing, matching and writing take time and memory in proportion to the records; past
    the limit a worker would run into its timeout (see bench/README.md).
    """
    found = COUNTERS[fmt](text)
    if found > limit:
        raise TooLarge(
            f"The file holds {found} records; an import takes at most {limit} "
            "(IMPORT_MAX_RECORDS). Split it and import the parts; nothing was imported.",
            {"records": [f"At most {limit} records; this file has {found}."]},
        )
    if fmt == "bibtex" and longest_bibtex_entry(text) > MAX_BIBTEX_ENTRY:
        raise TooLarge(
            f"A BibTeX entry is longer than {MAX_BIBTEX_ENTRY} characters; nothing was imported.",
            {"records": [f"At most {MAX_BIBTEX_ENTRY} characters per entry."]},
        )


def parse(
    fmt: str, text: str, max_records: int | None = None, *, strict: bool = False
) -> ParsedFile:
    """Every record, checked: each that cannot be stored carries its ``problems``.

    A file of more than ``max_records`` is refused before it is parsed; one that cannot be
    read, one of no record that can be stored, and in ``strict`` mode one with any record
    that cannot, are refused with a ParseError naming each bad record and its line."""
    if "\x00" in text or "\\u0000" in text:
        raise ParseError(
            "NUL characters cannot be imported (a UTF-16 file without a byte order mark?"
            " Declare its charset).",
            {"records": {}, "body": ["NUL."]},
        )
    if not text.strip():
        raise ParseError(
            "The request body is empty: send the file to import.",
            {"records": {}, "body": ["Empty."]},
        )
    if max_records is not None:
        check_record_count(fmt, text, max_records)
    parsed = PARSERS[fmt](text)
    if not parsed.records:
        raise ParseError(f"The file holds no {fmt} record; nothing was imported.", {"records": {}})
    for record in parsed.records:
        record.problems = record.problems or _check(record)  # the reader's, else ours
    errors = {
        str(r.index): {"line": r.line, "message": " ".join(r.problems)}
        for r in parsed.records
        if r.problems
    }
    if errors and (strict or len(errors) == len(parsed.records)):
        message = "Some records cannot be imported" if strict else "No record can be imported"
        raise ParseError(f"{message}; nothing was.", {"records": errors})
    for record in parsed.records:
        if record.published_on and record.published_on.year != record.year:
            record.published_on = None  # a date that contradicts the year is not trusted
    return parsed


def _warnings(parsed: ParsedFile) -> list[dict[str, Any]]:
    """The file's warnings, then each record's, in the order of the file."""
    found = [{"record": None, **w} for w in parsed.warnings]
    for r in parsed.records:
        found += [{"record": r.index, "line": r.line, "message": m} for m in r.warnings]
        if r.problems:
            message = "Not imported: " + " ".join(r.problems)
            found.append({"record": r.index, "line": r.line, "message": message})
    return sorted(found, key=lambda w: w["line"] or 0)


def _unfit(parsed: ParsedFile) -> list[dict[str, Any]]:
    """The records skipped because they cannot be stored, as the report lists them."""
    return [
        {
            "record": r.index,
            "line": r.line,
            "reason": "cannot be imported",
            "problems": r.problems,
            "publication_id": None,
        }
        for r in parsed.records
        if r.problems
    ]


def _in_chunks(column: Any, values: set, select: Any) -> dict:
    found = {}
    values = list(values)
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        found.update(db.session.execute(select.where(column.in_(chunk))).all())
    return found


def _existing(records: list[ParsedRecord]) -> tuple[dict[str, int], dict[str, int]]:
    dois = {r.doi for r in records if r.doi}
    urls = {r.url for r in records if r.url}
    by_doi = _in_chunks(Publication.doi, dois, sa.select(Publication.doi, Publication.id))
    by_url = _in_chunks(Publication.url, urls, sa.select(Publication.url, Publication.id))
    return by_doi, by_url


class AuthorMatcher:
    """Experts by folded name, loaded for the whole file in a few queries."""

    def __init__(self, records: list[ParsedRecord]) -> None:
        people = (a for r in records for a in r.authors if not a.organisation)
        keys = {name_key(a.name) for a in people} - {""}
        c = SearchKey.__table__.c
        rows = []
        for chunk in _chunks(sorted(keys)):
            rows += db.session.execute(
                sa.select(c.key, c.entity_id).where(
                    c.entity_type == "expert", c.whole.is_(True), c.key.in_(chunk)
                )
            ).all()
        self.by_key: dict[str, list[int]] = defaultdict(list)
        for key, expert_id in rows:
            self.by_key[key].append(expert_id)
        ids = {i for ids in self.by_key.values() for i in ids}
        self.experts = {
            e.id: e
            for e in db.session.scalars(
                sa.select(Expert)
                .where(Expert.id.in_(ids))
                .options(orm.selectinload(Expert.affiliations).joinedload(Affiliation.centre))
            )
        }
        self.suggestions: dict[str, dict[str, Any] | None] = {}

    def match(self, author: ParsedAuthor) -> Expert | None:
        if author.organisation:  # an organisation is never an expert
            return None
        ids = dict.fromkeys(self.by_key.get(name_key(author.name), []))
        candidates = [self.experts[i] for i in ids]
        if len(candidates) > 1 and author.affiliation:
            wanted = name_key(author.affiliation)
            at_place = [
                e
                for e in candidates
                if any(
                    wanted in (name_key(a.centre.name_en), name_key(a.centre.acronym or ""))
                    for a in e.affiliations
                )
            ]
            candidates = at_place or candidates
        return candidates[0] if candidates else None

    def suggest(self, name: str) -> dict[str, Any] | None:
        if name not in self.suggestions and len(self.suggestions) < MAX_SUGGESTIONS:
            hits = search(db.session, "expert", name, limit=1)
            expert = db.session.get(Expert, hits[0].entity_id) if hits else None
            self.suggestions[name] = (
                {
                    "expert_id": expert.id,
                    "full_name": expert.full_name,
                    "score": round(hits[0].score, 2),
                }
                if expert
                else None
            )
        return self.suggestions.get(name)


def _chunks(values: list) -> list[list]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


def _centre_for(
    expert: Expert | None,
    author: ParsedAuthor,
    record: ParsedRecord,
    centres: dict[str, int | None],
) -> int | None:
    """The centre the author wrote for: their affiliation on the date, else the file's."""
    if expert is not None:
        day = record.published_on or (record.year and _mid_year(record.year))
        held = [a for a in expert.affiliations if day and a.held_on(day)]
        if held:
            return held[0].centre_id
    if author.affiliation:
        if author.affiliation not in centres:
            found = duplicates(db.session, "centre", [author.affiliation])
            centres[author.affiliation] = found[0] if found else None
        return centres[author.affiliation]
    return None


def _mid_year(year: int) -> dt.date:
    return dt.date(year, 7, 1)


def _publication(record: ParsedRecord, authorships: list[Authorship]) -> Publication:
    return Publication(
        title=record.title,
        kind=record.kind,
        year=record.year,
        published_on=record.published_on,
        venue=record.venue[:300] if record.venue else None,
        url=record.url,
        doi=record.doi,
        language=record.language,
        csl_type=record.csl_type,
        abstract=record.abstract,
        authorships=authorships,
    )


def import_publications(
    fmt: str, text: str, *, dry_run: bool = False, strict: bool = False
) -> ImportReport:
    """Import every record of ``text`` (or, with ``dry_run``, only report what would happen)."""
    parsed = parse(fmt, text, current_app.config["IMPORT_MAX_RECORDS"], strict=strict)
    report = ImportReport(dry_run=dry_run, skipped=_unfit(parsed), warnings=_warnings(parsed))
    records = [r for r in parsed.records if not r.problems]
    by_doi, by_url = _existing(records)
    matcher, centres = AuthorMatcher(records), {}
    created = []
    for record in records:
        existing = by_doi.get(record.doi) if record.doi else None
        existing = existing or (by_url.get(record.url) if record.url else None)
        if existing:
            report.skipped.append(
                {
                    "record": record.index,
                    "line": record.line,
                    "reason": "already stored",
                    "publication_id": existing,
                }
            )
            continue
        authorships = []
        for position, author in enumerate(record.authors, start=1):
            expert = matcher.match(author)
            if expert is not None:
                report.matched_authors += 1
            elif not author.organisation:  # nor a near miss for one
                report.unmatched_authors.append(
                    {
                        "record": record.index,
                        "name": author.name,
                        "suggestion": matcher.suggest(author.name),
                    }
                )
            authorships.append(
                Authorship(
                    position=position,
                    expert_id=expert.id if expert else None,
                    raw_name=None if expert else author.name,
                    organisation=author.organisation,
                    centre_id=_centre_for(expert, author, record, centres),
                )
            )
        # A later record of the same file with the same DOI or URL is a duplicate too.
        if record.doi:
            by_doi[record.doi] = -1
        if record.url:
            by_url[record.url] = -1
        created.append(_publication(record, authorships))
    for skipped in report.skipped:
        if skipped["publication_id"] == -1:
            skipped.update(reason="repeated in this file", publication_id=None)
    report.created = len(created)
    if not dry_run and created:
        db.session.add_all(created)
        db.session.flush()
        report.publication_ids = [p.id for p in created]
    return report
