"""Publications as CSL-JSON and BibTeX, for reference managers (Zotero, JabRef, Mendeley)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from bibtexparser import Library, write_string
from bibtexparser.model import Entry, Field

from app.core.names import name_key
from app.extensions import db
from app.publications import latex
from app.publications.models import Publication

CSL_TYPES = {
    "report": "report",
    "article": "article-newspaper",
    "analysis": "article",
    "interview": "interview",
    "monograph": "book",
    "news": "article-newspaper",
}
BIBTEX_TYPES = {
    "report": "techreport",
    "article": "article",
    "analysis": "misc",
    "interview": "misc",
    "monograph": "book",
    "news": "misc",
}


def _author_names(publication: Publication) -> list[str]:
    names = [a.expert.full_name if a.expert else a.raw_name for a in publication.authorships]
    return [name for name in names if name and name.strip()]


def _csl_name(name: str) -> dict[str, str]:
    """A person "Given Family" as CSL parts; organisations stay literal."""
    parts = name.split()
    if len(parts) in (2, 3) and all(p[:1].isupper() for p in parts):
        return {"family": parts[-1], "given": " ".join(parts[:-1])}
    return {"literal": name}


def to_csl(publication: Publication) -> dict[str, Any]:
    date = publication.published_on
    parts = [date.year, date.month, date.day] if date else [publication.year]
    item = {
        "id": f"expert-bridge-{publication.id}",
        "type": CSL_TYPES[publication.kind.value],
        "title": publication.title,
        "author": [_csl_name(n) for n in _author_names(publication)],
        "issued": {"date-parts": [parts]},
        "container-title": publication.venue,
        "URL": publication.url,
        "DOI": publication.doi,
        "language": publication.language,
        "abstract": publication.abstract,
    }
    return {k: v for k, v in item.items() if v not in (None, [], "")}


def _bibtex_key(publication: Publication) -> str:
    words = [w for name in _author_names(publication)[:1] for w in name.split()]
    stem = name_key(words[-1]) if words else ""
    return f"{re.sub(r'[^a-z0-9]', '', stem)[:20] or 'anon'}{publication.year}_{publication.id}"


def to_bibtex_entry(publication: Publication) -> Entry:
    venue = "journal" if publication.kind.value == "article" else "publisher"
    fields = {
        "title": "{" + latex.encode(publication.title) + "}",
        "author": " and ".join(_bibtex_author(n) for n in _author_names(publication)),
        "year": str(publication.year),
        venue: latex.encode(publication.venue),
        "url": latex.write_verbatim(publication.url),
        "doi": latex.write_verbatim(publication.doi),
        "language": publication.language,
        "date": publication.published_on.isoformat() if publication.published_on else None,
    }
    return Entry(
        BIBTEX_TYPES[publication.kind.value],
        _bibtex_key(publication),
        [Field(k, v) for k, v in fields.items() if v],
    )


_PLAIN_NAME_PART = re.compile(r"[^\W\d_][\w.'’-]*")


def _bibtex_author(name: str) -> str:
    """A plain person's name as "Family, Given"; any other whole, in braces, so that an "and"
    or a comma in it splits nothing."""
    parts, words = _csl_name(name), name.split()
    plain = all(_PLAIN_NAME_PART.fullmatch(w) and w.lower() != "and" for w in words)
    if "literal" in parts or not plain:
        return "{" + latex.encode(name) + "}"
    return f"{latex.encode(parts['family'])}, {latex.encode(parts['given'])}"


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
