"""Search that crosses scripts, table-driven, through the list endpoints."""

from __future__ import annotations

import pytest

from tests import factories as f

CASES = [
    ("experts", "Шибутов", "Marat Shibutov"),
    ("experts", "shibutov", "Marat Shibutov"),
    ("experts", "Şibutov", "Marat Shibutov"),
    ("experts", "solozobov", "Yuri Solozobov"),
    ("experts", "Солозобов Юрий", "Yuri Solozobov"),
    ("experts", "Ileuova", "Gulmira Ileuova"),
    ("experts", "Илеуова", "Gulmira Ileuova"),
    ("experts", "Нұрша", "Askar Nursha"),
    ("experts", "Poletaev", "Eduard Poletayev"),
    ("experts", "ashimbaev daniiar", "Daniyar Ashimbayev"),
    ("experts", "Shibutof", "Marat Shibutov"),  # a typo: found by the fuzzy pass
    ("centres", "ИМЭМО", "IMEMO"),
    ("centres", "imemo", "IMEMO"),
    ("centres", "мгимо", "MGIMO"),
    ("centres", "Казахстанский институт стратегических", "KazISS"),
    ("centres", "Kaspiiskii institut", "KISI"),
]


def first_hit(client, collection: str, query: str) -> dict:
    response = client.get(f"/api/v1/{collection}", query_string={"q": query})
    assert response.status_code == 200
    hits = response.get_json()
    assert hits, f"nothing found for {query!r}"
    return hits[0]


@pytest.mark.parametrize(("collection", "query", "expected"), CASES)
def test_search_finds_across_scripts(client, collection, query, expected):
    hit = first_hit(client, collection, query)
    assert expected in (hit.get("full_name"), hit.get("acronym"))


def test_kazakh_letters_found_from_latin(client, db_session):
    f.ExpertFactory(full_name="Қайрат Жұмабеков", other_names=[])
    assert first_hit(client, "experts", "Kairat Zhumabekov")["full_name"] == "Қайрат Жұмабеков"
    assert first_hit(client, "experts", "Qairat Jumabekov")["full_name"] == "Қайрат Жұмабеков"


def test_ranking_is_exact_then_prefix_then_fuzzy(client, db_session):
    for name in ("Nurlanova Aigerim", "Nurlan Omarov", "Nurlanbekov Daniyar", "Nurlam Seitkali"):
        f.ExpertFactory(full_name=name, other_names=[])
    names = [
        e["full_name"]
        for e in client.get("/api/v1/experts", query_string={"q": "Nurlan"}).get_json()
    ]
    assert names[0] == "Nurlan Omarov"  # exact word
    assert set(names[1:3]) == {"Nurlanova Aigerim", "Nurlanbekov Daniyar"}  # prefixes
    assert names[3] == "Nurlam Seitkali"  # fuzzy


def test_absent_names_find_nothing(client):
    assert client.get("/api/v1/experts", query_string={"q": "Zzyzx Qwv"}).get_json() == []


def test_search_follows_edits(client, db_session):
    expert = f.ExpertFactory(full_name="Temporary Name", other_names=[])
    db_session.flush()
    expert.other_names = ["Айдар Оспанов"]
    db_session.flush()
    assert first_hit(client, "experts", "Aidar Ospanov")["id"] == expert.id


def test_publication_titles_are_searchable(client):
    hit = first_hit(client, "publications", "dorozhnaya karta")
    assert hit["kind"] == "report"


@pytest.mark.parametrize("layers", [1, 2])
def test_raw_utf8_query_strings_are_percent_encoded(layers):
    """curl sends "?q=Шибутов" unencoded; WSGI hands it over as latin-1 text, and Werkzeug's
    development server wraps it a second time."""
    from app.core.requests import PercentEncodeQuery

    query = "q=Шибутов&x=café"
    for _ in range(layers):
        query = query.encode().decode("latin-1")
    seen = {}
    PercentEncodeQuery(lambda environ, _start: seen.update(environ))({"QUERY_STRING": query}, None)
    assert seen["QUERY_STRING"] == "q=%D0%A8%D0%B8%D0%B1%D1%83%D1%82%D0%BE%D0%B2&x=caf%C3%A9"
