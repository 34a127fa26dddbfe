"""One bibliography of 50 works written as BibTeX, biblatex, RIS, CSL-JSON and OpenAlex
would write it (issue #14): each imports as the same titles, years, authors and types."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app.models import Publication
from app.publications import imports

# given, particle, family; or an organisation's name alone.
PEOPLE = [
    ("Maria", "dos", "Santos"),
    ("Jean", "de", "La Fontaine"),
    ("Aigerim", None, "Seitkali"),
    ("Юрий", None, "Кузнецов"),
    ("Gulnara", None, "Dzhaksybekova"),
]
ORGANISATIONS = ["Africa News", "Eurasian Research Group"]

# Our type: the CSL type and kind it reads as, then how each format writes it.
TYPES = {
    "journal": ("article-journal", "article", "article", "article", "JOUR", "article"),
    "book": ("book", "monograph", "book", "book", "BOOK", "book"),
    "chapter": ("chapter", "article", "incollection", "incollection", "CHAP", "book-chapter"),
    "report": ("report", "report", "techreport", "report", "RPRT", "report"),
    "thesis": ("thesis", "monograph", "phdthesis", "thesis", "THES", "dissertation"),
}


@dataclass
class Work:
    n: int
    type: str
    title: str
    year: int
    authors: list[tuple[str | None, str | None, str]]  # (given, particle, family-or-org)
    venue: str

    @property
    def doi(self) -> str:
        return f"10.5555/same.{self.n}"

    def names(self) -> list[str]:
        return [" ".join(p for p in a if p) for a in self.authors]

    def organisations(self) -> list[bool]:
        return [a[0] is None and a[1] is None and a[2] in ORGANISATIONS for a in self.authors]


def _work(n: int) -> Work:
    kind = list(TYPES)[n % len(TYPES)]
    people = [PEOPLE[(n + k) % len(PEOPLE)] for k in range(1 + n % 3)]
    if n % 4 == 0:
        people.append((None, None, ORGANISATIONS[n % 2]))
    title = f"Работа {n}: Eurasian corridors, part {n}" if n % 2 else f"Steppe politics {n}"
    return Work(n, kind, title, 1995 + n % 30, people, f"Venue {n % 7}")


BIBLIOGRAPHY = [_work(n) for n in range(50)]


def _bib_name(author) -> str:
    given, particle, family = author
    if given is None and particle is None:
        return "{" + family + "}"
    return f"{particle + ' ' if particle else ''}{family}, {given}"


def _bibtex(work: Work, biblatex: bool) -> str:
    entry_type = TYPES[work.type][3 if biblatex else 2]
    venue = {
        "journal": "journaltitle" if biblatex else "journal",
        "book": "publisher",
        "chapter": "booktitle",
        "report": "institution",
        "thesis": "institution" if biblatex else "school",
    }[work.type]
    when = f"date = {{{work.year}-03-0{1 + work.n % 9}}}" if biblatex else f"year = {work.year}"
    extra = ",\n  type = {phdthesis}" if biblatex and work.type == "thesis" else ""
    return (
        f"@{entry_type}{{w{work.n},\n  author = {{{' and '.join(map(_bib_name, work.authors))}}},"
        f"\n  title = {{{work.title}}},\n  {venue} = {{{work.venue}}},\n  {when},"
        f"\n  doi = {{{work.doi}}}{extra}\n}}\n"
    )


def _ris(work: Work) -> str:
    lines = [f"TY  - {TYPES[work.type][4]}"]
    for given, particle, family in work.authors:
        last = f"{particle} {family}" if particle else family
        lines.append(f"AU  - {last}, {given}" if given else f"AU  - {last}")
    venue_tag = {"journal": "JO", "book": "PB", "chapter": "T2", "report": "PB", "thesis": "PB"}
    lines += [
        f"TI  - {work.title}",
        f"{venue_tag[work.type]}  - {work.venue}",
        f"PY  - {work.year}",
        f"DO  - {work.doi}",
        "ER  - ",
    ]
    return "\n".join(lines) + "\n"


def _csl_name(author) -> dict:
    given, particle, family = author
    if given is None and particle is None:
        return {"literal": family}
    name = {"given": given, "family": family}
    return {**name, "non-dropping-particle": particle} if particle else name


def _csl(work: Work) -> dict:
    return {
        "id": f"w{work.n}",
        "type": TYPES[work.type][0],
        "title": work.title,
        "author": [_csl_name(a) for a in work.authors],
        "issued": {"date-parts": [[str(work.year)]]},
        "container-title": work.venue,
        "DOI": work.doi,
    }


def _openalex(work: Work) -> dict:
    return {
        "id": f"https://openalex.org/W{work.n}",
        "title": work.title,
        "type": TYPES[work.type][5],
        "publication_year": work.year,
        "doi": f"https://doi.org/{work.doi}",
        "primary_location": {"source": {"display_name": work.venue}},
        "authorships": [{"author": {"display_name": name}} for name in work.names()],
    }


FILES = {
    "bibtex": ("bibtex", "\n".join(_bibtex(w, biblatex=False) for w in BIBLIOGRAPHY)),
    "biblatex": ("bibtex", "\n".join(_bibtex(w, biblatex=True) for w in BIBLIOGRAPHY)),
    "ris": ("ris", "\n".join(_ris(w) for w in BIBLIOGRAPHY)),
    "csl-json": ("csl-json", json.dumps([_csl(w) for w in BIBLIOGRAPHY], ensure_ascii=False)),
    "openalex": ("openalex", json.dumps({"results": [_openalex(w) for w in BIBLIOGRAPHY]})),
}
EXPECTED = {w.doi: (w.title, w.year, w.names(), TYPES[w.type][1], w.venue) for w in BIBLIOGRAPHY}


@pytest.fixture
def organiser(caller, make_user):
    return caller(make_user("organiser"))


@pytest.mark.parametrize("written_as", sorted(FILES))
def test_each_format_imports_the_same_bibliography(organiser, db_session, written_as):
    fmt, text = FILES[written_as]
    response = organiser.post(
        "/api/v1/publications/import",
        query_string={"format": fmt},
        data=text.encode(),
        content_type="text/plain; charset=utf-8",
    )
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert (report["created"], report["skipped"], report["warnings"]) == (50, [], [])
    stored = db_session.scalars(
        sa.select(Publication).where(Publication.id.in_(report["publication_ids"]))
    ).all()
    got = {
        p.doi: (
            p.title,
            p.year,
            [a.raw_name or a.expert.full_name for a in p.authorships],
            p.kind.value,
            p.venue,
        )
        for p in stored
    }
    assert got == EXPECTED


@pytest.mark.parametrize("written_as", sorted(FILES))
def test_each_format_reads_the_same_csl_types(written_as):
    fmt, text = FILES[written_as]
    records = imports.parse(fmt, text).records
    assert [r.csl_type for r in records] == [TYPES[w.type][0] for w in BIBLIOGRAPHY]


@pytest.mark.parametrize("written_as", ["bibtex", "biblatex", "csl-json"])
def test_formats_that_mark_organisations_read_them(written_as):
    """RIS and OpenAlex have no way to say a name is an organisation's."""
    fmt, text = FILES[written_as]
    records = imports.parse(fmt, text).records
    assert [[a.organisation for a in r.authors] for r in records] == [
        w.organisations() for w in BIBLIOGRAPHY
    ]
