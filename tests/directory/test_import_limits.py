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
