"""The collaboration reports: the seeded story, filters, planned ties, breakdowns, exports,
caching, a bounded number of statements, and pictures.

The seeded report data is in every test database: nine Russian and two Kazakh centres,
tied once, by the 2018 Regnum series written by Shibutov, Malyarchuk and Solozobov. Tests
add their own records with the factories; everything is rolled back afterwards.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Centre, CentreTie, Expert, ExpertTie, Publication, Region, Topic
from app.reports import cache
from seeds.loader import read
from tests import factories as f

URL = "/api/v1/reports"
REPORTS = (
    "coverage",
    "gaps",
    "topics",
    "regions",
    "trend",
    "visibility",
    "generations",
    "systematic",
)
PICTURES = ("coverage.png", "coverage.svg", "trend.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TODAY = dt.date.today()
REGNUM_URL = "https://regnum.ru/article/2534699"  # the 2018 series, part 3 (note 3)
SEEDED_PAIR = ("KISI DIP", "IISPS")


# -- looking things up --------------------------------------------------------------------


def centre(acronym: str) -> Centre:
    return db.session.scalars(sa.select(Centre).where(Centre.acronym == acronym)).one()


def expert(full_name: str) -> Expert:
    return db.session.scalars(sa.select(Expert).where(Expert.full_name == full_name)).one()


def topic(slug: str) -> Topic:
    return db.session.scalars(sa.select(Topic).where(Topic.slug == slug)).one()


def region(code: str) -> Region:
    return db.session.scalars(sa.select(Region).where(Region.code == code)).one()


def seeded_centres(country: str) -> set[str]:
    return {c["acronym"] for c in read("centres") if c["country"] == country}


def seeded_joint_publications() -> list[dict]:
    """The seed's publications with authors writing for centres of both countries."""
    country = {c["key"]: c["country"] for c in read("centres")}
    return [
        p
        for p in read("publications")
        if {country[a["centre"]] for a in p["authors"] if a.get("centre")} >= {"RU", "KZ"}
    ]


# -- calling the reports ------------------------------------------------------------------


@pytest.fixture
def organiser(caller, make_user):
    return caller(make_user("organiser"))


def get_report(who, name: str, **params) -> dict:
    response = who.get(f"{URL}/{name}", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def pairs(rows: list[dict]) -> set[tuple[str, str]]:
    """(Russian, Kazakh) acronyms of a list of centre pairs."""
    return {(p["ru_centre"]["acronym"], p["kz_centre"]["acronym"]) for p in rows}


def pair(report: dict, ru: str, kz: str) -> dict:
    (found,) = [p for p in report["pairs"] if pairs([p]) == {(ru, kz)}]
    return found


def names(centres: list[dict]) -> set[str]:
    return {c["acronym"] for c in centres}


# -- building records ---------------------------------------------------------------------


def new_centre(country: str, acronym: str, **kwargs) -> Centre:
    return f.CentreFactory(country_code=country, acronym=acronym, **kwargs)


def member(of: Centre, **kwargs) -> Expert:
    """An expert of the centre's country, affiliated with it since 2015."""
    person = f.ExpertFactory(country_code=of.country_code, **kwargs)
    f.AffiliationFactory(expert=person, centre=of)
    return person


def joint_publication(day: dt.date, *centres: Centre, topics=(), visibility="public"):
    """A publication written on ``day`` by one new author for each centre."""
    publication = f.PublicationFactory(
        year=day.year, published_on=day, topics=list(topics), visibility=visibility
    )
    for position, where in enumerate(centres, 1):
        author = f.ExpertFactory(country_code=where.country_code)
        f.AuthorshipFactory(publication=publication, expert=author, centre=where, position=position)
    return publication


def co_written(day: dt.date, *people: Expert, topics=()):
    """A publication by ``people``, each counted for the centre they worked at that day."""
    publication = f.PublicationFactory(year=day.year, published_on=day, topics=list(topics))
    for position, person in enumerate(people, 1):
        f.AuthorshipFactory(publication=publication, expert=person, centre=None, position=position)
    return publication


def shared_session(day: dt.date, *people: Expert, status="published", answer="accepted"):
    """A session on ``day`` where every one of ``people`` took part."""
    start = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)
    session = f.SessionFactory(
        starts_at=start, ends_at=start + dt.timedelta(hours=1), status=status
    )
    for person in people:
        f.ParticipationFactory(session=session, expert=person, status=answer)
    return session


def joint_project(start: dt.date, end: dt.date | None, *centres: Centre):
    project = f.ProjectFactory(start_date=start, end_date=end)
    for where in centres:
        f.ProjectCentreFactory(project=project, centre=where)
    return project


@pytest.fixture
def fresh_pair(db_session):
    """A new Russian and a new Kazakh centre, one member each, not tied to anybody yet."""
    ru, kz = new_centre("RU", "RU-NEW"), new_centre("KZ", "KZ-NEW")
    return {"ru": ru, "kz": kz, "ru_expert": member(ru), "kz_expert": member(kz)}


# -- 1. the report's own story -----------------------------------------------------------


def test_the_only_tied_pair_is_the_caspian_directorate_and_shibutovs_institute(organiser):
    (joint,) = seeded_joint_publications()
    report = get_report(organiser, "coverage")
    assert pairs(report["pairs"]) == {SEEDED_PAIR}
    tie = pair(report, *SEEDED_PAIR)
    assert tie["ru_centre"]["country_code"] == "RU" and tie["kz_centre"]["country_code"] == "KZ"
    assert (tie["publications"], tie["sessions"], tie["projects"]) == (1, 0, 0)
    assert tie["first"] == tie["last"] == joint["published_on"].isoformat() == "2018-12-10"
    assert tie["strength"] == 1.0
    ru, kz = len(seeded_centres("RU")), len(seeded_centres("KZ"))
    assert (ru, kz) == (9, 2)
    assert report["summary"] == {
        "ru_centres": ru,
        "kz_centres": kz,
        "pairs_total": 18,
        "pairs_tied": 1,
        "coverage_ratio": round(1 / 18, 4),
        # Sizes today: KISI DIP has Solozobov, IISPS Shibutov, KazISS Nursha; 1 × 1 of 1 × 2.
        "weighted_coverage_ratio": 0.5,
        "pairs_with_planned_ties": 0,
    }
    assert report["truncated"] is False


def test_the_ledger_traces_the_tie_to_the_2018_regnum_series(db_session):
    regnum = db.session.scalars(sa.select(Publication).where(Publication.url == REGNUM_URL)).one()
    assert regnum.published_on == dt.date(2018, 12, 10)
    assert [a.expert.full_name for a in regnum.authorships] == [
        "Marat Shibutov",
        "N. Malyarchuk",
        "Yuri Solozobov",
    ]
    ties = db.session.execute(
        sa.select(
            CentreTie.kind, CentreTie.source_id, CentreTie.ru_centre_id, CentreTie.kz_centre_id
        )
    ).all()
    assert ties == [("publication", regnum.id, centre("KISI DIP").id, centre("IISPS").id)]
    people = db.session.execute(
        sa.select(
            ExpertTie.kind, ExpertTie.source_id, ExpertTie.ru_expert_id, ExpertTie.kz_expert_id
        )
    ).all()
    shibutov = expert("Marat Shibutov").id
    assert sorted(people) == sorted(
        [
            ("publication", regnum.id, expert("N. Malyarchuk").id, shibutov),
            ("publication", regnum.id, expert("Yuri Solozobov").id, shibutov),
        ]
    )


def test_gaps_the_pair_is_dormant_and_everyone_else_never_met(organiser):
    report = get_report(organiser, "gaps")
    assert report["cutoff"] == "2020-03-01"
    assert pairs(report["dormant"]) == {SEEDED_PAIR}
    never = pairs(report["never"])
    assert len(never) == len(report["never"])
    everyone = {(r, k) for r in seeded_centres("RU") for k in seeded_centres("KZ")}
    assert never == everyone - {SEEDED_PAIR}
    assert ("IMEMO", "KazISS") in never
    shared = {
        (p["ru_centre"]["acronym"], p["kz_centre"]["acronym"]): p["shared_topics"]
        for p in report["never"]
    }
    assert shared[("IMEMO", "KazISS")] == 2  # security-defence and eurasian-integration
    assert shared[("RISI", "IISPS")] == 0
    isolated = (seeded_centres("RU") | seeded_centres("KZ")) - set(SEEDED_PAIR)
    assert names(report["isolated"]) == isolated
    assert report["summary"] == {"never": 17, "dormant": 1, "isolated_ru": 8, "isolated_kz": 1}


def test_systematic_few_centres_study_the_neighbour(organiser):
    flagged = {c["acronym"]: c["country"] for c in read("centres") if c.get("studies_neighbour")}
    assert flagged == {"KISI Kazakhstan Sector": "RU", "KazISS": "KZ", "IISPS": "KZ"}
    report = get_report(organiser, "systematic")
    assert report["summary"] == {
        "RU": {"centres": 9, "studying_the_neighbour": 1},
        "KZ": {"centres": 2, "studying_the_neighbour": 2},
    }
    rows = {r["centre"]["acronym"]: r for r in report["rows"]}
    assert rows.keys() == flagged.keys()
    assert {key: value for key, value in rows["IISPS"].items() if key != "centre"} == {
        "partners": 1,
        "publications": 1,
        "sessions": 0,
        "projects": 0,
        "last": "2018-12-10",
    }
    assert rows["KazISS"]["partners"] == rows["KISI Kazakhstan Sector"]["partners"] == 0


def test_topics_only_two_topics_have_joint_work(organiser):
    report = get_report(organiser, "topics")
    assert {(r["topic"]["slug"], r["year"], r["publications"]) for r in report["rows"]} == {
        ("media-information", 2018, 1),
        ("eurasian-integration", 2018, 1),
    }
    assert len(report["rows"]) == 2
    topics = read("topics")
    assert report["summary"] == {
        "topics": len(topics),
        "topics_without_joint_work": len(topics) - 2,
    }


# -- 2. filters ---------------------------------------------------------------------------

FILTERS = [
    ({}, {SEEDED_PAIR}),
    ({"since": "2018-12-10"}, {SEEDED_PAIR}),
    ({"since": "2018-12-11"}, set()),
    ({"until": "2018-12-10"}, {SEEDED_PAIR}),
    ({"until": "2018-12-09"}, set()),
    ({"since": "2018-01-01", "until": "2018-12-31"}, {SEEDED_PAIR}),
    ({"kind": "publication"}, {SEEDED_PAIR}),
    ({"kind": "session"}, set()),
    ({"kind": "project"}, set()),
    ({"topic": "eurasian-integration"}, {SEEDED_PAIR}),
    ({"topic": "security-defence"}, set()),
]


@pytest.mark.parametrize(
    ("params", "expected"), FILTERS, ids=[urlencode(p) or "no-filter" for p, _ in FILTERS]
)
def test_coverage_filters(organiser, params, expected):
    if "topic" in params:
        params = params | {"topic": topic(params["topic"]).id}
    report = get_report(organiser, "coverage", **params)
    assert pairs(report["pairs"]) == expected
    assert report["summary"]["pairs_tied"] == len(expected)


@pytest.mark.parametrize(
    ("params", "isolated_ru", "isolated_kz", "never"),
    [
        ({}, 8, 1, 17),
        ({"since": "2019-01-01"}, 9, 2, 17),  # a tie before the window: the pair goes quiet
        ({"until": "2018-12-09"}, 9, 2, 18),  # a window that ends before it: never tied
        ({"kind": "session"}, 9, 2, 18),
    ],
)
def test_gaps_follow_the_window(organiser, params, isolated_ru, isolated_kz, never):
    report = get_report(organiser, "gaps", **params)
    summary = report["summary"]
    assert (summary["isolated_ru"], summary["isolated_kz"], summary["never"]) == (
        isolated_ru,
        isolated_kz,
        never,
    )
    assert len(report["isolated"]) == isolated_ru + isolated_kz


def test_a_tie_outside_the_window_leaves_its_centres_isolated(organiser):
    report = get_report(organiser, "gaps", since="2019-01-01")
    assert set(SEEDED_PAIR) <= names(report["isolated"])
    assert get_report(organiser, "coverage", since="2019-01-01")["pairs"] == []


PUB_2019 = ("publication", dt.date(2019, 5, 1), None)


def tie_them(fresh_pair, evidence: list[tuple]) -> None:
    """Tie the fresh pair by each (kind, start, end) of ``evidence``."""
    ru, kz = fresh_pair["ru"], fresh_pair["kz"]
    for kind, start, end in evidence:
        if kind == "publication":
            joint_publication(start, ru, kz)
        elif kind == "session":
            shared_session(start, fresh_pair["ru_expert"], fresh_pair["kz_expert"])
        else:
            joint_project(start, end, ru, kz)


@pytest.mark.parametrize(
    ("evidence", "cutoff", "dormant"),
    [
        pytest.param([PUB_2019], None, True, id="publication-2019"),
        pytest.param([PUB_2019], "2019-01-01", False, id="publication-2019-earlier-cutoff"),
        pytest.param([("session", dt.date(2020, 2, 29), None)], None, True, id="session-eve"),
        pytest.param([("session", dt.date(2020, 3, 1), None)], None, False, id="session-on-cutoff"),
        pytest.param(
            [PUB_2019, ("publication", dt.date(2021, 5, 1), None)], None, False, id="met-again"
        ),
        pytest.param(
            [("project", dt.date(2018, 1, 1), dt.date(2019, 12, 31))],
            None,
            True,
            id="project-ended",
        ),
        pytest.param(
            [("project", dt.date(2018, 1, 1), dt.date(2021, 12, 31))],
            None,
            False,
            id="project-ran-past",
        ),
        pytest.param([("project", dt.date(2018, 1, 1), None)], None, False, id="project-running"),
    ],
)
def test_dormant_means_tied_before_the_cutoff_and_never_since(
    organiser, fresh_pair, evidence, cutoff, dormant
):
    tie_them(fresh_pair, evidence)
    report = get_report(organiser, "gaps", **({"cutoff": cutoff} if cutoff else {}))
    quiet = pairs(report["dormant"])
    assert (("RU-NEW", "KZ-NEW") in quiet) is dormant
    assert report["summary"]["dormant"] == len(quiet)
    assert report["summary"]["never"] == 10 * 3 - 2  # two tied pairs among 10 × 3 centres


def test_pairs_are_ranked_by_strength(organiser, fresh_pair):
    """A project weighs 2, a publication 1, a shared session 0.5."""
    tie_them(
        fresh_pair,
        [
            ("project", dt.date(2019, 1, 1), dt.date(2020, 1, 1)),
            ("publication", dt.date(2021, 1, 1), None),
            ("session", dt.date(2022, 1, 1), None),
        ],
    )
    report = get_report(organiser, "coverage")
    assert [(p["ru_centre"]["acronym"], p["strength"]) for p in report["pairs"]] == [
        ("RU-NEW", 3.5),
        ("KISI DIP", 1.0),
    ]
    strongest = report["pairs"][0]
    assert (strongest["publications"], strongest["sessions"], strongest["projects"]) == (1, 1, 1)
    assert (strongest["first"], strongest["last"]) == ("2019-01-01", "2022-01-01")


@pytest.mark.parametrize(
    ("asked", "found"),
    [
        ("energy", True),
        ("energy-gas", True),
        ("energy-nuclear", False),
        ("eurasian-integration", False),
    ],
)
def test_a_topic_takes_in_its_subtopics(organiser, fresh_pair, asked, found):
    joint_publication(
        dt.date(2021, 5, 4), fresh_pair["ru"], fresh_pair["kz"], topics=[topic("energy-gas")]
    )
    report = get_report(organiser, "coverage", topic=topic(asked).id)
    assert (("RU-NEW", "KZ-NEW") in pairs(report["pairs"])) is found


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2021-01-01", "until": "2020-12-31"}, "until"),
        ({"kind": "conference"}, "kind"),
        ({"since": "not-a-date"}, "since"),
        ({"since": "1980-01-01"}, "since"),
        ({"format": "pdf"}, "format"),
    ],
)
@pytest.mark.parametrize("name", REPORTS)
def test_bad_filters_are_422_in_the_one_error_shape(organiser, name, params, field):
    response = organiser.get(f"{URL}/{name}", query_string=params)
    assert response.status_code == 422
    body = response.get_json()
    assert body.keys() == {"code", "status", "message", "errors"}
    assert body["code"] == 422
    assert field in body["errors"]["query"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("coverage", {"limit": 0}, "limit"),
        ("coverage", {"limit": 10_001}, "limit"),
        ("gaps", {"limit": 0}, "limit"),
        ("gaps", {"cutoff": "soon"}, "cutoff"),
        ("coverage.png", {"limit": 1}, "limit"),
        ("coverage.svg", {"since": "2021-01-01", "until": "2020-01-01"}, "until"),
        ("trend.png", {"kind": "forum"}, "kind"),
    ],
)
def test_bad_limits_and_picture_filters_are_422(organiser, path, params, field):
    response = organiser.get(f"{URL}/{path}", query_string=params)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["query"]) == [field]


# -- 3. planned and held ------------------------------------------------------------------

EARLIER, LATER = dt.date(2022, 6, 1), TODAY + dt.timedelta(days=60)


@pytest.mark.parametrize(
    ("day", "status", "answer", "tied", "planned"),
    [
        pytest.param(EARLIER, "published", "accepted", True, 0, id="held"),
        pytest.param(LATER, "published", "accepted", False, 1, id="to-come"),
        pytest.param(EARLIER, "draft", "accepted", False, 0, id="held-draft"),
        pytest.param(EARLIER, "published", "invited", False, 0, id="held-unanswered"),
        pytest.param(LATER, "draft", "accepted", False, 0, id="to-come-draft"),
    ],
)
def test_sessions_to_come_are_planned_not_tied(
    organiser, fresh_pair, day, status, answer, tied, planned
):
    shared_session(
        day, fresh_pair["ru_expert"], fresh_pair["kz_expert"], status=status, answer=answer
    )
    report = get_report(organiser, "coverage")
    assert (("RU-NEW", "KZ-NEW") in pairs(report["pairs"])) is tied
    assert report["summary"]["pairs_with_planned_ties"] == planned
    assert report["summary"]["pairs_tied"] == 1 + tied
    if tied:
        held = pair(report, "RU-NEW", "KZ-NEW")
        assert (held["publications"], held["sessions"], held["projects"]) == (0, 1, 0)
        assert held["strength"] == 0.5


@pytest.mark.parametrize(
    "params", [{"kind": "publication"}, {"topic": "security-defence"}], ids=["kind", "topic"]
)
def test_planned_ties_follow_the_kind_and_topic_filters(organiser, fresh_pair, params):
    shared_session(LATER, fresh_pair["ru_expert"], fresh_pair["kz_expert"])
    if "topic" in params:
        params = {"topic": topic(params["topic"]).id}
    assert get_report(organiser, "coverage")["summary"]["pairs_with_planned_ties"] == 1
    # A publication-only (or security-only) report has no planned session to announce.
    summary = get_report(organiser, "coverage", **params)["summary"]
    assert summary["pairs_with_planned_ties"] == 0


# -- 4. trend -----------------------------------------------------------------------------


@pytest.fixture
def years_of_ties(fresh_pair):
    ru, kz = fresh_pair["ru"], fresh_pair["kz"]
    other_ru = new_centre("RU", "RU-OTHER")
    joint_publication(dt.date(2019, 3, 1), ru, kz)
    joint_publication(dt.date(2019, 9, 1), ru, other_ru, kz)  # two pairs, one publication
    shared_session(dt.date(2019, 11, 5), fresh_pair["ru_expert"], fresh_pair["kz_expert"])
    joint_project(dt.date(2020, 2, 1), dt.date(2021, 6, 30), ru, kz)
    joint_publication(dt.date(2020, 10, 1), other_ru, kz)
    joint_publication(dt.date(2022, 4, 1), ru, kz)
    shared_session(dt.date(2022, 11, 5), fresh_pair["ru_expert"], fresh_pair["kz_expert"])


def row(year, publications=0, sessions=0, projects=0):
    return {
        "year": year,
        "joint_publications": publications,
        "shared_sessions": sessions,
        "joint_projects": projects,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"since": "2019-01-01"},
            [row(2019, 2, 1), row(2020, 1, 0, 1), row(2021), row(2022, 1, 1)],
        ),
        (
            {},
            [row(2018, 1), row(2019, 2, 1), row(2020, 1, 0, 1), row(2021), row(2022, 1, 1)],
        ),
        ({"kind": "session"}, [row(2019, 0, 1), row(2020), row(2021), row(2022, 0, 1)]),
        ({"kind": "project"}, [row(2020, 0, 0, 1)]),
        ({"until": "2020-12-31", "since": "2019-06-01"}, [row(2019, 1, 1), row(2020, 1, 0, 1)]),
    ],
    ids=["since-2019", "everything", "sessions", "projects", "mid-2019-to-2020"],
)
def test_trend_counts_sources_per_year_and_fills_the_gaps(
    organiser, years_of_ties, params, expected
):
    report = get_report(organiser, "trend", **params)
    assert report["rows"] == expected
    for series in ("joint_publications", "shared_sessions", "joint_projects"):
        assert report["summary"][series] == sum(r[series] for r in expected)


# -- 5. regions ---------------------------------------------------------------------------


def test_regions_are_the_twelve_by_seven_border_cells(organiser):
    border = [r for r in read("regions") if r.get("is_border")]
    ru = [r["code"] for r in border if r["country"] == "RU"]
    kz = [r["code"] for r in border if r["country"] == "KZ"]
    assert (len(ru), len(kz)) == (12, 7)
    report = get_report(organiser, "regions")
    assert report["summary"] == {
        "ru_border_regions": 12,
        "kz_border_regions": 7,
        "region_pairs": 84,
        "region_pairs_tied": 0,  # every seeded centre sits in Moscow, Astana or Almaty
    }
    cells = [(c["ru_region"]["code"], c["kz_region"]["code"]) for c in report["rows"]]
    assert sorted(cells) == sorted((r, k) for r in ru for k in kz)


def test_a_tie_across_the_border_shows_in_its_cell(organiser):
    omsk = [new_centre("RU", f"OMSK-{n}", region=region("RU-OMS")) for n in range(2)]
    pavlodar = new_centre("KZ", "PAVLODAR", region=region("KZ-PAV"))
    joint_publication(dt.date(2021, 3, 1), omsk[0], pavlodar)
    joint_publication(dt.date(2022, 3, 1), omsk[0], pavlodar)
    joint_publication(dt.date(2023, 3, 1), omsk[1], pavlodar)
    report = get_report(organiser, "regions")
    tied = {
        (c["ru_region"]["code"], c["kz_region"]["code"]): (c["ties"], c["centre_pairs"])
        for c in report["rows"]
        if c["ties"]
    }
    assert tied == {("RU-OMS", "KZ-PAV"): (3, 2)}
    assert report["summary"]["region_pairs_tied"] == 1


# -- 6. generations -----------------------------------------------------------------------


def test_generations_hide_groups_under_five(organiser, fresh_pair):
    kz_1980s = [member(fresh_pair["kz"], birth_year=1980 + n) for n in range(5)]
    ru_1970s = [member(fresh_pair["ru"], birth_year=1971 + n) for n in range(4)]
    shared_session(dt.date(2022, 5, 1), *kz_1980s, *ru_1970s)
    shared_session(dt.date(2023, 5, 1), kz_1980s[0], ru_1970s[0])
    shared_session(LATER, *kz_1980s)  # still to come: not a participation yet
    report = get_report(organiser, "generations")
    assert report["rows"] == [
        {
            "country": "KZ",
            "birth_decade": "1980s",
            "experts": 5,
            "participations": 6,
            "suppressed": False,
        },
        {
            "country": "RU",
            "birth_decade": "1970s",
            "experts": None,
            "participations": None,
            "suppressed": True,
        },
    ]
    assert report["summary"] == {"smallest_group_shown": 5, "groups_suppressed": 1}


# -- 7. visibility ------------------------------------------------------------------------


def test_visibility_shares_add_up_per_country(organiser, fresh_pair):
    ru, kz = fresh_pair["ru"], fresh_pair["kz"]
    for n, kind in enumerate(("closed", "departmental", "departmental")):
        joint_publication(dt.date(2021, 1, 1 + n), ru, kz, visibility=kind)
    report = get_report(organiser, "visibility")
    rows = {(r["country"], r["of"]): r for r in report["rows"]}
    assert rows.keys() == {(c, of) for c in ("RU", "KZ") for of in ("publications", "centres")}
    for r in rows.values():
        assert r["public"] + r["departmental"] + r["closed"] == r["total"]
        shares = r["public_share"] + r["departmental_share"] + r["closed_share"]
        assert shares == pytest.approx(1, abs=1e-3)
    # Seeded: 7 Russian publications (all public) and 2 Kazakh; 6 of 9 Russian centres departmental.
    assert (rows["RU", "publications"]["total"], rows["RU", "publications"]["closed"]) == (10, 1)
    assert rows["KZ", "publications"]["departmental"] == 2
    seeded = [c for c in read("centres") if c["country"] == "RU"]
    departmental = sum(1 for c in seeded if c.get("visibility") == "departmental")
    assert rows["RU", "centres"]["departmental"] == departmental == 6
    assert rows["RU", "centres"]["total"] == len(seeded) + 1


# -- 8. exports ---------------------------------------------------------------------------


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_coverage_csv_lists_every_pair_flat(organiser, fresh_pair):
    joint_publication(dt.date(2021, 3, 1), fresh_pair["ru"], fresh_pair["kz"])
    response = organiser.get(f"{URL}/coverage", query_string={"format": "csv", "limit": 1})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="coverage.csv"' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert {"ru_centre.acronym", "kz_centre.acronym", "publications", "strength"} <= rows[0].keys()
    assert {(r["ru_centre.acronym"], r["kz_centre.acronym"]) for r in rows} == {
        SEEDED_PAIR,
        ("RU-NEW", "KZ-NEW"),
    }
    # JSON honours the limit and says it cut the list short.
    report = get_report(organiser, "coverage", limit=1)
    assert (len(report["pairs"]), report["truncated"]) == (1, True)


def test_coverage_xlsx_has_the_table_and_a_summary(organiser):
    response = organiser.get(f"{URL}/coverage", query_string={"format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["coverage", "summary"]
    header, *lines = list(book["coverage"].values)
    assert len(lines) == 1
    line = dict(zip(header, lines[0], strict=True))
    assert (line["ru_centre.acronym"], line["kz_centre.acronym"]) == SEEDED_PAIR
    about = {(section, key): value for section, key, value in book["summary"].values}
    assert about["summary", "pairs_tied"] == 1
    assert about["summary", "pairs_total"] == 18


def test_gaps_csv_marks_each_line_with_its_gap(organiser):
    rows = read_csv(organiser.get(f"{URL}/gaps", query_string={"format": "csv"}))
    kinds = [r["gap"] for r in rows]
    assert {g: kinds.count(g) for g in set(kinds)} == {"never": 17, "dormant": 1, "isolated": 9}
    (dormant,) = [r for r in rows if r["gap"] == "dormant"]
    assert (dormant["ru_centre.acronym"], dormant["kz_centre.acronym"]) == SEEDED_PAIR


@pytest.mark.parametrize(
    ("fmt", "mimetype"),
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
@pytest.mark.parametrize("name", REPORTS)
def test_every_report_exports(organiser, name, fmt, mimetype):
    response = organiser.get(f"{URL}/{name}", query_string={"format": fmt})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert f'filename="{name}.{fmt}"' in response.headers["Content-Disposition"]
    if fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(response.data)).sheetnames == [name, "summary"]


# -- 9. caching ---------------------------------------------------------------------------


# The tables the reports read; an answer from the cache reads none of them.
REPORT_TABLES = re.compile(
    r"\b(centre_ties|expert_ties|centres|affiliations|publications|authorships|sessions"
    r"|participations|projects|topics|regions)\b"
)


def cold_and_warm(who, count_queries, name: str, **params):
    """The statements of a report's first request and of the same request again."""
    with count_queries() as cold:
        answer = get_report(who, name, **params)
    with count_queries() as warm:
        assert get_report(who, name, **params) == answer
    return cold.statements, warm.statements


@pytest.mark.parametrize("name", REPORTS)
def test_a_repeated_report_runs_no_report_sql(organiser, count_queries, name):
    with count_queries() as trivial:
        assert organiser.get("/api/v1/auth/me").status_code == 200
    cold, warm = cold_and_warm(organiser, count_queries, name)
    assert [s for s in cold if REPORT_TABLES.search(s)]
    assert [s for s in warm if REPORT_TABLES.search(s)] == []
    assert len(warm) <= trivial.count
    assert len(warm) < len(cold)


def post_publication(who, *authors: tuple[Expert, Centre]) -> None:
    body = {
        "title": "Россия и Казахстан: общие задачи",
        "kind": "article",
        "year": 2024,
        "published_on": "2024-05-14",
        "authors": [{"expert_id": e.id, "centre_id": c.id} for e, c in authors],
    }
    response = who.post("/api/v1/publications", json=body)
    assert response.status_code == 201, response.get_json()


def write_through_the_api(who):
    post_publication(
        who,
        (expert("Yuri Solozobov"), centre("IMEMO")),
        (expert("Askar Nursha"), centre("KazISS")),
    )
    return ("IMEMO", "KazISS")


def affiliate_malyarchuk(_who):
    # Malyarchuk wrote the 2018 series without a centre; an affiliation gives it one.
    f.AffiliationFactory(expert=expert("N. Malyarchuk"), centre=centre("RISI"), start_date=None)
    return ("RISI", "IISPS")


def hold_a_session(_who):
    shared_session(dt.date(2023, 11, 9), expert("Yuri Solozobov"), expert("Askar Nursha"))
    return ("KISI DIP", "KazISS")


@pytest.mark.parametrize("write", [write_through_the_api, affiliate_malyarchuk, hold_a_session])
def test_a_write_retires_the_cached_report(organiser, write):
    before = get_report(organiser, "coverage")
    assert get_report(organiser, "coverage") == before  # now cached
    new_pair = write(organiser)
    after = get_report(organiser, "coverage")
    assert pairs(after["pairs"]) == {SEEDED_PAIR, new_pair}
    assert after["summary"]["pairs_tied"] == 2


# -- 10. a bounded number of statements ---------------------------------------------------

# The statements each report runs besides authentication: a constant, whatever the data.
MOST_STATEMENTS = {
    "coverage": 3,
    "gaps": 6,  # five, and one to fill a short list of never-tied pairs (as here)
    "topics": 2,
    "regions": 2,
    "trend": 1,
    "visibility": 2,
    "generations": 1,
    "systematic": 3,
}


def grow_the_network() -> None:
    """20 more centres, 40 experts, 60 joint publications, 10 sessions and 10 projects."""
    ru = [new_centre("RU", f"GROW-RU-{n}", region=region("RU-ORE")) for n in range(10)]
    kz = [new_centre("KZ", f"GROW-KZ-{n}", region=region("KZ-AKT")) for n in range(10)]
    ru_people = [member(ru[n % 10], birth_year=1960 + n) for n in range(20)]
    kz_people = [member(kz[n % 10], birth_year=1960 + n) for n in range(20)]
    gas = topic("energy-gas")
    for n in range(60):
        day = dt.date(2015 + n % 10, 1 + n % 12, 1)
        co_written(day, ru_people[n % 20], kz_people[n * 7 % 20], topics=[gas])
    for n in range(10):
        shared_session(dt.date(2016 + n, 6, 1), ru_people[n], kz_people[n], kz_people[n + 10])
        joint_project(dt.date(2016 + n, 1, 1), None, ru[n], kz[9 - n])


def report_statements(who, count_queries, name: str) -> int:
    """What one report costs in SQL with a cold cache: what a cached answer does not run."""
    cache.invalidate()
    cold, warm = cold_and_warm(who, count_queries, name)
    return len(cold) - len(warm)


def test_reports_run_the_same_few_statements_however_large_the_network(
    organiser, count_queries, db_session
):
    seeded = {name: report_statements(organiser, count_queries, name) for name in REPORTS}
    assert {name: n for name, n in seeded.items() if n > MOST_STATEMENTS[name]} == {}
    grow_the_network()
    db_session.commit()
    grown = {name: report_statements(organiser, count_queries, name) for name in REPORTS}
    assert grown == seeded
    assert get_report(organiser, "coverage")["summary"]["pairs_tied"] > 10  # the growth counted


# -- 11. pictures and who may see the reports ---------------------------------------------


def test_coverage_heatmap_as_png_and_svg(organiser):
    png = organiser.get(f"{URL}/coverage.png", query_string={"limit": 20})
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(PNG_SIGNATURE)
    svg = organiser.get(f"{URL}/coverage.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)
    texts = {"".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"KISI DIP", "IISPS"} <= texts


def test_trend_picture_is_a_png(organiser, years_of_ties):
    response = organiser.get(f"{URL}/trend.png", query_string={"since": "2019-01-01"})
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("role", "status"), [(None, 401), ("expert", 403), ("organiser", 200), ("admin", 200)]
)
@pytest.mark.parametrize("path", REPORTS + PICTURES)
def test_only_organisers_and_admins_see_reports(caller, make_user, role, status, path):
    who = caller(make_user(role)) if role else caller()
    response = who.get(f"{URL}/{path}")
    assert response.status_code == status
    if status != 200:
        assert response.get_json()["code"] == status
