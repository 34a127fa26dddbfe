"""Publications as CSL-JSON and BibTeX, for reference managers (Zotero, JabRef, Mendeley)."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from bibtexparser import Library, write_string
from bibtexparser.model import Entry, Field

from app.core.names import name_key
from app.extensions import db
from app.publications import latex
from app.publications.models import Publication
from app.publications.vocabulary import kind as kind_of_csl_type


@dataclass(frozen=True)
class Mapping:
    """How one of our kinds is written: its CSL type, its BibTeX entry type (and biblatex's
    ``entrysubtype``, where that type alone would lose the kind: pandoc reads "newspaper"
    there as CSL's article-newspaper), and the field its venue goes in. The importer reads
    each back as the same kind (tests/directory/test_export_readers.py)."""

    csl: str
    bibtex: str
    subtype: str | None
    csl_venue: str
    bibtex_venue: str


KINDS = {
    "report": Mapping("report", "techreport", None, "publisher", "institution"),
    "article": Mapping("article-journal", "article", None, "container-title", "journal"),
    # A think tank's analysis is a page on its site (see the seeds): the site is the venue.
    "analysis": Mapping("webpage", "misc", None, "container-title", "publisher"),
    "interview": Mapping("interview", "misc", "interview", "container-title", "publisher"),
    "monograph": Mapping("book", "book", None, "publisher", "publisher"),
    "news": Mapping("article-newspaper", "article", "newspaper", "container-title", "journal"),
}


# Finer types that BibTeX writes with an entry type of their own (the venue in its field).
FINER = {
    "chapter": Mapping("chapter", "incollection", None, "container-title", "booktitle"),
    "paper-conference": Mapping(
        "paper-conference", "inproceedings", None, "container-title", "booktitle"
    ),
    "thesis": Mapping("thesis", "phdthesis", None, "publisher", "school"),
    "article-magazine": Mapping(
        "article-magazine", "article", "magazine", "container-title", "journal"
    ),
}


def _mapping(publication: Publication) -> Mapping:
    """The kind's mapping, or the finer type the publication was imported with, if the
    importer reads that type back as the same kind (a kind edited since does not)."""
    kind, finer = publication.kind.value, publication.csl_type
    mapping = KINDS[kind]
    if not finer or kind_of_csl_type(finer) != kind:
        return mapping
    return FINER.get(finer) or dataclasses.replace(mapping, csl=finer)


@dataclass(frozen=True)
class Author:
    """An author as exported: an organisation whole, a person in parts where they can be
    told apart ("Maria dos Santos": given Maria, particle dos, family Santos)."""

    name: str
    organisation: bool

    @functools.cached_property
    def parts(self) -> dict[str, str] | None:
        """CSL's name parts of a person, or None for a name to keep whole."""
        words = self.name.split()
        plain = all(_PLAIN_NAME_PART.fullmatch(w) and w.lower() != "and" for w in words)
        if self.organisation or not words or not plain:
            return None
        suffix = words.pop() if len(words) > 2 and words[-1] in _SUFFIXES else None
        family, start = words[-1], len(words) - 1
        # The lower-case words just before the family name are its particle ("van der"),
        # kept with it ("non-dropping"): whether a style may drop it we cannot know.
        while start > 1 and words[start - 1][:1].islower():
            start -= 1
        parts = {
            "family": family,
            "given": " ".join(words[:start]),
            "non-dropping-particle": " ".join(words[start:-1]),
            "suffix": suffix,
        }
        return {k: v for k, v in parts.items() if v}


_PLAIN_NAME_PART = re.compile(r"[^\W\d_][\w.'’-]*")
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})


def _authors(publication: Publication) -> list[Author]:
    authors = [
        Author(a.expert.full_name, False) if a.expert else Author(a.raw_name, a.organisation)
        for a in publication.authorships
    ]
    return [a for a in authors if a.name and a.name.strip()]


def _csl_name(author: Author) -> dict[str, str]:
    return author.parts or {"literal": author.name}


def to_csl(publication: Publication) -> dict[str, Any]:
    mapping = _mapping(publication)
    date = publication.published_on
    parts = [date.year, date.month, date.day] if date else [publication.year]
    item = {
        "id": f"expert-bridge-{publication.id}",
        "type": mapping.csl,
        "title": publication.title,
        "author": [_csl_name(a) for a in _authors(publication)],
        "issued": {"date-parts": [parts]},
        mapping.csl_venue: publication.venue,
        "URL": publication.url,
        "DOI": publication.doi,
        "language": publication.language,
        "abstract": publication.abstract,
    }
    return {k: v for k, v in item.items() if v not in (None, [], "")}


def _bibtex_key(publication: Publication) -> str:
    authors = _authors(publication)[:1]
    words = [w for a in authors for w in ((a.parts or {}).get("family") or a.name).split()]
    stem = name_key(words[-1]) if words else ""
    return f"{re.sub(r'[^a-z0-9]', '', stem)[:20] or 'anon'}{publication.year}_{publication.id}"


def to_bibtex_entry(publication: Publication) -> Entry:
    mapping = _mapping(publication)
    fields = {
        "title": "{" + latex.encode(publication.title) + "}",
        "author": " and ".join(_bibtex_author(a) for a in _authors(publication)),
        "year": str(publication.year),
        "entrysubtype": mapping.subtype,
        mapping.bibtex_venue: latex.encode(publication.venue),
        "url": latex.write_verbatim(publication.url),
        "doi": latex.write_verbatim(publication.doi),
        "language": publication.language,
        "date": publication.published_on.isoformat() if publication.published_on else None,
    }
    return Entry(
        mapping.bibtex,
        _bibtex_key(publication),
        [Field(k, v) for k, v in fields.items() if v],
    )


def _bibtex_author(author: Author) -> str:
    """A person as "von Last, Jr, First"; an organisation, or a name whose words are not
    a person's, whole in braces, so that an "and" or a comma in it splits nothing."""
    parts = author.parts
    if parts is None:
        return "{" + latex.encode(author.name) + "}"
    last = " ".join(p for p in (parts.get("non-dropping-particle"), parts["family"]) if p)
    order = [last, parts.get("suffix"), parts.get("given")]
    return ", ".join(latex.encode(p) for p in order if p)


def _partitions(stmt: sa.Select) -> Iterator[list[Publication]]:
    yield from db.session.scalars(stmt.execution_options(yield_per=500)).partitions()


def csl_stream(stmt: sa.Select) -> Iterator[str]:
    """A JSON array of CSL items, written as rows arrive."""
    yield "["
    first = True
    for partition in _partitions(stmt):
        for publication in partition:
            yield ("" if first else ",\n") + json.dumps(to_csl(publication), ensure_ascii=False)
            first = False
    yield "]\n"


def bibtex_stream(stmt: sa.Select) -> Iterator[str]:
    for partition in _partitions(stmt):
        library = Library([to_bibtex_entry(p) for p in partition])
        yield write_string(library)
