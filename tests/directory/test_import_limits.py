"""Imports are bounded by records as well as bytes: a file past IMPORT_MAX_RECORDS is
refused whole with 413 before it is parsed; a file at the limit is imported."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.models import Publication
from tests.core.test_errors import assert_error

LIMIT = 3


def work(n: int) -> dict:
    return {"title": f"Bounded work {n}", "year": 2020, "doi": f"10.5555/bounded.{n}"}


def bibtex(n: int) -> str:
    return "\n".join(
        f"@article{{b{i}, title = {{{w['title']}}}, author = {{Doe, Jane}}, year = {{2020}},"
        f" doi = {{{w['doi']}}}}}"
        for i, w in ((i, work(i)) for i in range(n))
    )


def ris(n: int) -> str:
    return "".join(
        f"TY  - JOUR\nTI  - {work(i)['title']}\nAU  - Doe, Jane\nPY  - 2020\n"
        f"DO  - {work(i)['doi']}\nER  - \n"
        for i in range(n)
    )


def csl(n: int) -> str:
    return json.dumps(
        [
            {
                "type": "article",
                "title": work(i)["title"],
                "DOI": work(i)["doi"],
                "issued": {"date-parts": [[2020]]},
            }
            for i in range(n)
        ]
    )


def openalex(n: int) -> str:
    return json.dumps(
        {
            "results": [
                {"title": work(i)["title"], "publication_year": 2020, "doi": work(i)["doi"]}
                for i in range(n)
            ]
        }
    )


FILES = {"bibtex": bibtex, "ris": ris, "csl-json": csl, "openalex": openalex}


@pytest.fixture
def organiser(caller, make_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_RECORDS", LIMIT)
    return caller(make_user("organiser"))


def post(caller_, fmt: str, text: str, **params):
    return caller_.post(
        "/api/v1/publications/import",
        query_string={"format": fmt, **params},
        data=text.encode(),
        content_type="text/plain",
    )


def count(db_session) -> int:
    return db_session.scalar(sa.select(sa.func.count(Publication.id)))


@pytest.mark.parametrize("fmt", sorted(FILES))
@pytest.mark.parametrize("dry_run", [False, True])
def test_one_record_past_the_limit_is_413_and_writes_nothing(organiser, db_session, fmt, dry_run):
    before = count(db_session)
    response = post(organiser, fmt, FILES[fmt](LIMIT + 1), dry_run=dry_run)
    error = assert_error(response, 413)
    assert "IMPORT_MAX_RECORDS" in error["message"]
    assert error["errors"] == {"records": [f"At most {LIMIT} records; this file has {LIMIT + 1}."]}
    assert count(db_session) == before


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_a_file_at_the_limit_is_imported(organiser, db_session, fmt):
    before = count(db_session)
    response = post(organiser, fmt, FILES[fmt](LIMIT))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["created"] == LIMIT
    assert count(db_session) == before + LIMIT


def test_bibtex_strings_preambles_and_comments_are_not_records(organiser):
    text = "@string{j = {Journal}}\n@preamble{{x}}\n@comment{note}\n" + bibtex(LIMIT)
    assert post(organiser, "bibtex", text).status_code == 201


def test_bibtex_entries_on_one_line_are_all_counted(organiser):
    one_line = bibtex(LIMIT + 1).replace("\n", " ")
    assert_error(post(organiser, "bibtex", one_line), 413)


def test_a_malformed_json_file_is_still_422(organiser):
    assert_error(post(organiser, "csl-json", '[{"title": "x"'), 422)


def test_a_bibtex_entry_past_its_length_is_413(organiser, db_session):
    from app.publications.parsers import MAX_BIBTEX_ENTRY

    before = count(db_session)
    huge = "@article{h, title = {Huge}, year = {2020}, abstract = {" + "x" * MAX_BIBTEX_ENTRY + "}}"
    error = assert_error(post(organiser, "bibtex", huge), 413)
    assert str(MAX_BIBTEX_ENTRY) in error["message"]
    assert count(db_session) == before


# bibtexparser takes any "@" + word characters (none at all, too) + "{" or "(" as an
# entry, so the counter may not ask for an ASCII letter first.
ODD_TYPES = ["1x", "статья", "", "_"]


@pytest.mark.parametrize("entry_type", ODD_TYPES)
def test_bibtex_entries_of_any_type_are_counted(organiser, db_session, entry_type):
    before = count(db_session)
    text = bibtex(LIMIT + 1).replace("@article{", f"@{entry_type}{{")
    error = assert_error(post(organiser, "bibtex", text), 413)
    assert "IMPORT_MAX_RECORDS" in error["message"]
    assert count(db_session) == before


@pytest.mark.parametrize("entry_type", ODD_TYPES)
def test_a_long_bibtex_entry_of_any_type_is_413(organiser, db_session, entry_type):
    from app.publications.parsers import MAX_BIBTEX_ENTRY

    before = count(db_session)
    huge = f"@{entry_type}{{h, title = {{Huge}}, year = {{2020}}, abstract = {{"
    huge += "x" * MAX_BIBTEX_ENTRY + "}}"
    error = assert_error(post(organiser, "bibtex", huge), 413)
    assert str(MAX_BIBTEX_ENTRY) in error["message"]
    assert count(db_session) == before


@pytest.mark.parametrize(
    "fake_start",
    [" @x{y} ", "\n@a-b{y}\n", "\n @ x{y}\n"],
    ids=["mid-line start", "not a type at a line start", "space after @"],
)
def test_entry_starts_the_parser_reads_as_text_do_not_shorten_an_entry(
    organiser, db_session, app, monkeypatch, fake_start
):
    """Inside a value these are text to the parser: splitting the length there would let
    one entry of any length through in pieces, under a record limit of the default size."""
    from app.publications.parsers import MAX_BIBTEX_ENTRY

    monkeypatch.setitem(app.config, "IMPORT_MAX_RECORDS", 2000)
    before = count(db_session)
    pieces = fake_start.join(["x" * 1000] * (MAX_BIBTEX_ENTRY // 1000 + 1))
    huge = "@article{h, title = {Huge}, year = {2020}, abstract = {" + pieces + "}}"
    error = assert_error(post(organiser, "bibtex", huge), 413)
    assert str(MAX_BIBTEX_ENTRY) in error["message"]
    assert count(db_session) == before


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\x0b", "\x1e", "\u2028"])
def test_ris_records_are_counted_across_every_line_ending_the_reader_splits_on(
    organiser, db_session, ending
):
    before = count(db_session)
    text = ris(LIMIT + 1).replace("\n", ending)
    error = assert_error(post(organiser, "ris", text), 413)
    assert error["errors"] == {"records": [f"At most {LIMIT} records; this file has {LIMIT + 1}."]}
    assert count(db_session) == before


@pytest.mark.parametrize("ending", ["\r", "\r\n"])
def test_ris_at_the_limit_with_other_line_endings_is_imported(organiser, ending):
    response = post(organiser, "ris", ris(LIMIT).replace("\n", ending))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["created"] == LIMIT


@pytest.mark.parametrize("entry_type", ["1x", "статья"])
def test_bibtex_at_the_limit_with_odd_types_is_imported(organiser, entry_type):
    response = post(organiser, "bibtex", bibtex(LIMIT).replace("@article{", f"@{entry_type}{{"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["created"] == LIMIT


def test_an_openalex_work_on_its_own_is_one_record(organiser):
    work_ = json.loads(openalex(1))["results"][0]
    response = post(organiser, "openalex", json.dumps(work_))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["created"] == 1
