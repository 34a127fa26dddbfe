"""Bibliographic formats read into one shape of record.

Each parser returns ``ParsedRecord``s, or raises ``ParseError`` naming the record and
line at fault. BibTeX is read by bibtexparser and RIS by rispy; CSL-JSON and OpenAlex
works are JSON that only need mapping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import bibtexparser
import rispy
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from app.core.errors import DomainError
from app.publications import bibtex, latex, vocabulary


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
    language: str | None = None  # an ISO 639 code
    abstract: str | None = None
    authors: list[ParsedAuthor] = field(default_factory=list)
    editors: list[ParsedAuthor] = field(default_factory=list)
    # The source's type in CSL's vocabulary ("article-journal", "chapter", "thesis"...),
    # finer than ``kind``.
    csl_type: str = "document"
    # Why the record cannot be imported as it is (the importer adds its own checks).
    problems: list[str] = field(default_factory=list)
    # What the reader noticed but read past (an undefined macro, say).
    warnings: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    records: list[ParsedRecord]
    # Notes on the file rather than on one record: [{"line": ..., "message": ...}].
    warnings: list[dict[str, Any]] = field(default_factory=list)


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


_ISO_DATE = re.compile(r"^\s*(-?\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def _iso_date(value: Any) -> tuple[int | None, dt.date | None]:
    """The year and day of an ISO 8601 / EDTF date as biblatex and CSL "raw" write it:
    "2004", "2004-10-27", a range "1984/1986" (its start), an open one "/1986" (its end).
    Anything else gives the first year in it, if any."""
    text = str(value) if _scalar(value) else ""
    start, range_, end = text.partition("/")
    match = _ISO_DATE.match(start) or _ISO_DATE.match(end)
    if not match:
        return _year(text), None
    year, day = int(match[1]), None
    if match[3] and not range_:
        with contextlib.suppress(ValueError):
            day = dt.date(year, int(match[2]), int(match[3]))
    return year, day


# -- BibTeX --------------------------------------------------------------------------

_BIB_TEXT = (
    *("title", "year", "date", "journal", "journaltitle", "booktitle", "publisher"),
    *("institution", "school", "organization", "langid", "language", "abstract"),
)


def _bib_name(raw: str) -> ParsedAuthor:
    """One BibTeX name: "{Africa News}", braced whole, is an organisation; any other is
    split into its parts ("dos Santos, Maria" is Maria dos Santos) before it is decoded."""
    raw = raw.strip()
    if raw.startswith("{") and bibtex.braced_end(raw, 0) == len(raw):
        return ParsedAuthor(_clean(latex.decode(raw[1:-1])) or "", organisation=True)
    parts = parse_single_name_into_parts(raw)
    words = [*parts.first, *parts.von, *parts.last, *parts.jr]
    return ParsedAuthor(_clean(" ".join(latex.decode(w) for w in words)) or "")


def _bib_names(value: str | None) -> list[ParsedAuthor]:
    # Names are split before they are decoded, so "{Smith and Sons}" stays one author.
    return [_bib_name(name) for name in split_multiple_persons_names(value or "")]


def _bib_failures(library: bibtexparser.Library) -> list[dict[str, Any]]:
    """File warnings for blocks repeating a key (the first is kept, as BibTeX and biber
    do); a ParseError for any block that could not be read at all."""
    failed = [b for b in library.failed_blocks if not isinstance(b, DuplicateBlockKeyBlock)]
    if failed:
        raise ParseError(
            "The BibTeX could not be read.",
            {
                "records": {
                    str(n): {
                        "line": block.start_line + 1,
                        "message": "Malformed BibTeX entry.",
                        "text": block.raw[:120],
                    }
                    for n, block in enumerate(failed)
                }
            },
        )
    return [
        {
            "line": block.start_line + 1,
            "message": f"The key {block.key!r} is used again here: the first entry with it "
            "was kept and this one ignored.",
        }
        for block in library.failed_blocks
    ]


def parse_bibtex(text: str) -> ParsedFile:
    # No middleware: values come as written, so that "#", @string and crossref are read
    # as BibTeX reads them (app.publications.bibtex).
    library = bibtexparser.parse_string(text, parse_stack=[])
    warnings = _bib_failures(library)
    values = bibtex.read_values(library)
    records = [_bib_record(n, entry, values) for n, entry in enumerate(library.entries)]
    return ParsedFile(records, warnings)


def _bib_record(n: int, entry: Entry, values: bibtex.Values) -> ParsedRecord:
    raw = values.fields[entry.key]
    try:
        fields = {k: latex.decode(raw.get(k)) for k in _BIB_TEXT}
        authors, editors = _bib_names(raw.get("author")), _bib_names(raw.get("editor"))
    except (latex.BadLatex, InvalidNameError) as exc:
        # One record the reader cannot make out: skipped (or, in strict mode, refused).
        what = "name" if isinstance(exc, InvalidNameError) else "LaTeX"
        return ParsedRecord(
            index=n,
            line=entry.start_line + 1,
            title=None,
            kind="article",
            year=None,
            problems=[f"Unreadable {what}: {exc}"],
        )
    year, day = _iso_date(fields.get("date"))
    csl_type = vocabulary.bibtex_type(entry.entry_type, raw.get("entrysubtype"))
    return ParsedRecord(
        index=n,
        line=entry.start_line + 1,
        title=_clean(fields.get("title")),
        kind=vocabulary.kind(csl_type),
        csl_type=csl_type,
        year=_year(fields.get("year")) if fields.get("year") else year,
        published_on=day,
        venue=_clean(
            fields.get("journal")
            or fields.get("journaltitle")
            or fields.get("booktitle")
            or fields.get("publisher")
            or fields.get("institution")
            or fields.get("school")
            or fields.get("organization")
        ),
        url=_clean(latex.read_verbatim(raw.get("url"))),
        doi=_doi(latex.read_verbatim(raw.get("doi"))),
        language=vocabulary.language(fields.get("langid") or fields.get("language")),
        abstract=_clean(fields.get("abstract")),
        authors=authors,
        editors=editors,
        warnings=values.warnings[entry.key],
    )


# -- RIS -----------------------------------------------------------------------------

_RIS_TAG = re.compile(r"^[A-Z][A-Z0-9]  -( |$)")


def _ris_chunks(text: str) -> tuple[list[tuple[int, str]], list[dict[str, Any]]]:
    """Each record's first line number and text, as rispy reads them: a record runs from
    its ``TY  -`` line to its ``ER  -`` line, where a line that is no tag continues the one
    before; text between records (record numbers, blank lines) is not RIS and is skipped.
    Tags outside a record are skipped with a warning; a record cut short is an error."""
    chunks, warnings, current, start = [], [], [], None
    for number, line in enumerate(text.splitlines(), start=1):
        if start is None and line.startswith(RIS_START):
            current, start = [line], number
        elif start is not None:
            current.append(line)
            if line.startswith("ER  -"):
                chunks.append((start, "\n".join(current) + "\n"))
                start = None
        elif _RIS_TAG.match(line):
            warnings.append(
                {
                    "line": number,
                    "message": "A RIS tag outside a record (no TY before it): ignored.",
                }
            )
    if start is not None:
        raise ParseError(
            "The RIS could not be read.",
            {
                "records": {
                    str(len(chunks)): {
                        "line": start,
                        "message": "The record has no ER line: is the file cut short?",
                    }
                }
            },
        )
    return chunks, warnings


def _ris_text(entry: dict[str, Any], *keys: str) -> str | None:
    """The first of ``keys`` present; a tag given twice (rispy lists it) gives its first."""
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if text := _clean(value):
            return text
    return None


def parse_ris(text: str) -> ParsedFile:
    chunks, warnings = _ris_chunks(text)
    records = []
    for n, (line, chunk) in enumerate(chunks):
        (entry,) = rispy.loads(chunk)
        urls = entry.get("urls") or []
        csl_type = vocabulary.csl_type(vocabulary.RIS_TYPES, entry.get("type_of_reference"))
        records.append(
            ParsedRecord(
                index=n,
                line=line,
                title=_ris_text(entry, "title", "primary_title"),
                kind=vocabulary.kind(csl_type),
                csl_type=csl_type,
                year=_year(_ris_text(entry, "year", "publication_year")),
                published_on=_ris_day(entry),
                # JF is the journal's full name (rispy's "alternate_title3"), JO its name
                # in full or abridged, T2 the journal or book, JA its abbreviation.
                venue=_ris_text(
                    entry,
                    "alternate_title3",
                    "journal_name",
                    "secondary_title",
                    "alternate_title2",
                    "publisher",
                ),
                url=_clean(urls[0] if urls else None),
                doi=_doi(_ris_text(entry, "doi")),
                language=vocabulary.language(_ris_text(entry, "language")),
                abstract=_ris_text(entry, "abstract", "notes_abstract"),
                authors=[
                    _ris_name(a) for a in (entry.get("authors") or entry.get("first_authors") or [])
                ],
            )
        )
    return ParsedFile(records, warnings)


def _ris_day(entry: dict[str, Any]) -> dt.date | None:
    """The first of DA, Y1 and PY that gives the day ("2022/03/14/")."""
    days = (_ris_text(entry, key) for key in ("date", "publication_year", "year"))
    return next((d for d in (_date(t.replace("/", "-")) for t in days if t) if d), None)


def _ris_name(name: str) -> ParsedAuthor:
    """A RIS "Last, First[, Suffix]" name."""
    last, _, first = name.partition(",")
    return ParsedAuthor(_clean(f"{first} {last}" if first else last) or name)


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
    """A CSL name: ``literal`` is an organisation; a person's particles stay in the name
    ("Maria dos Santos", "Ludwig van Beethoven")."""
    if literal := _clean(author.get("literal")):
        return ParsedAuthor(literal, organisation=True)
    keys = ("given", "dropping-particle", "non-dropping-particle", "family", "suffix")
    return ParsedAuthor(" ".join(p for p in map(_clean, map(author.get, keys)) if p))


def _int(value: Any) -> int | None:
    if type(value) is int:
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def _csl_date(item: dict[str, Any]) -> tuple[int | None, dt.date | None]:
    """The year of ``issued``, and its day when all three parts make one. Parts may be
    numbers or strings of digits; a date without parts may be ``raw`` (ISO 8601 or EDTF
    text) or ``literal`` (any text: its year, if it names one)."""
    issued = _dict(item.get("issued"))
    date_parts = _list(issued.get("date-parts"))
    first = _list(date_parts[0]) if date_parts else []
    if not first:
        return _iso_date(issued.get("raw") or issued.get("literal"))
    parts = list(itertools.takewhile(lambda p: p is not None, map(_int, first)))
    year = _year(parts[0]) if parts else None
    if len(parts) >= 3:
        try:
            return year, dt.date(*parts[:3])
        except (ValueError, OverflowError):
            return year, None
    return year, None


def parse_csl(text: str) -> ParsedFile:
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
        csl_type = vocabulary.csl_type(vocabulary.CSL_TYPES, item.get("type"))
        records.append(
            ParsedRecord(
                index=n,
                line=lines[n],
                title=_clean(item.get("title")),
                kind=vocabulary.kind(csl_type),
                csl_type=csl_type,
                year=year,
                published_on=day,
                venue=_clean(item.get("container-title") or item.get("publisher")),
                url=_clean(item.get("URL")),
                doi=_doi(item.get("DOI")),
                language=vocabulary.language(item.get("language")),
                abstract=_clean(item.get("abstract")),
                authors=[_csl_author(a) for a in _list(item.get("author")) if isinstance(a, dict)],
                editors=[_csl_author(a) for a in _list(item.get("editor")) if isinstance(a, dict)],
            )
        )
    return ParsedFile(records)


def _openalex_author(authorship: dict[str, Any]) -> ParsedAuthor:
    author = _dict(authorship.get("author"))
    institutions = _list(authorship.get("institutions"))
    raw = _list(authorship.get("raw_affiliation_strings"))
    affiliation = _clean(_dict(institutions[0]).get("display_name") if institutions else None)
    return ParsedAuthor(
        _clean(author.get("display_name")) or _clean(authorship.get("raw_author_name")) or "",
        affiliation or _clean(raw[0] if raw else None),
    )


def parse_openalex(text: str) -> ParsedFile:
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
        csl_type = vocabulary.csl_type(vocabulary.OPENALEX_TYPES, work.get("type"))
        records.append(
            ParsedRecord(
                index=n,
                line=lines[n],
                title=_clean(work.get("title") or work.get("display_name")),
                kind=vocabulary.kind(csl_type),
                csl_type=csl_type,
                year=_year(work.get("publication_year")),
                published_on=_date(work.get("publication_date")),
                venue=_clean(source.get("display_name")),
                url=_clean(location.get("landing_page_url")) or _clean(work.get("id")),
                doi=_doi(work.get("doi")),
                language=vocabulary.language(work.get("language")),
                authors=[
                    _openalex_author(a)
                    for a in _list(work.get("authorships"))
                    if isinstance(a, dict)
                ],
            )
        )
    return ParsedFile(records)


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
