"""Bibliographic import: four formats, author matching, idempotence, dry runs, all or nothing."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.models import Authorship, Expert, Publication
from app.publications import parsers

BIBTEX = r"""
@article{shibutov2018,
  title   = {Отношения России и Казахстана на современном этапе. Часть 3},
  author  = {Shibutov, Marat and Malyarchuk, N. and Solozobov, Yuri},
  journal = {IA Regnum},
  year    = {2018},
  url     = {https://regnum.ru/article/2534699}
}

@techreport{nursha2024,
  title  = {Kazakhstan and Russia after 2022: a view from Astana},
  author = {Nursha, Askar and Seitkali, Aigerim},
  institution = {Kazakhstan Institute for Strategic Studies},
  year   = {2024},
  doi    = {10.5555/KZ.2024.001}
}
"""

RIS = """TY  - JOUR
TI  - Border regions in the Eurasian Economic Union
AU  - Ileuova, Gulmira
AU  - Иванов, Сергей
PY  - 2021
DO  - 10.5555/ris.2021.7
UR  - https://example.org/ris/7
ER  -
"""

CSL = [
    {
        "type": "article-journal",
        "title": "Transit corridors across the Caspian",
        "author": [{"family": "Солозобов", "given": "Юрий"}, {"literal": "KazISS team"}],
        "issued": {"date-parts": [[2022, 5, 17]]},
        "DOI": "10.5555/csl.2022.5",
        "container-title": "Eurasia Expert",
        "language": "ru",
    }
]

OPENALEX = {
    "results": [
        {
            "id": "https://openalex.org/W1",
            "title": "Nuclear energy cooperation between Russia and Kazakhstan",
            "publication_year": 2023,
            "publication_date": "2023-04-02",
            "type": "article",
            "doi": "https://doi.org/10.5555/OA.2023.9",
            "language": "en",
            "primary_location": {
                "landing_page_url": "https://example.org/oa/9",
                "source": {"display_name": "Central Asian Survey"},
            },
            "authorships": [
                {
                    "author": {"display_name": "Askar Nursha"},
                    "institutions": [
                        {"display_name": "Kazakhstan Institute for Strategic Studies"}
                    ],
                },
                {"author": {"display_name": "Olga Petrova"}, "institutions": []},
            ],
        }
    ]
}

FILES = {
    "bibtex": (BIBTEX, "application/x-bibtex"),
    "ris": (RIS, "application/x-research-info-systems"),
    "csl-json": (json.dumps(CSL, ensure_ascii=False), "application/json"),
    "openalex": (json.dumps(OPENALEX), "application/json"),
}


def post(caller_, fmt, body=None, content_type=None, **params):
    text, ctype = FILES.get(fmt, (None, None))
    return caller_.post(
        "/api/v1/publications/import",
        query_string={"format": fmt, **params},
        data=(body if body is not None else text).encode(),
        content_type=content_type or ctype,
    )


@pytest.fixture
def organiser(caller, make_user):
    return caller(make_user("organiser"))


def count(db_session) -> int:
    return db_session.scalar(sa.select(sa.func.count(Publication.id)))


def test_bibtex_with_a_stored_duplicate(organiser, db_session):
    # The seeds leave Nursha's KazISS affiliation undated and unassumed (it places him on no
    # day); an editor assuming it lets the importer read it as his affiliation in 2024.
    nursha = db_session.scalars(sa.select(Expert).filter_by(full_name="Askar Nursha")).one()
    for affiliation in nursha.affiliations:
        affiliation.assumed = True
    before = count(db_session)
    response = post(organiser, "bibtex")
    assert response.status_code == 201
    report = response.get_json()
    assert report["created"] == 1
    assert [s["reason"] for s in report["skipped"]] == ["already stored"]  # the Regnum report
    (new_id,) = report["publication_ids"]
    assert count(db_session) == before + 1
    authors = db_session.scalars(
        sa.select(Authorship).filter_by(publication_id=new_id).order_by(Authorship.position)
    ).all()
    assert authors[0].expert.full_name == "Askar Nursha"
    assert authors[0].centre.acronym == "KazISS"  # his affiliation on the date
    assert authors[1].expert_id is None and authors[1].raw_name == "Aigerim Seitkali"
    assert report["matched_authors"] == 1
    assert report["unmatched_authors"][0]["name"] == "Aigerim Seitkali"


def test_organisations_languages_and_types_are_stored_as_parsed(organiser, db_session, monkeypatch):
    """What a parser says of a record is kept: an organisation is stored as one, never
    matched to an expert of the same name nor offered as an unmatched person."""
    read = parsers.PARSERS["csl-json"]

    def read_one_as_an_organisation(text):
        parsed = read(text)
        # The records themselves, or a ParsedFile holding them (the reworked importer's).
        record = getattr(parsed, "records", parsed)[0]
        record.authors[0].organisation = True
        record.csl_type = "paper-conference"  # as the reworked CSL reader gives it
        return parsed

    monkeypatch.setitem(parsers.PARSERS, "csl-json", read_one_as_an_organisation)
    item = {
        "title": "Kazakhstan and Russia after 2022",
        "type": "paper-conference",
        "issued": {"date-parts": [[2024]]},
        "language": "kk",
        "author": [{"given": "Askar", "family": "Nursha"}] * 2,
    }
    response = post(organiser, "csl-json", json.dumps([item]))
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert (report["matched_authors"], report["unmatched_authors"]) == (1, [])
    publication = db_session.get(Publication, report["publication_ids"][0])
    assert (publication.language, publication.csl_type) == ("kk", "paper-conference")
    assert [(a.raw_name, a.organisation, a.expert is None) for a in publication.authorships] == [
        ("Askar Nursha", True, True),
        (None, False, False),
    ]


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_every_format_imports_once(organiser, db_session, fmt):
    first = post(organiser, fmt)
    assert first.status_code in (200, 201), first.get_json()
    before = count(db_session)
    again = post(organiser, fmt)
    assert again.status_code == 200
    assert again.get_json()["created"] == 0
    assert count(db_session) == before


def test_authors_match_across_scripts(organiser, db_session):
    report = post(organiser, "csl-json").get_json()
    (pid,) = report["publication_ids"]
    first = db_session.scalars(
        sa.select(Authorship).filter_by(publication_id=pid, position=1)
    ).one()
    assert first.expert.full_name == "Yuri Solozobov"
    assert db_session.get(Publication, pid).published_on.isoformat() == "2022-05-17"


def test_unmatched_author_gets_a_suggestion(organiser):
    body = json.dumps(
        [{**CSL[0], "DOI": "10.5555/other", "author": [{"family": "Shibutof", "given": "Marat"}]}]
    )
    report = post(organiser, "csl-json", body).get_json()
    assert report["unmatched_authors"][0]["suggestion"]["full_name"] == "Marat Shibutov"


def test_dry_run_writes_nothing(organiser, db_session):
    before = count(db_session)
    report = post(organiser, "openalex", dry_run="true").get_json()
    assert report["dry_run"] is True and report["created"] == 1
    assert report["publication_ids"] == []
    assert count(db_session) == before


@pytest.mark.parametrize(
    ("fmt", "body", "line"),
    [
        (
            "bibtex",
            "@article{ok, title={Fine}, year={2020}}\n@article{bad, title={Broken, year=2019\n",
            2,
        ),
        ("bibtex", "@article{a, title={No year at all}}\n", 1),
        # Text between RIS records is skipped as rispy skips it (test_import_real_files).
        ("ris", "TY  - JOUR\nTI  - No end\nPY  - 2020\n", 1),
        ("csl-json", '[{"title": "x", "issued": {"date-parts": [[2020]]}},\n {"title": "x"', 2),
        ("csl-json", '[{"title": "", "issued": {"date-parts": [[2020]]}}]', None),
        (
            "openalex",
            '{"results": [{"title": "x", "publication_year": 2020, "doi": "nope"}]}',
            None,
        ),
    ],
)
def test_malformed_files_are_422_naming_record_and_line(organiser, db_session, fmt, body, line):
    before = count(db_session)
    response = post(organiser, fmt, body, "text/plain")
    assert response.status_code == 422
    records = response.get_json()["errors"]["records"]
    assert records
    if line is not None:
        assert line in [r["line"] for r in records.values()]
    assert count(db_session) == before


def test_import_needs_an_organiser(caller, make_user):
    assert post(caller(make_user()), "bibtex").status_code == 403
    assert post(caller(), "bibtex").status_code == 401


def test_unknown_format_is_422(organiser):
    assert post(organiser, "endnote", "x", "text/plain").status_code == 422


def _csl(**fields) -> str:
    return json.dumps([{"title": "A title", "issued": {"date-parts": [[2020]]}, **fields}])


def _openalex(**fields) -> str:
    return json.dumps({"results": [{"title": "A title", "publication_year": 2020, **fields}]})


LONG_DOI = "10.1234/" + "d" * 300


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        # CSL dates of the wrong shape are no date, so no year.
        ("csl-json", json.dumps([{"title": "t", "issued": "2020"}])),
        ("csl-json", json.dumps([{"title": "t", "issued": {"date-parts": 5}}])),
        ("csl-json", json.dumps([{"title": "t", "issued": {"date-parts": {"a": 1}}}])),
        ("csl-json", json.dumps([{"title": "t", "issued": {"date-parts": [[10**20, 1, 1]]}}])),
        ("csl-json", json.dumps([{"title": {"a": 1}, "issued": {"date-parts": [[2020]]}}])),
        # JSON Python refuses to read: nested too deep, an integer of too many digits.
        ("csl-json", "[" * 100_000 + "]" * 100_000),
        ("openalex", "[" * 100_000 + "]" * 100_000),
        ("csl-json", "[" + "1" * 5000 + "]"),
        # Half a UTF-16 pair (json.dumps escapes it): no database can store it.
        ("csl-json", _csl(title="Broken \ud800 title")),
        ("openalex", _openalex(authorships=[{"author": {"display_name": "A \udc00"}}])),
        # LaTeX pylatexenc cannot read (it raises an IndexError).
        ("bibtex", "@article{a, title={\\href{x}}, year={2020}}\n"),
        # A DOI longer than the column.
        ("csl-json", _csl(DOI=LONG_DOI)),
        ("openalex", _openalex(doi=LONG_DOI)),
        ("bibtex", f"@article{{a, title={{t}}, year={{2020}}, doi={{{LONG_DOI}}}}}\n"),
        ("ris", f"TY  - JOUR\nTI  - t\nPY  - 2020\nDO  - {LONG_DOI}\nER  -\n"),
    ],
)
def test_malformed_values_are_422_not_500(organiser, db_session, fmt, body):
    before = count(db_session)
    response = post(organiser, fmt, body, "text/plain")
    assert response.status_code == 422, response.get_json()
    error = response.get_json()
    assert set(error) >= {"code", "status", "message", "errors"}
    assert error["errors"]["records"]["0"]["message"]
    assert count(db_session) == before


@pytest.mark.parametrize(
    "fields",
    [
        {"primary_location": "x"},
        {"primary_location": {"source": "x", "landing_page_url": ["x"]}},
        {"authorships": [{"author": "x", "raw_author_name": "Anna Raw"}]},
        {"authorships": [{"author": {"display_name": "Anna Raw"}, "institutions": "abc"}]},
        {"authorships": [{"author": {"display_name": "Anna Raw"}, "institutions": [5]}]},
        {"authorships": "x", "id": {"a": 1}},
    ],
)
def test_openalex_values_of_the_wrong_type_count_as_missing(organiser, db_session, fields):
    response = post(organiser, "openalex", _openalex(**fields))
    assert response.status_code == 201, response.get_json()
    (pid,) = response.get_json()["publication_ids"]
    publication = db_session.get(Publication, pid)
    assert publication.venue is None and publication.url is None
    assert [a.raw_name for a in publication.authorships] in ([], ["Anna Raw"])


def test_a_csl_day_out_of_range_keeps_the_year(organiser, db_session):
    response = post(organiser, "csl-json", _csl(issued={"date-parts": [[2020, 10**20, 1]]}))
    assert response.status_code == 201, response.get_json()
    (pid,) = response.get_json()["publication_ids"]
    publication = db_session.get(Publication, pid)
    assert (publication.year, publication.published_on) == (2020, None)


def test_bibtex_urls_are_verbatim_and_braced_names_whole(organiser, db_session):
    body = (
        "@techreport{r, title={Sdelano v {KZ}}, year={2021},"
        " author={{Smith and Sons} and Doe, John},"
        " url={https://example.org/%D0%9F~x}, doi={10.5555/a\\_b}}\n"
    )
    response = post(organiser, "bibtex", body)
    assert response.status_code == 201, response.get_json()
    (pid,) = response.get_json()["publication_ids"]
    publication = db_session.get(Publication, pid)
    assert publication.url == "https://example.org/%D0%9F~x"  # no LaTeX comment, no tie
    assert publication.doi == "10.5555/a_b"
    assert [a.raw_name for a in publication.authorships] == ["Smith and Sons", "John Doe"]
