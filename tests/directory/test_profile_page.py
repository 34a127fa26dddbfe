"""Editing a profile on the pages: what PATCH /api/v1/experts/<id> does, as a form."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.models import Expert, Topic
from tests import factories as f


def edit_path(expert) -> str:
    return f"/experts/{expert.id}/edit"


def form_of(html: str) -> dict[str, str]:
    """The hidden fields a browser would post back."""
    return dict(re.findall(r'type="hidden" name="(version|held)" value="(\d+)"', html))


def filled(expert, **changes) -> dict:
    return {
        "full_name": expert.full_name,
        "other_names": "",
        "country": expert.country_code,
        "biography": "",
        "birth_year": "",
        "orcid": "",
        "languages": "",
        **changes,
    }


def test_the_owner_edits_names_biography_topics_and_adds_an_affiliation(
    caller, make_user, db_session
):
    user = make_user()
    expert, client = user.expert, caller(user)
    topic, centre = db_session.scalars(sa.select(Topic)).first(), f.CentreFactory()
    db_session.flush()
    assert client.get("/account/profile").headers["Location"] == edit_path(expert)
    page = client.get(edit_path(expert))
    assert page.status_code == 200 and 'name="full_name"' in page.text
    body = filled(
        expert,
        full_name="Айгерим Сейткали",
        other_names="Aigerim Seitkali\n\n",
        biography="Studies water diplomacy.",
        birth_year="1984",
        languages="KK, ru",
        topic_ids=[str(topic.id)],
        **{"aff-new-centre_id": str(centre.id), "aff-new-position": "Senior fellow"},
        **form_of(page.text),
    )
    saved = client.post(edit_path(expert), data=body)
    assert (saved.status_code, saved.headers["Location"]) == (
        303,
        f"/experts/{expert.id}?saved=1",
    )
    db_session.refresh(expert)
    assert (expert.full_name, expert.other_names, expert.biography) == (
        "Айгерим Сейткали",
        ["Aigerim Seitkali"],
        "Studies water diplomacy.",
    )
    assert (expert.birth_year, expert.languages, [t.id for t in expert.topics]) == (
        1984,
        ["kk", "ru"],
        [topic.id],
    )
    (affiliation,) = expert.affiliations
    assert (affiliation.centre_id, affiliation.position) == (centre.id, "Senior fellow")
    shown = client.get(saved.headers["Location"]).text
    assert "Your changes to the profile are saved." in shown and "Edit this profile" in shown


def test_an_affiliation_is_removed_and_the_others_keep_their_provenance(
    caller, make_user, db_session
):
    nursha = db_session.scalars(sa.select(Expert).filter_by(full_name="Askar Nursha")).one()
    admin = caller(make_user("admin"))
    page = admin.get(edit_path(nursha)).text
    before = {(a.centre_id, a.provenance, a.source) for a in nursha.affiliations}
    body = filled(nursha, **form_of(page), **{"aff-1-remove": "1"})
    for n, row in enumerate(re.findall(r'name="aff-(\d+)-centre_id"', page)):
        selected = re.search(
            rf'name="aff-{row}-centre_id">.*?<option value="(\d+)" selected', page, re.S
        )
        body[f"aff-{n}-centre_id"] = selected.group(1)
        for name in ("position", "start_date", "end_date"):
            value = re.search(rf'name="aff-{row}-{name}"[^>]*value="([^"]*)"', page)
            body[f"aff-{n}-{name}"] = value.group(1) if value else ""
    assert admin.post(edit_path(nursha), data=body).status_code == 303
    db_session.refresh(nursha)
    assert len(nursha.affiliations) == len(before) - 1
    assert {(a.centre_id, a.provenance, a.source) for a in nursha.affiliations} < before


def test_a_save_overtaken_by_another_comes_back_to_be_checked(caller, make_user, db_session):
    user = make_user()
    expert, client = user.expert, caller(user)
    hidden = form_of(client.get(edit_path(expert)).text)
    first = client.post(edit_path(expert), data=filled(expert, biography="First.", **hidden))
    assert first.status_code == 303
    second = client.post(edit_path(expert), data=filled(expert, biography="Second.", **hidden))
    assert second.status_code == 409 and "Someone saved this profile" in second.text
    # The form shows the profile as stored, so saving it unchanged undoes nothing; what
    # was typed is under the field, named in the summary.
    assert ">First.</textarea>" in second.text
    assert '<span class="typed-text">Second.</span>' in second.text
    assert "Biography: saved otherwise meanwhile" in second.text
    assert 'id="full_name-error"' not in second.text  # the same as stored: nothing to check
    db_session.refresh(expert)
    assert expert.biography == "First."
    unchanged = client.post(
        edit_path(expert), data=filled(expert, biography="First.", **form_of(second.text))
    )
    assert unchanged.status_code == 303
    db_session.refresh(expert)
    assert expert.biography == "First."  # the other save stands


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"orcid": "1234"}, "orcid", "Введите ORCID iD вида 0000-0002-1825-0097"),
        ({"full_name": "  "}, "full_name", "Введите полное имя, не длиннее 300 символов"),
        ({"birth_year": "1850"}, "birth_year", "Введите год рождения от 1900 до 2015"),
        ({"aff-new-position": "Fellow"}, "affiliations", "Выберите центр для каждого"),
        (
            {"aff-new-centre_id": "1", "aff-new-position": "x" * 201},
            "affiliations",
            "Введите должность не длиннее 200 символов",
        ),
        (
            {"aff-new-centre_id": "1", "aff-new-start_date": "2015-13-45"},
            "affiliations",
            "Введите каждую дату",
        ),
    ],
)
def test_a_refused_field_is_named_in_the_visitors_language(
    caller, make_user, db_session, changes, field, message
):
    user = make_user()
    expert, client = user.expert, caller(user)
    client.client.set_cookie("lang", "ru")
    hidden = form_of(client.get(edit_path(expert)).text)
    refused = client.post(edit_path(expert), data=filled(expert, **hidden, **changes))
    assert refused.status_code == 422
    assert f'href="#{field}"' in refused.text and message in refused.text
    db_session.refresh(expert)
    assert expert.version == int(hidden["version"])  # nothing written


def test_an_orcid_of_another_profile_is_refused(caller, make_user, db_session):
    f.ExpertFactory(orcid="0000-0002-1825-0097")
    user = make_user()
    client = caller(user)
    hidden = form_of(client.get(edit_path(user.expert)).text)
    body = filled(user.expert, orcid="0000-0002-1825-0097", **hidden)
    refused = client.post(edit_path(user.expert), data=body)
    assert refused.status_code == 409 and "This ORCID iD belongs to another profile" in refused.text


def test_who_may_edit_which_profile(caller, make_user, db_session):
    owner, other, organiser = make_user(), make_user(), make_user("organiser")
    nobodys = f.ExpertFactory()
    db_session.flush()
    assert caller(other).get(edit_path(owner.expert)).status_code == 403
    assert caller(organiser).get(edit_path(owner.expert)).status_code == 403
    assert caller(organiser).get(edit_path(nobodys)).status_code == 200
    anonymous = caller().get(edit_path(owner.expert))
    assert anonymous.headers["Location"] == f"/login?next={edit_path(owner.expert)}"
    assert "Edit this profile" not in caller(other).get(f"/experts/{owner.expert.id}").text


@pytest.mark.parametrize(
    ("hidden", "status"),
    [
        ({"version": "1"}, 400),  # no held: not the page's form, nothing to read rows by
        ({"version": "1", "held": "abc"}, 400),
        ({"version": "²", "held": "0"}, 409),  # a digit int() refuses: no 500
        ({"held": "0"}, 409),
    ],
)
def test_a_form_not_from_the_page_changes_nothing(caller, make_user, db_session, hidden, status):
    user = make_user()
    f.AffiliationFactory(expert=user.expert)
    db_session.flush()
    response = caller(user).post(edit_path(user.expert), data=filled(user.expert, **hidden))
    assert response.status_code == status
    db_session.refresh(user.expert)
    assert len(user.expert.affiliations) == 1 and user.expert.version == 1


def test_an_unknown_topic_is_told_so(caller, make_user, db_session):
    user = make_user()
    client = caller(user)
    hidden = form_of(client.get(edit_path(user.expert)).text)
    body = filled(user.expert, topic_ids=["99999"], **hidden)
    refused = client.post(edit_path(user.expert), data=body)
    assert refused.status_code == 422 and "Choose topics from the list" in refused.text
