"""The report's own story, told by the seeded data: one tied pair, traced to the 2018 Regnum
series, and gaps everywhere else.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Affiliation, CentreTie, ExpertTie, Publication
from app.reports import recommendations, services
from tests.reports.helpers import (
    SEEDED_PAIR,
    TODAY,
    centre,
    expert,
    get_report,
    names,
    pair,
    pairs,
    seeded_centres,
    seeded_joint_publications,
)

REGNUM_URL = "https://regnum.ru/article/2534699"  # the 2018 series, part 3 (note 3)


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
    # Centre counts count organisations: the Caspian Institute's two units count with it.
    assert report["summary"] == {
        "ru_centres": 7,
        "kz_centres": kz,
        "pairs_total": 14,
        "pairs_tied": 1,
        "coverage_ratio": round(1 / 14, 4),
        # Sizes today: none. The seeded affiliations are undated and not assumed, so none
        # places its expert at a centre on a day (it read 0.5, "half the expert weight
        # connected", from three people): withheld.
        "weighted_coverage_ratio": None,
        "ru_experts_affiliated": 0,
        "kz_experts_affiliated": 0,
        "pairs_with_planned_ties": 0,
    }
    [caveat] = [n for n in report["notes"] if "weighted coverage ratio" in n]
    assert "no expert is affiliated with a centre" in caveat
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
    assert report["cutoff"] == TODAY.replace(year=TODAY.year - 2).isoformat()
    assert pairs(report["dormant"]) == {SEEDED_PAIR}
    # Its last tie is the 2018 series: it stopped before the pandemic, not because of it.
    [dormant] = report["dormant"]
    assert (dormant["active_until"], dormant["era"]) == ("2018-12-10", "before_pandemic")
    assert any("1 stopped before the pandemic" in note for note in report["notes"])
    never = pairs(report["never"])
    assert len(never) == len(report["never"])
    everyone = {(r, k) for r in seeded_centres("RU") for k in seeded_centres("KZ")}
    # A unit counts with its parent: through KISI DIP, the Caspian Institute and IISPS
    # met, so none of its centres is listed as never having met IISPS.
    kisi = {"KISI", "KISI DIP", "KISI Kazakhstan Sector"}
    assert never == everyone - {(ru, "IISPS") for ru in kisi}
    assert ("IMEMO", "KazISS") in never
    shared = {
        (p["ru_centre"]["acronym"], p["kz_centre"]["acronym"]): p["shared_topics"]
        for p in report["never"]
    }
    assert shared[("IMEMO", "KazISS")] == 2  # security-defence and eurasian-integration
    assert shared[("RISI", "IISPS")] == 0
    isolated = (seeded_centres("RU") | seeded_centres("KZ")) - kisi - {"IISPS"}
    assert names(report["isolated"]) == isolated
    # The summary counts organisations, as coverage does: never, 7 × 2 less the one tied;
    # isolated, the 6 Russian ones other than the Caspian Institute, and KazISS.
    assert report["summary"] == {"never": 13, "dormant": 1, "isolated_ru": 6, "isolated_kz": 1}


@pytest.mark.parametrize(
    ("threshold", "withheld"),
    [(3, True), (2, True), (1, False), (0, False)],
    ids=["below-both", "below-the-russian-side", "at", "above"],
)
def test_the_weighted_ratio_is_withheld_below_the_affiliated_threshold(
    organiser, app, monkeypatch, db_session, threshold, withheld
):
    """Seeded, with the undated affiliations assumed to hold (as an editor may): one Russian
    and two Kazakh experts affiliated; the smaller side decides."""
    for affiliation in db_session.scalars(sa.select(Affiliation)):
        affiliation.assumed = affiliation.assumed or affiliation.undated
    db_session.flush()
    monkeypatch.setitem(app.config, "REPORTS_MIN_AFFILIATED", threshold)
    report = get_report(organiser, "coverage")
    caveats = [n for n in report["notes"] if "weighted coverage ratio" in n]
    assert bool(caveats) is withheld
    assert (report["summary"]["weighted_coverage_ratio"] is None) is withheld
    if not withheld:
        assert report["summary"]["weighted_coverage_ratio"] == 0.5


def test_coverage_and_gaps_count_the_same_pairs(organiser):
    """Both count organisations' pairs (a unit with its parent): over all time, what
    coverage does not find tied, gaps finds never tied."""
    coverage = get_report(organiser, "coverage")["summary"]
    gaps = get_report(organiser, "gaps")["summary"]
    assert coverage["pairs_total"] - coverage["pairs_tied"] == gaps["never"] == 13


@pytest.mark.parametrize("limit", [1, 3, 14])
def test_a_short_never_list_is_the_best_of_the_whole_list(organiser, limit):
    # The pairs a unit's parent met are ruled out after the database ranks: it reads as
    # many more rows as they could take, so the short list is the long one's head.
    whole = get_report(organiser, "gaps")["never"]
    short = get_report(organiser, "gaps", limit=limit)["never"]
    assert short == whole[:limit] and len(short) == limit


def test_recommendations_take_no_pair_whose_organisations_met(db_session):
    # The gaps they propose people for are the gaps report's: none of the Caspian
    # Institute's centres with IISPS, which the Institute met through KISI DIP.
    w = services.window({})
    found = recommendations._gaps(w, 50, services.centre_rows(w))
    kisi = {centre(a).id for a in ("KISI", "KISI DIP", "KISI Kazakhstan Sector")}
    never = {(g.ru_centre, g.kz_centre) for g in found if g.kind == "never"}
    assert never and not {p for p in never if p[0] in kisi and p[1] == centre("IISPS").id}
