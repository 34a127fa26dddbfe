"""JSON responses through orjson (app.core.jsonresponse) read byte for byte as Flask's own."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import uuid

import pytest
from flask.json.provider import DefaultJSONProvider

from app.core.jsonresponse import OrjsonProvider


class Kind(enum.StrEnum):
    REPORT = "report"


@dataclasses.dataclass
class Point:
    x: int
    label: str


class Markup:
    def __html__(self):
        return "<b>safe</b>"


PAYLOADS = [
    {
        "b": 1,
        "a": [1, 2.5, -0.0, 0.1 + 0.2, 1e16, 123456.789, None, True, False],
        "c": {"z": "", "y": {}},
    },
    [{"full_name": "Әділ Әбдірахманов", "other_names": ["Адиль"], "q": 'a "quoted" \\ \n'}],
    {"emoji": "🙂", "control": "\x00\x1f\u2028", "kind": Kind.REPORT},
    {"when": dt.datetime(2026, 12, 5, 7, 30, tzinfo=dt.UTC), "day": dt.date(2026, 2, 28)},
    {"amount": decimal.Decimal("1.10"), "id": uuid.UUID(int=7), "point": Point(1, "x")},
    {"html": Markup()},
    {1: "one", 10: "ten", 9: "nine"},  # keys not strings: json's own rules
    {"big": 2**70},
    [],
    None,
    "text",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_response_reads_as_flasks_own(app, payload):
    ours, flasks = OrjsonProvider(app), DefaultJSONProvider(app)
    for provider in (ours, flasks):
        provider.ensure_ascii = False
    with app.app_context():
        got, expected = ours.response(payload), flasks.response(payload)
    assert got.get_data() == expected.get_data()
    assert got.mimetype == expected.mimetype == "application/json"


def test_small_floats_are_the_same_numbers_spelt_shorter(app):
    """json writes 1e-07 where orjson writes 1e-7: the same number to any JSON reader.
    (Also that the tests' app is not in debug, where Flask's own provider answers.)"""
    numbers = [1e-7, 2.5e-12, 1.0000001e-5]
    ours = OrjsonProvider(app)
    ours.ensure_ascii = False
    with app.app_context():
        got = ours.response(numbers)
    assert got.get_json() == numbers
    assert got.get_data() == b"[1e-7,2.5e-12,0.000010000001]\n"


def test_the_app_answers_through_it(app, client):
    assert isinstance(app.json, OrjsonProvider)
    response = client.get("/api/v1/countries")
    assert response.status_code == 200
    flasks = DefaultJSONProvider(app)
    flasks.ensure_ascii = False
    with app.app_context():
        assert response.get_data() == flasks.response(response.get_json()).get_data()
