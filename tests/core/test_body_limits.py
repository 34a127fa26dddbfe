"""Bodies are held to their limit whether sent with Content-Length or chunked: 413, whole.

gunicorn and ``flask run`` de-chunk the body and set ``wsgi.input_terminated``; the tests
send the same environ through the test client.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.models import Centre, Publication
from tests.core.test_errors import assert_error

CHUNKED = {"headers": {"Transfer-Encoding": "chunked"}}
TERMINATED = {"wsgi.input_terminated": True}


def bibtex(entries: int) -> bytes:
    return "".join(
        f"@article{{k{n}, title = {{Chunked work {n}}}, author = {{Doe, Jane}}, year = {{2020}}}}\n"
        for n in range(entries)
    ).encode()


def send_chunked(caller_, url: str, body: bytes, *, terminated: bool = True, **kwargs):
    return caller_.post(
        url,
        input_stream=io.BytesIO(body),
        environ_base=TERMINATED if terminated else {},
        **CHUNKED,
        **kwargs,
    )


def import_chunked(caller_, body: bytes, **kwargs):
    return send_chunked(
        caller_,
        "/api/v1/publications/import?format=bibtex",
        body,
        content_type="application/x-bibtex",
        **kwargs,
    )


@pytest.fixture
def organiser(caller, make_user):
    return caller(make_user("organiser"))


def count(db_session, model) -> int:
    return db_session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def small_imports(app, monkeypatch):
    """Imports of at most 2,000 bytes, so the files stay small."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 2_000)
    return 2_000


def test_a_chunked_import_over_the_limit_is_413_and_writes_nothing(
    organiser, db_session, small_imports
):
    body = bibtex(40)
    assert len(body) > small_imports
    before = count(db_session, Publication)
    error = assert_error(import_chunked(organiser, body), 413)
    assert "2000 bytes" in error["message"]
    assert error["errors"] == {"body": ["At most 2000 bytes."]}
    assert count(db_session, Publication) == before


def test_a_chunked_import_within_the_limit_is_read_whole(organiser, db_session, small_imports):
    body = bibtex(20)
    assert len(body) <= small_imports
    response = import_chunked(organiser, body)
    assert response.status_code == 201
    assert response.get_json()["created"] == 20  # not a record lost at the end


def test_an_import_with_content_length_over_the_limit_is_413_naming_it(
    organiser, db_session, small_imports
):
    before = count(db_session, Publication)
    response = organiser.post(
        "/api/v1/publications/import?format=bibtex",
        data=bibtex(40),
        content_type="application/x-bibtex",
    )
    assert "2000 bytes" in assert_error(response, 413)["message"]
    assert count(db_session, Publication) == before


def test_a_chunked_json_body_over_the_limit_is_413(organiser, db_session, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1_000)
    before = count(db_session, Centre)
    body = b'{"name_en": "' + b"x" * 2_000 + b'", "country": "KZ", "kind": "independent"}'
    response = send_chunked(organiser, "/api/v1/centres", body, content_type="application/json")
    assert_error(response, 413)
    assert count(db_session, Centre) == before


def test_a_chunked_json_body_within_the_limit_is_read(organiser):
    response = send_chunked(
        organiser, "/api/v1/centres", b'{"name_en": 5}', content_type="application/json"
    )
    # Read and validated as JSON: a 422 about the field, not a 400 about an empty body.
    assert "name_en" in assert_error(response, 422)["errors"]["json"]


def test_a_chunked_json_body_with_nul_is_refused(organiser):
    response = send_chunked(
        organiser, "/api/v1/centres", b'{"name_en": "a\\u0000"}', content_type="application/json"
    )
    assert_error(response, 422)


def test_a_server_that_does_not_end_chunked_bodies_gets_411(organiser, db_session):
    before = count(db_session, Publication)
    response = import_chunked(organiser, bibtex(2), terminated=False)
    assert_error(response, 411)
    assert count(db_session, Publication) == before


def test_percent_zero_zero_in_json_is_text_not_nul(organiser, db_session):
    # Only a form encodes NUL as %00; in JSON it is three characters of a name.
    response = organiser.post(
        "/api/v1/centres", json={"name_en": "Centre %00", "country": "KZ", "kind": "independent"}
    )
    assert response.status_code == 201, response.get_json()
