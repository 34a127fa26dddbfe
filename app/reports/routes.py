"""Coverage and gap reports for organisers and admins: JSON, CSV, XLSX, and pictures."""

from __future__ import annotations

from flask import Response, current_app

from app.core.api import Blueprint
from app.core.lookup import get_or_404
from app.core.permissions import require_organiser
from app.forums.models import Forum
from app.jobs import http as jobs_http
from app.reports import (
    answers,
    breakdowns,
    export_job,
    exports,
    pictures,
    recommendations,
    services,
)
from app.reports.cache import cached
from app.reports.schemas import (
    AppliedSessionSchema,
    ApplySchema,
    ChartQuerySchema,
    CoverageQuerySchema,
    FindingsQuerySchema,
    GapsQuerySchema,
    HeatmapQuerySchema,
    RecommendationQuerySchema,
    ReportQuerySchema,
    ReportSchema,
)

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="Where the Russia–Kazakhstan network is thin: coverage, gaps, trends.",
)


@blp.route("/coverage")
@blp.arguments(CoverageQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(
    **exports.doc("Tied Russian × Kazakh centre pairs, strongest first.", answers.CoverageAnswer)
)
@jobs_http.may_answer_a_job(blp)
def coverage(args):
    """The centre matrix as a sparse list of tied pairs, with coverage ratios."""
    return export_job.respond("coverage", args)


@blp.route("/gaps")
@blp.arguments(GapsQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("Never-tied and dormant pairs, and isolated centres.", answers.GapsAnswer))
@jobs_http.may_answer_a_job(blp)
def gaps(args):
    """Pairs never tied, pairs dormant since ``cutoff``, centres with no partner."""
    return export_job.respond("gaps", args)


@blp.route("/topics")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("Joint output per topic and year.", answers.TopicsAnswer))
@jobs_http.may_answer_a_job(blp)
def topics(args):
    """Joint output per topic and year, and the topics nobody works on together."""
    return export_job.respond("topics", args)


@blp.route("/regions")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("Border-region pairs and their ties.", answers.RegionsAnswer))
@jobs_http.may_answer_a_job(blp)
def regions(args):
    """Every Russian × Kazakh border-region pair (12 × 8 seeded), with their centres' ties."""
    return export_job.respond("regions", args)


@blp.route("/trend")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("Ties per year and kind.", answers.TrendAnswer))
@jobs_http.may_answer_a_job(blp)
def trend(args):
    """Joint publications, shared sessions and joint projects per year."""
    return export_job.respond("trend", args)


@blp.route("/visibility")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(
    **exports.doc("Public, departmental and closed output per country.", answers.VisibilityAnswer)
)
@jobs_http.may_answer_a_job(blp)
def visibility(args):
    """The share of public, departmental and closed output per country."""
    return export_job.respond("visibility", args)


@blp.route("/generations")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(
    **exports.doc(
        "Forum participation by birth decade; small groups suppressed.", answers.GenerationsAnswer
    )
)
@jobs_http.may_answer_a_job(blp)
def generations(args):
    """Forum participation by the experts' birth decade (groups under 5 suppressed)."""
    return export_job.respond("generations", args)


@blp.route("/systematic")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("Centres studying the neighbour, and their ties.", answers.SystematicAnswer))
@jobs_http.may_answer_a_job(blp)
def systematic(args):
    """The centres flagged as studying the neighbour, next to the ties they have."""
    return export_job.respond("systematic", args)


@blp.route("/findings")
@blp.arguments(FindingsQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("The report's claims beside what the records show.", answers.FindingsAnswer))
@jobs_http.may_answer_a_job(blp)
def findings_list(args):
    """The report's claims (Italian quote, English rendering, section, kind), each beside
    what the records show: the measure, its value and window, or "not measurable from the
    records"."""
    return export_job.respond("findings", args)


def _image(body: bytes, mimetype: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Cache-Control": "private, max-age=60"})


def _image_doc(what: str, *mimetypes: str) -> dict:
    content = {
        mimetype: {
            "schema": {"type": "string"}
            if mimetype.endswith("xml")
            else {"type": "string", "format": "binary"}
        }
        for mimetype in mimetypes
    }
    return {"responses": {"200": {"description": what, "content": content}}}


@blp.route("/coverage.<any(png, svg):fmt>")
@blp.arguments(HeatmapQuerySchema, location="query")
@blp.doc(**_image_doc("The centre-pair heatmap, as PNG or SVG.", "image/png", "image/svg+xml"))
@jobs_http.may_answer_a_job(
    blp,
    "Past `JOBS_CHART_INLINE_CENTRES` centres a side: the job drawing it (poll `Location`; "
    "its `result.url` serves the picture). With `Prefer: wait=N`, the picture itself.",
)
def coverage_picture(args, fmt):
    """The Russian × Kazakh centre heatmap, ordered so clusters and empty blocks show.
    Past ``JOBS_CHART_INLINE_CENTRES`` centres a side, a job draws it (202)."""
    organiser = require_organiser()
    args.pop("format", None)
    report, centres, limit = export_job.heatmap_inputs(dict(args))
    if export_job.heatmap_side(centres, limit) > current_app.config["JOBS_CHART_INLINE_CENTRES"]:
        return export_job.start_heatmap(organiser, args, fmt)
    body = pictures.heatmap(report, centres, fmt, limit)
    return _image(body, export_job.IMAGE_TYPES[fmt])


@blp.route("/trend.png")
@blp.arguments(ChartQuerySchema, location="query")
@blp.doc(**_image_doc("Ties per year, with 2020 and 2022 marked.", "image/png"))
def trend_picture(args):
    """The yearly series of joint publications, shared sessions and projects."""
    require_organiser()
    args.pop("format", None)
    window = services.window(args)
    report = cached("trend", args, export_job.answer(breakdowns.trend, window))
    return _image(pictures.trend(report), "image/png")


@blp.route("/recommendations")
@blp.arguments(RecommendationQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(
    **exports.doc(
        "Expert pairs who could close the widest gaps, with reasons.", answers.RecommendationsAnswer
    )
)
@jobs_http.may_answer_a_job(blp)
def recommendations_list(args):
    """For the top gaps, pairs of experts who could close them: affiliated now with the
    two centres, sharing topics, never met; and experts without a current centre, matched
    by country, topics and shared history. Each with its score, reasons and a session."""
    return export_job.respond("recommendations", args)


@blp.route("/recommendations/apply", methods=["POST"])
@blp.arguments(ApplySchema)
@blp.response(201, AppliedSessionSchema)
def recommendations_apply(data):
    """Turn chosen pairs into a draft session of the forum, with the invitations sent."""
    require_organiser()
    session = recommendations.apply(get_or_404(Forum, data["forum_id"], "forum"), data)
    return session
