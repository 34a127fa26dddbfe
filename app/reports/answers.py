"""The shape of every report's JSON answer, for the OpenAPI document.

The reports are built as plain dicts and cached as such; these schemas describe them (a
test checks every answer against them) without dumping thousands of rows through
marshmallow on each request.
"""

from __future__ import annotations

import marshmallow as ma

from app.core.fields import EnumField
from app.forums.models import SessionFormat

Int, Str, Float, Date, Bool = (
    ma.fields.Integer,
    ma.fields.String,
    ma.fields.Float,
    ma.fields.Date,
    ma.fields.Boolean,
)


class Shape(ma.Schema):
    """An answer's part: every field is always present (null where it allows)."""

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        field_obj.required = True


def _many(schema):
    return ma.fields.List(ma.fields.Nested(schema))


class WindowAnswer(Shape):
    since = Date(allow_none=True)
    until = Date(metadata={"description": "The window's last day (today by default)."})
    topic = Int(allow_none=True)
    kind = Str(allow_none=True)
    provenance = Str(metadata={"description": "report, public or all: the filter applied."})


class CentreLabel(Shape):
    id = Int()
    name_en = Str()
    name_ru = Str(allow_none=True)
    acronym = Str(allow_none=True)
    country_code = Str()
    label = Str(metadata={"description": "The acronym, or the full name when it is coined."})


class SizedCentre(CentreLabel):
    size = Int(metadata={"description": "Experts affiliated at the window's end."})


class ProvenanceCounts(Shape):
    report = Int()
    public = Int()
    editorial = Int()
    entered = Int()
    placeholder = Int()


class ProvenanceAnswer(Shape):
    filter = Str(metadata={"description": "The provenance filter applied."})
    ties = ma.fields.Nested(
        ProvenanceCounts,
        metadata={
            "description": "The centre ties in the report's window, by the weakest kind of "
            "fact each rests on (report, public, the editors' judgement, entered by users, "
            "placeholder)."
        },
    )
    editorial = Int(metadata={"description": "How many of those ties rest on editorial judgement."})


NOTES = ma.fields.List(
    Str(),
    metadata={
        "description": "What a reader must know, in plain words: what the answer counts, "
        "what it cannot see, and figures withheld or too thin to mean much."
    },
)


class _Answer(Shape):
    window = ma.fields.Nested(WindowAnswer)
    provenance = ma.fields.Nested(ProvenanceAnswer)
    notes = NOTES


class _Counts(Shape):
    publications = Int()
    sessions = Int()
    projects = Int()


class TiedPair(_Counts):
    ru_centre = ma.fields.Nested(CentreLabel)
    kz_centre = ma.fields.Nested(CentreLabel)
    first = Date(metadata={"description": "The first tie in the window."})
    last = Date(metadata={"description": "The last tie in the window."})
    strength = Float(
        metadata={"description": "publications + 0.5 × sessions + 2 × projects in the window"}
    )


class CoverageSummary(Shape):
    ru_centres = Int()
    kz_centres = Int()
    pairs_total = Int()
    pairs_tied = Int()
    coverage_ratio = Float(allow_none=True, metadata={"description": "pairs_tied / pairs_total"})
    weighted_coverage_ratio = Float(
        allow_none=True,
        metadata={
            "description": "The same, each pair weighted by both sizes; null (and said in "
            "`notes`) when fewer than `REPORTS_MIN_AFFILIATED` experts are affiliated on a side."
        },
    )
    ru_experts_affiliated = Int(metadata={"description": "Affiliated at the window's end."})
    kz_experts_affiliated = Int(metadata={"description": "Affiliated at the window's end."})
    pairs_with_planned_ties = Int(metadata={"description": "Tied only by sessions to come."})


class CoverageAnswer(_Answer):
    summary = ma.fields.Nested(CoverageSummary)
    pairs = _many(TiedPair)
    truncated = Bool(metadata={"description": "More tied pairs than `limit`; exports list all."})


class NeverTiedPair(Shape):
    ru_centre = ma.fields.Nested(CentreLabel)
    kz_centre = ma.fields.Nested(CentreLabel)
    shared_topics = Int()


class DormantPair(TiedPair):
    shared_topics = Int()
    active_until = Date(metadata={"description": "The last day the pair was active."})
    era = Str(
        metadata={
            "description": "When its ties stopped: before_pandemic (before 2020-03-01), "
            "pandemic (before 2022-02-24) or after_february_2022."
        }
    )


class GapsSummary(Shape):
    never = Int()
    dormant = Int()
    isolated_ru = Int()
    isolated_kz = Int()


class GapsAnswer(_Answer):
    summary = ma.fields.Nested(GapsSummary)
    cutoff = Date(metadata={"description": "Dormant: tied before this day, never since."})
    never = _many(NeverTiedPair)
    dormant = _many(DormantPair)
    isolated = _many(SizedCentre)


class TopicLabel(Shape):
    id = Int()
    slug = Str()
    name_en = Str()


class NamedTopic(TopicLabel):
    name_ru = Str()


class TopicYear(_Counts):
    topic = ma.fields.Nested(TopicLabel)
    year = Int()


class TopicsSummary(Shape):
    topics = Int()
    topics_without_joint_work = Int()


class TopicsAnswer(_Answer):
    summary = ma.fields.Nested(TopicsSummary)
    rows = _many(TopicYear)
    without_joint_work = _many(NamedTopic)


class RegionLabel(Shape):
    id = Int()
    code = Str(allow_none=True)
    name_en = Str()
    name_ru = Str()


class RegionPair(Shape):
    ru_region = ma.fields.Nested(RegionLabel)
    kz_region = ma.fields.Nested(RegionLabel)
    ties = Int()
    centre_pairs = Int()


class RegionsSummary(Shape):
    ru_border_regions = Int()
    kz_border_regions = Int()
    region_pairs = Int()
    region_pairs_tied = Int()
    ru_centres_in_border_regions = Int()
    kz_centres_in_border_regions = Int()
    forums_in_border_regions = Int(
        metadata={"description": "Forum editions held (or to be held) in a border region."}
    )


class RegionsAnswer(_Answer):
    summary = ma.fields.Nested(RegionsSummary)
    rows = ma.fields.List(
        ma.fields.Nested(RegionPair),
        metadata={"description": "Empty when no centre on one side sits in a border region."},
    )


class TrendTotals(Shape):
    joint_publications = Int()
    shared_sessions = Int()
    joint_projects = Int()


class TrendYear(TrendTotals):
    year = Int()


class Marker(Shape):
    date = Date()
    year = Int()
    label = Str()
    what = Str()


class TrendAnswer(_Answer):
    summary = ma.fields.Nested(TrendTotals)
    rows = ma.fields.List(
        ma.fields.Nested(TrendYear), metadata={"description": "Every year of the window."}
    )
    markers = ma.fields.List(
        ma.fields.Nested(Marker),
        metadata={"description": "The report's breaks (March 2020, February 2022) in the window."},
    )


class VisibilityRow(Shape):
    country = Str()
    of = Str(metadata={"description": "What is counted: the country's publications."})
    total = Int()
    public = Int()
    departmental = Int()
    closed = Int()
    public_share = Float(allow_none=True)
    departmental_share = Float(allow_none=True)
    closed_share = Float(allow_none=True)


class VisibilityAnswer(_Answer):
    summary = ma.fields.Dict()
    rows = _many(VisibilityRow)


class GenerationRow(Shape):
    country = Str()
    birth_decade = Str(metadata={"description": "1980s, 1990s, … or unknown."})
    experts = Int(allow_none=True, metadata={"description": "Null when suppressed."})
    participations = Int(allow_none=True, metadata={"description": "Null when suppressed."})
    suppressed = Bool(metadata={"description": "Fewer experts than the smallest group shown."})


class GenerationsSummary(Shape):
    smallest_group_shown = Int()
    groups_suppressed = Int()


class GenerationsAnswer(_Answer):
    summary = ma.fields.Nested(GenerationsSummary)
    rows = _many(GenerationRow)


class SideCount(Shape):
    centres = Int()
    studying_the_neighbour = Int()


class SystematicRow(_Counts):
    centre = ma.fields.Nested(SizedCentre)
    partners = Int(metadata={"description": "Centres across the border tied in the window."})
    last = Date(allow_none=True)


class SystematicAnswer(_Answer):
    summary = ma.fields.Dict(
        keys=Str(),
        values=ma.fields.Nested(SideCount),
        metadata={"description": "Per country code."},
    )
    rows = _many(SystematicRow)


class ExpertLabel(Shape):
    id = Int()
    full_name = Str()


class ProposedSeat(Shape):
    expert_id = Int()
    role = Str()


class ProposedSession(Shape):
    forum_id = Int(allow_none=True)
    title = Str()
    format = EnumField(SessionFormat)
    topic_ids = ma.fields.List(Int())
    duration_minutes = Int()
    participants = _many(ProposedSeat)


class Proposal(Shape):
    gap = Str(
        metadata={
            "description": "never, dormant, or without_centre (an expert with no current "
            "centre, matched by topics and shared history)"
        }
    )
    ru_centre = ma.fields.Nested(CentreLabel, allow_none=True)
    kz_centre = ma.fields.Nested(CentreLabel, allow_none=True)
    ru_expert = ma.fields.Nested(ExpertLabel)
    kz_expert = ma.fields.Nested(ExpertLabel)
    score = Float()
    shared_topic_ids = ma.fields.List(Int())
    reasons = ma.fields.List(Str())
    session = ma.fields.Nested(
        ProposedSession,
        metadata={"description": "The body for POST /api/v1/reports/recommendations/apply."},
    )


class RecommendationWindow(WindowAnswer):
    forum = Int(allow_none=True)


class RecommendationsSummary(Shape):
    gaps_considered = Int()
    experts_without_centre_considered = Int()
    proposals = Int()


class RecommendationsAnswer(Shape):
    window = ma.fields.Nested(RecommendationWindow)
    provenance = ma.fields.Nested(ProvenanceAnswer)
    notes = NOTES
    summary = ma.fields.Nested(RecommendationsSummary)
    rows = _many(Proposal)


class FindingWindow(Shape):
    since = Date(allow_none=True)
    until = Date()


class FindingRow(Shape):
    key = Str()
    kind = Str(metadata={"description": "count, share, trend, age, event or assessment"})
    section = Str(metadata={"description": "The report's section heading, in Italian."})
    quote_it = Str(metadata={"description": "The claim as printed in the Italian report."})
    text_en = Str()
    measure = Str(allow_none=True, metadata={"description": "What the records are asked."})
    measurable = Bool()
    value = ma.fields.Raw(allow_none=True, metadata={"description": "The measure's value."})
    data_show = Str(
        metadata={"description": 'In words; "not measurable from the records" where not.'}
    )
    window = ma.fields.Nested(FindingWindow, allow_none=True)


class FindingsSummary(Shape):
    findings = Int()
    measurable = Int()
    not_measurable = Int()


class FindingsAnswer(_Answer):
    summary = ma.fields.Nested(FindingsSummary)
    rows = _many(FindingRow)
