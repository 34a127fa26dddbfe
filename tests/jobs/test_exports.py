"""Full exports as jobs (run eagerly here): past ``JOBS_EXPORT_INLINE_ROWS`` a logged-in
user's export answers 202 and its job's file is served from the database, the same bytes
the export streams when small; ``Prefer: wait`` answers the file; files expire."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from app.extensions import db
from app.jobs import exports, files, queue
from app.jobs.models import Job, JobFile, JobStatus
from app.jobs.runner import JobContext
from app.models import User
from tests import factories as f

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def inline_rows(app, monkeypatch):
    """``inline_rows(n)``: exports of more than ``n`` rows become jobs."""

    def limit(rows: int) -> None:
        monkeypatch.setitem(app.config, "JOBS_EXPORT_INLINE_ROWS", rows)

    return limit


def streamed_then_job(who, inline_rows, url, query):
    """The export streamed (under the limit), then as a job (over it)."""
    inline_rows(1_000_000)
    small = who.get(url, query_string=query)
    assert small.status_code == 200, small.get_json()
    inline_rows(0)  # any row
    accepted = who.get(url, query_string=query)
    assert accepted.status_code == 202, accepted.get_data(as_text=True)[:300]
    return small, accepted


@pytest.mark.parametrize(
    ("url", "fmt", "content_type", "filename"),
    [
        ("/api/v1/experts", "csv", "text/csv; charset=utf-8", "experts.csv"),
        ("/api/v1/centres", "csv", "text/csv; charset=utf-8", "centres.csv"),
        ("/api/v1/publications", "csv", "text/csv; charset=utf-8", "publications.csv"),
        ("/api/v1/publications", "bibtex", "application/x-bibtex", "publications.bib"),
        (
            "/api/v1/publications",
            "csl-json",
            "application/vnd.citationstyles.csl+json",
            "publications.json",
        ),
    ],
)
def test_a_full_list_export_is_a_job_whose_file_is_the_streamed_export(
    caller, make_user, inline_rows, url, fmt, content_type, filename
):
    owner = make_user()
    who = caller(owner)
    small, accepted = streamed_then_job(who, inline_rows, url, {"format": fmt})
    job = accepted.get_json()
    assert accepted.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert job["kind"] == "exports.list" and job["status"] == "succeeded"
    assert int(accepted.headers["X-Pagination"].split('"total": ')[1].split(",")[0]) > 1
    result = job["result"]
    assert result["url"] == f"/api/v1/jobs/{job['id']}/result"
    assert result["filename"] == filename and result["size"] == len(small.data)

    answer = who.get(result["url"])
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == content_type
    assert answer.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert answer.data == small.data


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/centres", {"country": "KZ", "sort": "-name"}),
        ("/api/v1/publications", {"year_from": 2015, "sort": "title", "q": "Kazakhstan"}),
        ("/api/v1/experts", {"country": "RU", "sort": "-id"}),
    ],
)
def test_an_export_job_keeps_the_filters(caller, make_user, inline_rows, url, query):
    who = caller(make_user("organiser"))
    small, accepted = streamed_then_job(who, inline_rows, url, {"format": "csv", **query})
    assert who.get(accepted.get_json()["result"]["url"]).data == small.data
    inline_rows(1_000_000)
    everything = who.get(url, query_string={"format": "csv"})
    assert len(small.data) < len(everything.data)  # the filters took some rows out


def test_an_expert_export_job_sees_what_its_owner_sees(caller, make_user, inline_rows):
    """The worker builds the owner's select: an admin's export lists hidden experts too."""
    unverified = f.UserFactory(email_verified_at=None)  # a registration: admins see it
    hidden = f.ExpertFactory(full_name="Unverified Registrant", user=unverified)
    admin = make_user("admin")
    bodies = {}
    for who in (caller(make_user()), caller(admin)):
        _, accepted = streamed_then_job(who, inline_rows, "/api/v1/experts", {"format": "csv"})
        bodies[who.user.role] = who.get(accepted.get_json()["result"]["url"]).data
    assert hidden.full_name.encode() in bodies["admin"]
    assert hidden.full_name.encode() not in bodies["expert"]


def test_prefer_wait_answers_the_file_itself(caller, make_user, inline_rows):
    inline_rows(1)
    answer = caller(make_user()).get(
        "/api/v1/experts", query_string={"format": "csv"}, headers={"Prefer": "wait=10"}
    )
    assert answer.status_code == 200
    assert answer.headers["Preference-Applied"] == "wait=10"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="experts.csv"'
    assert answer.data.startswith("\ufeffid,".encode())


def test_anonymous_exports_stream_whatever_their_size(caller, inline_rows):
    inline_rows(1)
    answer = caller().get("/api/v1/experts", query_string={"format": "csv"})
    assert answer.status_code == 200 and answer.mimetype == "text/csv"


def test_the_same_export_asked_again_while_it_runs_is_the_same_job(
    caller, make_user, inline_rows, monkeypatch
):
    monkeypatch.setattr(queue, "dispatch", lambda job_id, kind: None)  # nobody runs them
    inline_rows(1)
    who = caller(make_user())
    ids = [
        who.get("/api/v1/experts", query_string=query).get_json()["id"]
        for query in ({"format": "csv"}, {"format": "csv"}, {"format": "csv", "country": "KZ"})
    ]
    assert ids[0] == ids[1] != ids[2]
    assert who.get(f"/api/v1/jobs/{ids[0]}/result").get_json()["message"] == (
        "The job's status is queued: it has no file."
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_full_report_export_is_a_job(caller, make_user, inline_rows, fmt):
    organiser = caller(make_user("organiser"))
    url = "/api/v1/reports/gaps"
    small, accepted = streamed_then_job(organiser, inline_rows, url, {"format": fmt})
    job = accepted.get_json()
    assert job["kind"] == "reports.export" and job["status"] == "succeeded", job
    answer = organiser.get(job["result"]["url"])
    assert answer.headers["Content-Disposition"] == f'attachment; filename="gaps.{fmt}"'
    if fmt == "csv":
        assert answer.data == small.data
    else:
        assert answer.mimetype == XLSX
        assert _cells(answer.data) == _cells(small.data)


def _cells(body: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book]


def test_an_expired_file_is_404_saying_so_and_swept(caller, runner, db_session):
    file = f.JobFileFactory(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    job = db.session.get(Job, file.job_id)
    job.result = {"expires_at": "2026-12-04T10:00:00+00:00"}
    owner = db.session.get(User, job.owner_id)
    answer = caller(owner).get(files.url(job.id))
    message = (
        "The job's file expired at 2026-12-04T10:00:00+00:00 and was deleted; "
        "start the export again."
    )
    assert answer.status_code == 404 and answer.get_json()["message"] == message
    kept_id = f.JobFileFactory().job_id
    out = runner.invoke(args=["jobs", "sweep"])
    assert "1 expired file(s) deleted" in out.output, out.output
    assert db.session.get(JobFile, job.id) is None
    assert db.session.get(JobFile, kept_id) is not None
    assert caller(owner).get(files.url(job.id)).get_json()["message"] == message


def test_a_failed_export_has_no_file(caller, make_user):
    owner = make_user()
    job = f.JobFactory(owner=owner, kind=exports.NAME, status=JobStatus.FAILED)
    answer = caller(owner).get(files.url(job.id))
    assert answer.status_code == 409
    assert answer.get_json()["message"] == "The job's status is failed: it has no file."


def test_an_export_reports_its_rows_then_its_file(caller, make_user, inline_rows, monkeypatch):
    seen = []
    monkeypatch.setattr(exports, "PROGRESS_SECONDS", 0)  # report every part
    report = JobContext.progress

    def watched(self, fraction, message=None):
        seen.append((fraction, message))
        report(self, fraction, message)

    monkeypatch.setattr(JobContext, "progress", watched)
    inline_rows(1)
    answer = caller(make_user()).get("/api/v1/centres", query_string={"format": "csv"})
    rows = answer.get_json()["result"]
    assert seen[0][1].startswith("Writing ") and seen[0][1].endswith(" rows.")
    assert any(message.startswith("Written ") for _, message in seen[1:-1])
    assert seen[-1] == (0.95, "Storing the file.") and rows["size"] > 0


@pytest.mark.parametrize(("fmt", "content_type"), [("png", "image/png"), ("svg", "image/svg+xml")])
def test_a_large_heatmap_is_drawn_by_a_job(caller, make_user, app, monkeypatch, fmt, content_type):
    organiser = caller(make_user("organiser"))
    url = f"/api/v1/reports/coverage.{fmt}"
    small = organiser.get(url, query_string={"limit": 10})
    assert small.status_code == 200
    monkeypatch.setitem(app.config, "JOBS_CHART_INLINE_CENTRES", 2)
    accepted = organiser.get(url, query_string={"limit": 10})
    assert accepted.status_code == 202
    job = accepted.get_json()
    assert job["kind"] == "reports.heatmap" and job["status"] == "succeeded", job
    answer = organiser.get(job["result"]["url"])
    assert answer.headers["Content-Type"].startswith(content_type)
    assert answer.headers["Content-Disposition"] == f'attachment; filename="coverage.{fmt}"'
    assert answer.data == small.data
    # Two centres a side: drawn in the request again.
    assert organiser.get(url, query_string={"limit": 2}).status_code == 200


def test_a_file_is_read_in_parts(caller, make_user, inline_rows, monkeypatch):
    monkeypatch.setattr(files, "CHUNK", 7)  # the body read 7 bytes a statement
    who = caller(make_user())
    small, accepted = streamed_then_job(who, inline_rows, "/api/v1/experts", {"format": "csv"})
    answer = who.get(accepted.get_json()["result"]["url"])
    assert answer.data == small.data and len(answer.data) > 7 * 10
    assert answer.headers["Content-Length"] == str(len(small.data))
