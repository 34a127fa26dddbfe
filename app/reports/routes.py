"""Coverage and gap reports for organisers and admins: JSON, CSV, XLSX, and pictures."""

from __future__ import annotations

from flask import Response

from app.core.api import Blueprint
from app.core.lookup import get_or_404
from app.core.permissions import require_organiser
from app.forums.models import Forum
from app.reports import answers, breakdowns, exports, pictures, recommendations, services
from app.reports.cache import cached
from app.reports.schemas import (
    AppliedSessionSchema,
    ApplySchema,
    ChartQuerySchema,
    CoverageQuerySchema,
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


def _report(name: str, args: dict, compute) -> dict | Response:
    """Permission, the cached report for these filters, and the asked format."""
    require_organiser()
    fmt = args.pop("format", "json") or "json"
    window = services.window(args)  # outside the cache: it checks the filters
    report = cached(name, args, lambda: compute(window))
    return exports.respond(report, name, fmt)


@blp.route("/coverage")
@blp.arguments(CoverageQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(
    **exports.doc("Tied Russian × Kazakh centre pairs, strongest first.", answers.CoverageAnswer)
)
def coverage(args):
    """The centre matrix as a sparse list of tied pairs, with coverage ratios."""
    limit = None if args.get("format") in ("csv", "xlsx") else args.pop("limit")
    args.pop("limit", None)
    return _report("coverage", args | {"limit": limit}, lambda w: services.coverage(w, limit))


@blp.route("/gaps")
@blp.arguments(GapsQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("Never-tied and dormant pairs, and isolated centres.", answers.GapsAnswer))
def gaps(args):
    """Pairs never tied, pairs dormant since ``cutoff``, centres with no partner."""
    cutoff, limit = args["cutoff"], args["limit"]
    return _report("gaps", args, lambda w: services.gaps(w, cutoff, limit))


@blp.route("/topics")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("Joint output per topic and year.", answers.TopicsAnswer))
def topics(args):
    """Joint output per topic and year, and the topics nobody works on together."""
    return _report("topics", args, breakdowns.topics)


@blp.route("/regions")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("Border-region pairs and their ties.", answers.RegionsAnswer))
def regions(args):
    """The 12 × 7 Russian × Kazakh border-region pairs, with their centres' ties."""
    return _report("regions", args, breakdowns.regions)


@blp.route("/trend")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("Ties per year and kind.", answers.TrendAnswer))
def trend(args):
    """Joint publications, shared sessions and joint projects per year."""
    return _report("trend", args, breakdowns.trend)


@blp.route("/visibility")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(
    **exports.doc("Public, departmental and closed output per country.", answers.VisibilityAnswer)
)
def visibility(args):
    """The share of public, departmental and closed output per country."""
    return _report("visibility", args, breakdowns.visibility)


@blp.route("/generations")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(
    **exports.doc(
        "Forum participation by birth decade; small groups suppressed.", answers.GenerationsAnswer
    )
)
def generations(args):
    """Forum participation by the experts' birth decade (groups under 5 suppressed)."""
    return _report("generations", args, breakdowns.generations)


@blp.route("/systematic")
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(**exports.doc("Centres studying the neighbour, and their ties.", answers.SystematicAnswer))
def systematic(args):
    """The centres flagged as studying the neighbour, next to the ties they have."""
    return _report("systematic", args, breakdowns.systematic)


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
def coverage_picture(args, fmt):
    """The Russian × Kazakh centre heatmap, ordered so clusters and empty blocks show."""
    require_organiser()
    args.pop("format", None)
    limit = args.pop("limit")
    window = services.window(args)
    report = cached("coverage", args | {"limit": None}, lambda: services.coverage(window, None))
    centres = list(services.centre_rows(window).values())
    body = pictures.heatmap(report, centres, fmt, limit)
    return _image(body, "image/png" if fmt == "png" else "image/svg+xml")


@blp.route("/trend.png")
@blp.arguments(ChartQuerySchema, location="query")
@blp.doc(**_image_doc("Ties per year, with 2020 and 2022 marked.", "image/png"))
def trend_picture(args):
    """The yearly series of joint publications, shared sessions and projects."""
    require_organiser()
    args.pop("format", None)
    window = services.window(args)
    report = cached("trend", args, lambda: breakdowns.trend(window))
    return _image(pictures.trend(report), "image/png")


@blp.route("/recommendations")
@blp.arguments(RecommendationQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.doc(
    **exports.doc(
        "Expert pairs who could close the widest gaps, with reasons.", answers.RecommendationsAnswer
    )
)
def recommendations_list(args):
    """For the top gaps, pairs of experts who could close them: affiliated now with the
    two centres, sharing topics, never met; each with its score, reasons and a session."""
    require_organiser()
    forum = get_or_404(Forum, args["forum"], "forum") if args.get("forum") else None
    gaps, per_gap = args["gaps"], args["per_gap"]
    return _report(
        "recommendations",
        args,
        lambda w: recommendations.recommend(w, forum, gaps, per_gap),
    )


@blp.route("/recommendations/apply", methods=["POST"])
@blp.arguments(ApplySchema)
@blp.response(201, AppliedSessionSchema)
def recommendations_apply(data):
    """Turn chosen pairs into a draft session of the forum, with the invitations sent."""
    require_organiser()
    session = recommendations.apply(get_or_404(Forum, data["forum_id"], "forum"), data)
    return session
