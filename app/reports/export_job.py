"""Reports, computed from their query, and their CSV or XLSX exports as jobs.

The request computes the report (cached); when its table has more than
``JOBS_EXPORT_INLINE_ROWS`` rows, a job writes the file (``app.jobs.files``) from the same
query, and the request answers 202 (or, with ``Prefer: wait``, the file). The coverage
heatmap past ``JOBS_CHART_INLINE_CENTRES`` centres a side is drawn by a job likewise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import marshmallow as ma
from flask import Flask, Response, current_app

from app.core.lookup import get_or_404
from app.core.permissions import require_organiser
from app.extensions import db
from app.forums.models import Forum
from app.jobs import files
from app.jobs import http as jobs_http
from app.jobs.registry import Kind
from app.jobs.registry import register as register_kind
from app.jobs.runner import JobContext
from app.reports import (
    answers,
    breakdowns,
    exports,
    findings,
    pictures,
    recommendations,
    services,
)
from app.reports.cache import cached
from app.reports.schemas import (
    CoverageQuerySchema,
    FindingsQuerySchema,
    GapsQuerySchema,
    HeatmapQuerySchema,
    RecommendationQuerySchema,
    ReportQuerySchema,
)
from app.reports.services import Window

if TYPE_CHECKING:
    from app.accounts.models import User

NAME = "reports.export"
TIME_LIMIT_SECONDS = 600
# prepare(args, fmt): what computes the report from its window; it may change the keys
# of args that are not filters (coverage's limit), which then key the cache.
Prepare = Callable[[dict[str, Any], str], Callable[[Window], dict[str, Any]]]


@dataclass(frozen=True)
class Report:
    schema: type[ma.Schema]
    prepare: Prepare
    answer: type[ma.Schema]  # its JSON's shape (app.reports.answers): an empty file's header


def _coverage(args: dict[str, Any], fmt: str) -> Callable[[Window], dict[str, Any]]:
    if fmt in exports.FILE_FORMATS:
        return _every_pair(args)
    args["min_affiliated"] = current_app.config["REPORTS_MIN_AFFILIATED"]  # it shapes the answer
    limit = args["limit"]
    return lambda w: services.coverage(w, limit)


def _every_pair(args: dict[str, Any]) -> Callable[[Window], dict[str, Any]]:
    """Coverage listing every pair, as exports and the heatmap read it: ``args`` then key
    one cached report for both."""
    args.update(limit=None, min_affiliated=current_app.config["REPORTS_MIN_AFFILIATED"])
    return lambda w: services.coverage(w, None)


def _gaps(args: dict[str, Any], _fmt: str) -> Callable[[Window], dict[str, Any]]:
    cutoff, limit = args["cutoff"], args["limit"]
    return lambda w: services.gaps(w, cutoff, limit)


def _recommendations(args: dict[str, Any], _fmt: str) -> Callable[[Window], dict[str, Any]]:
    forum = get_or_404(Forum, args["forum"], "forum") if args.get("forum") else None
    gaps, per_gap = args["gaps"], args["per_gap"]
    return lambda w: recommendations.recommend(w, forum, gaps, per_gap)


def _breakdown(name: str) -> Report:
    compute = getattr(breakdowns, name)
    answer = getattr(answers, f"{name.capitalize()}Answer")
    return Report(ReportQuerySchema, lambda _args, _fmt: compute, answer)


REPORTS: dict[str, Report] = {
    "coverage": Report(CoverageQuerySchema, _coverage, answers.CoverageAnswer),
    "gaps": Report(GapsQuerySchema, _gaps, answers.GapsAnswer),
    "recommendations": Report(
        RecommendationQuerySchema, _recommendations, answers.RecommendationsAnswer
    ),
    "findings": Report(
        FindingsQuerySchema, lambda _args, _fmt: findings.report, answers.FindingsAnswer
    ),
    **{
        name: _breakdown(name)
        for name in ("topics", "regions", "trend", "visibility", "generations", "systematic")
    },
}


def compute(name: str, query: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The report ``name`` for its loaded ``query`` (cached), and the format asked for."""
    args = dict(query)
    fmt = args.pop("format", "json") or "json"
    prepared = REPORTS[name].prepare(args, fmt)
    window = services.window(args)  # outside the cache: it checks the filters
    return cached(name, args, answer(prepared, window)), fmt


def answer(
    compute: Callable[[Window], dict[str, Any]], window: Window
) -> Callable[[], dict[str, Any]]:
    """What computes a report's answer for the cache: the report, with its provenance counts."""
    return lambda: services.with_provenance(compute(window), window)


def respond(name: str, query: dict[str, Any]) -> dict[str, Any] | Response:
    """A report endpoint's answer: organisers and admins only; JSON, a file, or, for a
    file of more than ``JOBS_EXPORT_INLINE_ROWS`` rows, a job that writes it."""
    organiser = require_organiser()
    report, fmt = compute(name, query)
    if fmt not in exports.FILE_FORMATS:
        return report
    if exports.row_count(report) <= current_app.config["JOBS_EXPORT_INLINE_ROWS"]:
        return exports.respond(report, name, fmt, exports.header_of(REPORTS[name].answer))
    params = {"report": name, "query": REPORTS[name].schema().dump(query)}
    db.session.commit()  # the report's ledger sync, as the request would have at its end
    return jobs_http.start(KIND, organiser, params, reuse=True)


IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def heatmap_inputs(args: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """The coverage report (every pair, cached), the centres and the heatmap's limit."""
    limit, window = args["limit"], services.window(args)
    compute = _every_pair(args)  # sets the limit in args, as a full export's key has it
    report = cached("coverage", args, answer(compute, window))
    return report, list(services.centre_rows(window).values()), limit


def heatmap_side(centres: list[dict[str, Any]], limit: int) -> int:
    """How many centres the longer side of the heatmap draws."""
    ru = sum(c["country_code"] == "RU" for c in centres)
    return min(limit, max(ru, len(centres) - ru))


def start_heatmap(organiser: User, args: dict[str, Any], fmt: str) -> Response:
    params = {"query": HeatmapQuerySchema().dump(args), "format": fmt}
    db.session.commit()  # the report's ledger sync, as the request would have at its end
    return jobs_http.start(HEATMAP_KIND, organiser, params, reuse=True)


def draw_heatmap(job: JobContext) -> dict[str, Any]:
    """Draw the heatmap the request would have, into the job's file."""
    fmt = job.params["format"]
    job.progress(0.0, "Computing the coverage report.")
    report, centres, limit = heatmap_inputs(HeatmapQuerySchema().load(job.params["query"]))
    db.session.commit()  # the ledger sync; and on SQLite progress must not wait for it
    job.progress(0.3, f"Drawing {heatmap_side(centres, limit)} centres a side.")
    body = pictures.heatmap(report, centres, fmt, limit)
    return files.store(job, body, IMAGE_TYPES[fmt], f"coverage.{fmt}")


def run(job: JobContext) -> dict[str, Any]:
    """Compute the report again (or find it cached) and write its file."""
    name = job.params["report"]
    job.progress(0.0, "Computing the report.")
    report, fmt = compute(name, REPORTS[name].schema().load(job.params["query"]))
    db.session.commit()  # the ledger sync; and on SQLite progress must not wait for it
    job.progress(0.5, f"Writing {exports.row_count(report)} rows as {fmt.upper()}.")
    body, content_type = exports.file_body(
        report, name, fmt, exports.header_of(REPORTS[name].answer)
    )
    return files.store(job, body, content_type, f"{name}.{fmt}")


KIND = Kind(NAME, run, time_limit=TIME_LIMIT_SECONDS, makes_file=True)
HEATMAP_KIND = Kind("reports.heatmap", draw_heatmap, time_limit=300, makes_file=True)


def register(app: Flask) -> None:
    register_kind(app, KIND)
    register_kind(app, HEATMAP_KIND)
