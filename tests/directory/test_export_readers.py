"""The bibliography exports read by tools that are not ours (pybtex, citeproc-py), and
read back by our own importer: titles, years, DOIs, authors (people with their particles,
organisations whole), kinds and languages survive."""

from __future__ import annotations

import json

import pybtex.database
import pytest
import sqlalchemy as sa
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as cite_formatter
from citeproc.source.json import CiteProcJSON

from app.models import Publication
from tests import factories as f

YEAR = 1906  # no seeded publication is this old: the export holds only these
FORMATS = {"bibtex": "application/x-bibtex", "csl-json": "application/json"}

# title: kind, language, DOI, authors as (name, organisation); None is the expert below.
BIBLIOGRAPHY = {
    "Border regions of the Union": (
        "article",
        "ru",
        "10.5555/br.1906",
        [("Maria dos Santos", False), ("Ludwig van der Waals", False), ("Africa News", True)],
    ),
    "Transit after the war": (
        "report",
        "ru",
        None,
        [("Сектор Казахстана КИСИ", True), ("Аскар Тлеубердиев", False)],
    ),
    "On the Caspian": ("analysis", "kk", None, [("Martin Luther King Jr.", False)]),
    "Talking to Astana": ("interview", "ru", None, [None]),
    "One hundred years": (
        "monograph",
        "en",
        "10.5555/ohy.1906",
        [("Gabriel García Márquez", False)],
    ),
    "Floods in Orenburg": ("news", "en", None, [("Reuters", True)]),
}
EXPERT = "Айгерим Садыкова"

# Our kind: the CSL type, and BibTeX's entry type with its biblatex entrysubtype.
TYPES = {
    "article": ("article-journal", "article", None),
    "report": ("report", "techreport", None),
    "analysis": ("webpage", "misc", None),
    "interview": ("interview", "misc", "interview"),
    "monograph": ("book", "book", None),
    "news": ("article-newspaper", "article", "newspaper"),
}


@pytest.fixture
def bibliography(db_session):
    expert = f.ExpertFactory(full_name=EXPERT)
    for n, (title, (kind, language, doi, authors)) in enumerate(BIBLIOGRAPHY.items(), start=1):
        publication = f.PublicationFactory(
            title=title, kind=kind, year=YEAR, language=language, doi=doi, venue=f"Venue {n}"
        )
        for position, author in enumerate(authors, start=1):
            name, organisation = author or (None, False)
            f.AuthorshipFactory(
                publication=publication,
                position=position,
                expert=None if author else expert,
                raw_name=name,
                organisation=organisation,
            )
    db_session.flush()


@pytest.fixture
def organiser(caller, make_user):
    return caller(make_user("organiser"))


def export(caller_, fmt: str) -> str:
    response = caller_.get(
        "/api/v1/publications", query_string={"format": fmt, "year_from": YEAR, "year_to": YEAR}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_types_cover_every_kind():
    assert set(TYPES) == {kind for kind, *_ in BIBLIOGRAPHY.values()}


def test_pybtex_reads_the_bibtex_export(bibliography, organiser):
    data = pybtex.database.parse_string(export(organiser, "bibtex"), "bibtex")
    entries = {e.fields["title"].strip("{}"): e for e in data.entries.values()}
    assert set(entries) == set(BIBLIOGRAPHY)
    for title, (kind, language, doi, _authors) in BIBLIOGRAPHY.items():
        entry, (_csl, entry_type, subtype) = entries[title], TYPES[kind]
        assert (entry.type, entry.fields.get("entrysubtype")) == (entry_type, subtype)
        assert (entry.fields["year"], entry.fields["language"]) == (str(YEAR), language)
        assert entry.fields.get("doi") == doi
    people = {str(p): p for e in entries.values() for p in e.persons["author"]}
    santos, waals = people["dos Santos, Maria"], people["van der Waals, Ludwig"]
    assert (santos.prelast_names, santos.last_names) == (["dos"], ["Santos"])
    assert (waals.prelast_names, waals.last_names) == (["van", "der"], ["Waals"])
    king = people["King, Jr., Martin Luther"]
    assert (king.first_names + king.middle_names, king.lineage_names) == (
        ["Martin", "Luther"],
        ["Jr."],
    )
    # An organisation is one braced last name, never a first name and a surname.
    for name in ("Africa News", "Reuters", "Сектор Казахстана КИСИ"):
        assert people["{" + name + "}"].rich_last_names[0].render_as("text") == name
        assert not people["{" + name + "}"].first_names


def test_citeproc_renders_every_record_of_the_csl_export(bibliography, organiser):
    items = json.loads(export(organiser, "csl-json"))
    assert [i["type"] for i in items] == [TYPES[BIBLIOGRAPHY[i["title"]][0]][0] for i in items]
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    rendered = CitationStylesBibliography(style, CiteProcJSON(items), cite_formatter.plain)
    for item in items:
        rendered.register(Citation([CitationItem(item["id"])]))
    texts = [str(entry) for entry in rendered.bibliography()]
    assert len(texts) == len(BIBLIOGRAPHY)
    for title in BIBLIOGRAPHY:
        (text,) = [t for t in texts if title in t]
        assert str(YEAR) in text
    whole = "\n".join(texts)
    assert "Africa News" in whole and "News, A." not in whole
    assert "dos Santos, M." in whole and "King, M.L., Jr." in whole
    assert "Сектор Казахстана КИСИ" in whole and "Тлеубердиев, А." in whole


def _stored(db_session) -> dict[str, dict]:
    publications = db_session.scalars(sa.select(Publication).where(Publication.year == YEAR))
    return {
        p.title: {
            "core": (p.year, p.doi),
            "kind": str(p.kind),
            "language": p.language,
            "authors": [a.expert.full_name if a.expert else a.raw_name for a in p.authorships],
            "organisations": [a.raw_name for a in p.authorships if a.organisation],
        }
        for p in publications
    }


ROUND_TRIPS = [
    ("bibtex", "core"),
    ("bibtex", "authors"),
    ("bibtex", "organisations"),
    ("bibtex", "kind"),
    ("bibtex", "language"),
    ("csl-json", "core"),
    ("csl-json", "authors"),
    ("csl-json", "organisations"),
    ("csl-json", "kind"),
    ("csl-json", "language"),
]


@pytest.mark.parametrize(("fmt", "aspect"), ROUND_TRIPS)
def test_each_export_imports_back_as_it_was(bibliography, organiser, db_session, fmt, aspect):
    before = _stored(db_session)
    assert len(before) == len(BIBLIOGRAPHY)
    exported = export(organiser, fmt)
    db_session.execute(sa.delete(Publication).where(Publication.year == YEAR))
    response = organiser.post(
        "/api/v1/publications/import",
        query_string={"format": fmt},
        data=exported.encode(),
        content_type=FORMATS[fmt],
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["created"] == len(BIBLIOGRAPHY)
    db_session.expire_all()
    after = _stored(db_session)
    assert {t: r[aspect] for t, r in after.items()} == {t: r[aspect] for t, r in before.items()}


@pytest.mark.parametrize(
    ("kind", "csl_type", "csl", "entry_type", "subtype"),
    [
        ("article", "chapter", "chapter", "incollection", None),
        ("article", "paper-conference", "paper-conference", "inproceedings", None),
        ("article", "article-magazine", "article-magazine", "article", "magazine"),
        ("analysis", "post-weblog", "post-weblog", "misc", None),
        ("report", None, "report", "techreport", None),
        # The kind was edited since: a chapter is no news, and the kind's own type wins.
        ("news", "chapter", "article-newspaper", "article", "newspaper"),
    ],
)
def test_a_finer_type_is_exported_while_it_reads_as_the_kind(
    organiser, db_session, kind, csl_type, csl, entry_type, subtype
):
    body = {"title": "Typed", "kind": kind, "year": YEAR, "csl_type": csl_type}
    created = organiser.post("/api/v1/publications", json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["csl_type"] == csl_type
    (item,) = json.loads(export(organiser, "csl-json"))
    assert item["type"] == csl
    (entry,) = pybtex.database.parse_string(export(organiser, "bibtex"), "bibtex").entries.values()
    assert (entry.type, entry.fields.get("entrysubtype")) == (entry_type, subtype)


def test_a_type_outside_csl_is_refused(organiser):
    body = {"title": "Typed", "kind": "article", "year": YEAR, "csl_type": "journal-article"}
    response = organiser.post("/api/v1/publications", json=body)
    assert response.status_code == 422
    assert "csl_type" in response.get_json()["errors"]["json"]
