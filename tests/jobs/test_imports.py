"""Publication imports past ``JOBS_IMPORT_INLINE_BYTES`` as jobs (run eagerly here): 202,
the job's result the report the endpoint answers for a small file, its error the 422 it
answers; ``Prefer: wait`` answers the report."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.models import Publication
from app.publications import import_job
from tests.directory.test_import import BIBTEX, post


@pytest.fixture
def organiser(caller, make_user):
    return caller(make_user("organiser"))


@pytest.fixture
def inline_bytes(app, monkeypatch):
    """Imports of more than 100 bytes become jobs."""
    monkeypatch.setitem(app.config, "JOBS_IMPORT_INLINE_BYTES", 100)


def titles(db_session) -> set[str]:
    return set(db_session.scalars(sa.select(Publication.title)))


def test_a_small_import_answers_at_once(organiser, app, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_IMPORT_INLINE_BYTES", len(BIBTEX.encode()))
    assert post(organiser, "bibtex").status_code == 201


def test_a_large_import_is_a_job_whose_result_is_the_report(organiser, inline_bytes, db_session):
    accepted = post(organiser, "bibtex")
    assert accepted.status_code == 202
    job = accepted.get_json()
    assert accepted.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert job["kind"] == "publications.import" and job["status"] == "succeeded", job
    report = job["result"]
    assert report["created"] == 1 and report["dry_run"] is False
    assert [s["reason"] for s in report["skipped"]] == ["already stored"]
    assert report["unmatched_authors"][0]["name"] == "Aigerim Seitkali"
    assert "Kazakhstan and Russia after 2022: a view from Astana" in titles(db_session)
    assert organiser.get(f"/api/v1/jobs/{job['id']}").get_json()["result"] == report


def test_prefer_wait_answers_the_report(organiser, inline_bytes, db_session):
    before = titles(db_session)
    answer = post_waiting(organiser, dry_run="true")
    assert answer.status_code == 200 and answer.headers["Preference-Applied"] == "wait=10"
    assert answer.get_json()["dry_run"] is True and answer.get_json()["created"] == 1
    assert titles(db_session) == before


def test_a_malformed_large_import_fails_with_the_422_and_writes_nothing(
    organiser, inline_bytes, db_session
):
    before = titles(db_session)
    body = "@article{ok, title={Fine}, year={2020}}\n@article{bad, title={Broken, year=2019\n"
    inline = post(organiser, "bibtex", body, "text/plain", dry_run="true")
    waited = post_waiting(organiser, body)
    assert waited.status_code == 422
    assert waited.get_json()["errors"] == inline.get_json()["errors"]
    assert titles(db_session) == before


def post_waiting(caller_, body=None, **params):
    return caller_.post(
        "/api/v1/publications/import",
        query_string={"format": "bibtex", **params},
        data=(body or BIBTEX).encode(),
        content_type="application/x-bibtex",
        headers={"Prefer": "wait=10"},
    )


def test_the_upload_is_kept_compressed_and_read_back_alike():
    text = BIBTEX * 50
    kept = import_job.params("bibtex", text, dry_run=False)
    assert "text" not in kept and len(kept["text_zlib"]) < len(text.encode()) / 4
    assert import_job.upload(kept) == text
    # A job queued before uploads were compressed still runs.
    assert import_job.upload({"format": "bibtex", "text": text}) == text
