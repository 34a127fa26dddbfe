"""CSV exports quote cells a spreadsheet would run as formulas (OWASP "CSV Injection")."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from app.core.csvcells import neutralise
from tests import factories as f

DANGEROUS = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(1)", "\tx", "\rx"]
ORDINARY = ["Institute of World Economy", "Шибутов", "a=b", "x-1", "", "'quoted"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_formula_start_gets_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [*ORDINARY, -2, 1.5, None, True])
def test_ordinary_values_are_unchanged(value):
    assert neutralise(value) == value


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


@pytest.fixture
def named_centres(db_session):
    """A Kazakh centre named after each dangerous and each ordinary value."""
    centres = {text: f.CentreFactory(country_code="KZ", name_en=text) for text in DANGEROUS}
    centres |= {text: f.CentreFactory(country_code="KZ", name_en=text) for text in ORDINARY[:3]}
    db_session.flush()
    return centres


def test_list_csv_quotes_formulas_and_keeps_the_rest(caller, named_centres):
    response = caller().get("/api/v1/centres", query_string={"country": "KZ", "format": "csv"})
    assert response.status_code == 200
    names = {int(row["id"]): row["name_en"] for row in read_csv(response.get_data(as_text=True))}
    for text, centre in named_centres.items():
        expected = "'" + text if text in DANGEROUS else text
        assert names[centre.id] == expected


def joint_publication(*centres) -> None:
    publication = f.PublicationFactory(year=2021, published_on=dt.date(2021, 3, 1))
    for position, where in enumerate(centres, 1):
        author = f.ExpertFactory(country_code=where.country_code)
        f.AuthorshipFactory(publication=publication, expert=author, centre=where, position=position)


def test_report_csv_quotes_formulas(caller, make_user, db_session):
    ru = f.CentreFactory(country_code="RU", acronym="RU-X", name_en="Plain Russian Centre")
    for n, text in enumerate(DANGEROUS):
        joint_publication(ru, f.CentreFactory(country_code="KZ", acronym=f"KZ-{n}", name_en=text))
    response = caller(make_user("organiser")).get(
        "/api/v1/reports/coverage", query_string={"format": "csv"}
    )
    assert response.status_code == 200
    rows = read_csv(response.get_data(as_text=True))
    rows = [r for r in rows if r["ru_centre.acronym"] == "RU-X"]
    assert sorted(r["kz_centre.name_en"] for r in rows) == sorted("'" + t for t in DANGEROUS)
    assert {r["ru_centre.name_en"] for r in rows} == {"Plain Russian Centre"}
    assert {r["publications"] for r in rows} == {"1"}
