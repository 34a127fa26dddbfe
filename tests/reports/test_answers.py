"""Every report's JSON answer has exactly the shape the OpenAPI document gives it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import jsonschema
import openpyxl
import pytest
import sqlalchemy as sa

from app.models import Forum
from tests import factories as f
from tests.reports.helpers import URL, member, new_centre, shared_session, topic

ANSWERS = {
    "coverage": "CoverageAnswer",
    "gaps": "GapsAnswer",
    "topics": "TopicsAnswer",
    "regions": "RegionsAnswer",
    "trend": "TrendAnswer",
    "visibility": "VisibilityAnswer",
    "generations": "GenerationsAnswer",
    "systematic": "SystematicAnswer",
    "recommendations": "RecommendationsAnswer",
    "findings": "FindingsAnswer",
}


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema: the same, or null."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def components(app) -> dict:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    return _json_schema(document["components"])


@pytest.fixture
def generation(db_session):
    """Five Kazakh experts of the 1990s and one Russian, in a published session: one group
    shown, one suppressed."""
    people = [f.ExpertFactory(country_code="KZ", birth_year=1990 + i) for i in range(5)]
    people.append(f.ExpertFactory(country_code="RU", birth_year=1975))
    shared_session(dt.date(2023, 5, 17), *people)
    db_session.flush()


@pytest.fixture
def gap_to_close(db_session):
    """An untied pair sharing three topics, each with a member dated in post: the top gap,
    with a pair to propose (the seeds' affiliations are undated, so they propose nobody)."""
    shared = [topic(slug) for slug in ("energy", "industry", "agriculture")]
    for country in ("RU", "KZ"):
        member(new_centre(country, f"{country}-GAP", topics=shared), topics=shared)
    db_session.flush()


@pytest.mark.parametrize("name", ANSWERS)
def test_the_answer_fits_its_documented_shape(
    organiser, components, years_of_ties, generation, gap_to_close, db_session, name
):
    query = {}
    if name == "recommendations":
        query["forum"] = db_session.scalar(sa.select(Forum.id).order_by(Forum.id).limit(1))
    response = organiser.get(f"{URL}/{name}", query_string=query)
    assert response.status_code == 200
    answer = response.get_json()
    schema = {"$ref": f"#/components/schemas/{ANSWERS[name]}", "components": components}
    jsonschema.validate(answer, schema, cls=jsonschema.Draft7Validator)
    tables = [v for v in answer.values() if isinstance(v, list)]
    assert any(tables), "a shape checked on empty tables proves little"


JSON_ONLY = {"findings"}  # no table to download


@pytest.mark.parametrize("name", ANSWERS)
def test_every_answer_says_what_a_reader_must_know(organiser, name):
    """Each report answers a ``notes`` list of plain sentences, in the JSON and in XLSX."""
    answer = organiser.get(f"{URL}/{name}").get_json()
    assert answer["notes"], f"{name} answers no notes"
    assert all(isinstance(n, str) and n.strip() and n[0].isupper() for n in answer["notes"])
    if name in JSON_ONLY:
        return
    book = openpyxl.load_workbook(
        io.BytesIO(organiser.get(f"{URL}/{name}", query_string={"format": "xlsx"}).data)
    )
    told = [row[2] for row in book["summary"].iter_rows(values_only=True) if row[0] == "notes"]
    assert told == answer["notes"]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("visibility", ["catalogued output only", "departmental"]),
        ("systematic", ["catalogued centres only", "2 of 2 Kazakh"]),
        ("coverage", ["centres, experts and joint work in the directory"]),
    ],
)
def test_catalogue_bound_answers_say_they_count_the_catalogue_only(organiser, name, says):
    text = " ".join(organiser.get(f"{URL}/{name}").get_json()["notes"])
    for words in says:
        assert words in text
