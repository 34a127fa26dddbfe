"""Bibliographic formats read into one shape of record.

Each parser returns ``ParsedRecord``s, or raises ``ParseError`` naming the record and
line at fault. BibTeX is read by bibtexparser and RIS by rispy; CSL-JSON and OpenAlex
works are JSON that only need mapping.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import bibtexparser
import rispy
from bibtexparser import middlewares
from bibtexparser.model import Entry

from app.core.errors import DomainError
from app.publications import latex

KINDS = {
    # BibTeX, RIS, CSL and OpenAlex types onto ours; anything else is an article.
    "techreport": "report",
    "report": "report",
    "rprt": "report",
    "book": "monograph",
    "monograph": "monograph",
    "thes": "monograph",
    "interview": "interview",
    "news": "news",
    "article-newspaper": "news",
    "newspaper": "news",
    "news-article": "news",
    "misc": "analysis",
    "gen": "analysis",
    "elec": "analysis",
    "webpage": "analysis",
    "post-weblog": "analysis",
}


class ParseError(DomainError):
    """A file that cannot be imported: 422, naming each record and line at fault."""


@dataclass
class ParsedAuthor:
    name: str
    affiliation: str | None = None
    # An institution (CSL "literal", a BibTeX name braced whole): not split into parts.
    organisation: bool = False


@dataclass
class ParsedRecord:
    index: int
    line: int | None
    title: str | None
    kind: str
    year: int | None
    published_on: dt.date | None = None
    venue: str | None = None
    url: str | None = None
    doi: str | None = None
    language: str | None = None
    abstract: str | None = None
    authors: list[ParsedAuthor] = field(default_factory=list)


def _kind(raw: str | None) -> str:
    return KINDS.get((raw or "").lower(), "article")


def _scalar(value: Any) -> bool:
    """A JSON string or number: anything else (objects, lists, booleans) counts as missing."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _year(value: Any) -> int | None:
    match = re.search(r"\d{4}", str(value)) if _scalar(value) else None
    return int(match.group()) if match else None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _doi(value: Any) -> str | None:
    if not value or not _scalar(value):
        return None
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", str(value).strip(), flags=re.I)
    return doi.lower() or None


def _clean(value: Any) -> str | None:
    text = " ".join(str(value).split()) if _scalar(value) else ""
    return text or None


# -- BibTeX --------------------------------------------------------------------------

_BIB_TEXT = (
    *("title", "year", "date", "journal", "booktitle", "publisher", "institution"),
    *("langid", "language", "abstract"),
)


def _bib_name(parts: Any) -> str:
    """A RIS "Last, First" string, or a BibTeX name's parts (decoded here)."""
    if isinstance(parts, str):
        last, _, first = parts.partition(",")
        return _clean(f"{first} {last}" if first else last) or parts
    words = [*parts.first, *parts.von, *parts.last, *parts.jr]
    return _clean(" ".join(latex.decode(w) for w in words)) or ""


def parse_bibtex(text: str) -> list[ParsedRecord]:
    # Names are split before they are decoded, so "{Smith and Sons}" stays one author.
    library = bibtexparser.parse_string(
        text,
        append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()],
    )
    if library.failed_blocks:
        raise ParseError(
            "The BibTeX could not be read.",
            {
                "records": {
                    str(n): {
                        "line": block.start_line + 1,
                        "message": "Malformed BibTeX entry.",
                        "text": block.raw[:120],
                    }
                    for n, block in enumerate(library.failed_blocks)
                }
            },
        )
    return [_bib_record(n, entry) for n, entry in enumerate(library.entries)]


def _bib_record(n: int, entry: Entry) -> ParsedRecord:
    raw = {f.key.lower(): f.value for f in entry.fields}
    try:
        fields = {k: latex.decode(raw.get(k)) for k in _BIB_TEXT}
        authors = [ParsedAuthor(_bib_name(a)) for a in raw.get("author") or []]
    except latex.BadLatex as exc:
        raise ParseError(
            "The BibTeX could not be read.",
            {
                "records": {
                    str(n): {"line": entry.start_line + 1, "message": f"Unreadable LaTeX: {exc}"}
                }
            },
        ) from exc
    return ParsedRecord(
        index=n,
        line=entry.start_line + 1,
        title=_clean(fields.get("title")),
        kind=_kind(entry.entry_type),
        year=_year(fields.get("year")),
        published_on=_date(fields.get("date")),
        venue=_clean(
            fields.get("journal")
            or fields.get("booktitle")
            or fields.get("publisher")
            or fields.get("institution")
        ),
        url=_clean(latex.read_verbatim(raw.get("url"))),
        doi=_doi(latex.read_verbatim(raw.get("doi"))),
        language=_clean(fields.get("langid") or fields.get("language")),
        abstract=_clean(fields.get("abstract")),
        authors=authors,
    )


# -- RIS -----------------------------------------------------------------------------

_RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  -( |$)")


def _ris_chunks(text: str) -> list[tuple[int, str]]:
    """Each record's first line number and text; a stray line is an error."""
    chunks, current, start = [], [], None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if not _RIS_LINE.match(line):
            raise ParseError(
                "The RIS could not be read.",
                {
                    "records": {
                        str(len(chunks)): {
                            "line": number,
                            "message": "Not a RIS tag line.",
                            "text": line[:120],
                        }
                    }
                },
            )
        if line.startswith(RIS_START):
            current, start = [line], number
        elif start is None:
            raise ParseError(
                "The RIS could not be read.",
                {
                    "records": {
                        str(len(chunks)): {
                            "line": number,
                            "message": "A tag outside a record (no TY).",
                        }
                    }
                },
            )
        else:
            current.append(line)
        if line.startswith("ER  -"):
            chunks.append((start, "\n".join(current) + "\n"))
            current, start = [], None
    if start is not None:
        raise ParseError(
            "The RIS could not be read.",
            {
                "records": {
                    str(len(chunks)): {"line": start, "message": "The record has no ER line."}
                }
            },
        )
    return chunks


def parse_ris(text: str) -> list[ParsedRecord]:
    records = []
    for n, (line, chunk) in enumerate(_ris_chunks(text)):
        (entry,) = rispy.loads(chunk)
        urls = entry.get("urls") or []
        records.append(
            ParsedRecord(
                index=n,
                line=line,
                title=_clean(entry.get("title") or entry.get("primary_title")),
                kind=_kind(entry.get("type_of_reference")),
                year=_year(entry.get("year") or entry.get("publication_year")),
                published_on=_date((entry.get("date") or "").replace("/", "-")),
                venue=_clean(
                    entry.get("journal_name")
                    or entry.get("secondary_title")
                    or entry.get("publisher")
                ),
                url=_clean(urls[0] if urls else None),
                doi=_doi(entry.get("doi")),
                language=_clean(entry.get("language")),
                abstract=_clean(entry.get("abstract")),
                authors=[
                    ParsedAuthor(_bib_name(a))
                    for a in (entry.get("authors") or entry.get("first_authors") or [])
                ],
            )
        )
    return records


# -- CSL-JSON and OpenAlex ------------------------------------------------------------


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        line, message = exc.lineno, exc.msg
    except RecursionError:
        line, message = None, "Nested too deeply."
    except ValueError as exc:  # an integer of more digits than Python converts
        line, message = None, str(exc)
    raise ParseError(
        "The JSON could not be read.", {"records": {"0": {"line": line, "message": message}}}
    )


def _record_lines(text: str, count: int) -> list[int | None]:
    """Best-effort line of each top-level object in a JSON array."""
    lines = [n for n, row in enumerate(text.splitlines(), start=1) if row.lstrip().startswith("{")]
    return lines[:count] + [None] * (count - len(lines)) if len(lines) >= count else [None] * count


def _csl_author(author: dict[str, Any]) -> ParsedAuthor:
    parts = (_clean(author.get("given")), _clean(author.get("family")))
    name = _clean(author.get("literal")) or " ".join(p for p in parts if p)
    return ParsedAuthor(name)


def _csl_date(item: dict[str, Any]) -> tuple[int | None, dt.date | None]:
    """The year of ``issued``, and its day when all three parts make one."""
    date_parts = _list(_dict(item.get("issued")).get("date-parts"))
    parts = _list(date_parts[0]) if date_parts else []
    year = _year(parts[0]) if parts else None
    if len(parts) >= 3 and all(type(p) is int for p in parts[:3]):
        try:
            return year, dt.date(*parts[:3])
        except (ValueError, OverflowError):
            return year, None
    return year, None


def parse_csl(text: str) -> list[ParsedRecord]:
    data = _json(text)
    items = data if isinstance(data, list) else [data]
    lines = _record_lines(text, len(items))
    records = []
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise ParseError(
                "Not CSL-JSON.",
                {
                    "records": {
                        str(n): {"line": lines[n], "message": "Each record must be a JSON object."}
                    }
                },
            )
        year, day = _csl_date(item)
        records.append(
            ParsedRecord(
                index=n,
                line=lines[n],
                title=_clean(item.get("title")),
                kind=_kind(item.get("type")),
                year=year,
                published_on=day,
                venue=_clean(item.get("container-title") or item.get("publisher")),
                url=_clean(item.get("URL")),
                doi=_doi(item.get("DOI")),
                language=_clean(item.get("language")),
                abstract=_clean(item.get("abstract")),
                authors=[_csl_author(a) for a in _list(item.get("author")) if isinstance(a, dict)],
            )
        )
    return records


def _openalex_author(authorship: dict[str, Any]) -> ParsedAuthor:
    author = _dict(authorship.get("author"))
    institutions = _list(authorship.get("institutions"))
    raw = _list(authorship.get("raw_affiliation_strings"))
    affiliation = _clean(_dict(institutions[0]).get("display_name") if institutions else None)
    return ParsedAuthor(
        _clean(author.get("display_name")) or _clean(authorship.get("raw_author_name")) or "",
        affiliation or _clean(raw[0] if raw else None),
    )


def parse_openalex(text: str) -> list[ParsedRecord]:
    data = _json(text)
    works = data.get("results") if isinstance(data, dict) and "results" in data else [data]
    if not isinstance(works, list):
        raise ParseError("Not an OpenAlex work or results page.", {"records": {}})
    lines = _record_lines(text, len(works))
    records = []
    for n, work in enumerate(works):
        if not isinstance(work, dict):
            raise ParseError(
                "Not an OpenAlex work.",
                {
                    "records": {
                        str(n): {"line": lines[n], "message": "Each work must be a JSON object."}
                    }
                },
            )
        location = _dict(work.get("primary_location"))
        source = _dict(location.get("source"))
        records.append(
            ParsedRecord(
                index=n,
                line=lines[n],
                title=_clean(work.get("title") or work.get("display_name")),
                kind=_kind(work.get("type")),
                year=_year(work.get("publication_year")),
                published_on=_date(work.get("publication_date")),
                venue=_clean(source.get("display_name")),
                url=_clean(location.get("landing_page_url")) or _clean(work.get("id")),
                doi=_doi(work.get("doi")),
                language=_clean(work.get("language")),
                authors=[
                    _openalex_author(a)
                    for a in _list(work.get("authorships"))
                    if isinstance(a, dict)
                ],
            )
        )
    return records


# -- counting records before parsing them -------------------------------------------------

# bibtexparser (splitter.py) starts a block at "@" + word characters, none at all included
# ("@1x{", "@статья{", "@{" are entries), + spaces or tabs + "{" or "(". Counting any
# non-space run there errs towards refusing, never towards parsing past the limit; so does
# an "@word{" inside a value or on one line with others. The quantifiers are possessive: with
# two optional runs of spaces, "@" and a megabyte of them would backtrack quadratically.
_BIB_ENTRY = re.compile(r"@\s*+(?!(?:string|preamble|comment)\b)[^\s{(@,]*+\s*+[{(]", re.I)
# Only these split entries for their length: the parser's own block start at a line's start
# (after whitespace other than "\n"), where it begins a block even inside another. Anywhere
# else the parser may read it as text in a value, and a split there would let one long
# entry through in short pieces; so an entry runs on to the next of these, over-measuring.
_BIB_BOUNDARY = re.compile(r"^[^\S\n]*@\w*[ \t]*[{(]", re.M)
# The RIS reader's record start, on the lines of str.splitlines() (CR, VT, RS, U+2028...).
RIS_START = "TY  -"


# bibtexparser's time grows faster than the length of one entry (0.2 MB in one field took
# 1.7 s, twice that 4 s or more): no real entry, abstract included, comes near this.
MAX_BIBTEX_ENTRY = 64 * 1024


def longest_bibtex_entry(text: str) -> int:
    """The most characters from the file's start or one entry's start to the next."""
    starts = [0, *(m.start() for m in _BIB_BOUNDARY.finditer(text)), len(text)]
    return max(b - a for a, b in itertools.pairwise(starts))


def _ris_count(text: str) -> int:
    return sum(line.startswith(RIS_START) for line in text.splitlines())


def _json_count(text: str, results: bool) -> int:
    data = _json(text)
    if results and isinstance(data, dict) and isinstance(data.get("results"), list):
        return len(data["results"])
    return len(data) if isinstance(data, list) else 1


COUNTERS = {
    "bibtex": lambda text: len(_BIB_ENTRY.findall(text)),
    "ris": _ris_count,
    "csl-json": lambda text: _json_count(text, results=False),
    "openalex": lambda text: _json_count(text, results=True),
}


PARSERS = {
    "bibtex": parse_bibtex,
    "ris": parse_ris,
    "csl-json": parse_csl,
    "openalex": parse_openalex,
}
