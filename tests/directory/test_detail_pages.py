"""The directory's record pages: an expert, a centre, a publication; 404s; what a viewer
may see of forum sessions (the API's rules)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from app.models import Centre, Expert, Publication
from app.site.labels import LABELS
from tests import factories as f


def page_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def speak(client, lang: str) -> None:
    """Switch the client's language. The tests hold one app context across requests, where
    Flask-Babel keeps the first request's locale: forget it."""
    client.set_cookie("lang", lang)
    refresh()


def h1(page: str) -> str:
    inner = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", inner)).strip()


def section(page: str, heading_id: str) -> str:
    """The text of one ``<section>`` of the page, found by its heading's id."""
    start = page.index(f'<h2 id="{heading_id}">')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def shibutov(db_session) -> Expert:
    return db_session.scalars(sa.select(Expert).filter_by(full_name="Marat Shibutov")).one()


@pytest.mark.parametrize(
    ("lang", "name", "affiliations"),
    [
        ("en", "Marat Shibutov", "Affiliations"),
        ("ru", "Марат Шибутов", "Места работы"),
        ("kk", "Марат Шибутов", "Жұмыс орындары"),
    ],
)
def test_an_expert_in_each_language(client, shibutov, lang, name, affiliations):
    client.set_cookie("lang", lang)
    page = page_of(client, f"/experts/{shibutov.id}")
    assert h1(page) == name
    assert f'<h2 id="affiliations">{affiliations}</h2>' in page
    centre = shibutov.affiliations[0].centre
    # No Kazakh name: the Russian one (app.core.i18n.name_in)
    assert centre.name_kk is None and centre.name_ru
    expected = {"en": centre.name_en, "ru": centre.name_ru, "kk": centre.name_ru}
    assert f'<a href="/centres/{centre.id}">{expected[lang]}</a>' in section(page, "affiliations")


def test_an_expert_shows_what_the_api_computes(client, shibutov):
    """Topics, publications and collaborators across the border: the API's own detail."""
    detail = client.get(f"/api/v1/experts/{shibutov.id}").get_json()
    page = page_of(client, f"/experts/{shibutov.id}")
    published = section(page, "publications")
    assert [int(i) for i in re.findall(r'href="/publications/(\d+)"', published)] == [
        p["id"] for p in detail["publications"]
    ]
    collaborators = section(page, "collaborators")
    assert [int(i) for i in re.findall(r'href="/experts/(\d+)"', collaborators)] == [
        c["id"] for c in detail["collaborators_abroad"]
    ]
    assert "Yuri Solozobov" in collaborators and "1 joint publication" in collaborators
    topics = section(page, "topics")
    assert len(re.findall(r'href="/experts\?topic=\d+"', topics)) == len(detail["topic_ids"]) > 0
    assert "Eurasian integration" in topics


def test_a_profile_shows_a_change_at_once(client, db_session):
    """A profile's content is drawn once per language and distinct content (per_language()):
    a change to the expert is a new key, so the next request shows it, in each language."""
    expert = f.ExpertFactory(full_name="Memo Expert")
    db_session.flush()
    path = f"/experts/{expert.id}"
    assert "No topics recorded." in section(page_of(client, path), "topics")
    water = f.TopicFactory(name_en="Water diplomacy", name_ru="Водная дипломатия")
    expert.topics.append(water)
    db_session.flush()
    assert "Water diplomacy" in section(page_of(client, path), "topics")
    speak(client, "ru")
    assert "Водная дипломатия" in section(page_of(client, path), "topics")
    expert.topics.remove(water)
    db_session.flush()
    assert "Водная дипломатия" not in section(page_of(client, path), "topics")
    speak(client, "en")
    assert "No topics recorded." in section(page_of(client, path), "topics")


def test_affiliation_dates_follow_the_locale(client, db_session):
    expert = f.ExpertFactory(full_name="Dated Expert")
    f.AffiliationFactory(
        expert=expert, start_date=dt.date(2015, 3, 2), end_date=dt.date(2019, 11, 30)
    )
    f.AffiliationFactory(expert=expert, start_date=dt.date(2020, 1, 15), end_date=None)
    db_session.flush()
    english = section(page_of(client, f"/experts/{expert.id}"), "affiliations")
    assert "Mar 2, 2015 to Nov 30, 2019" in english and "since Jan 15, 2020; current" in english
    speak(client, "ru")
    russian = section(page_of(client, f"/experts/{expert.id}"), "affiliations")
    assert "с 2 мар. 2015\u202fг. по 30 нояб. 2019\u202fг." in russian  # CLDR: a narrow space
    assert "по настоящее время" in russian


def test_sessions_follow_the_apis_visibility(client, caller, make_user, db_session, shibutov):
    """A draft forum's session is shown to organisers, never to the public."""
    published = f.ForumFactory(status="published")
    shown = f.SessionFactory(forum=published, title="Open panel", status="published")
    hidden = f.SessionFactory(forum=f.ForumFactory(), title="Secret draft panel")
    for session in (shown, hidden):
        f.ParticipationFactory(session=session, expert=shibutov, status="accepted")
    db_session.flush()
    public = section(page_of(client, f"/experts/{shibutov.id}"), "sessions")
    assert "Open panel" in public and "Secret draft panel" not in public
    assert "Speaker" in public and "Invitation accepted" not in public
    organiser = caller(make_user("organiser")).client
    staff = section(page_of(organiser, f"/experts/{shibutov.id}"), "sessions")
    assert "Open panel" in staff and "Secret draft panel" in staff
    api = organiser.get(f"/api/v1/experts/{shibutov.id}").get_json()
    assert {p["session_title"] for p in api["participations"]} >= {
        "Open panel",
        "Secret draft panel",
    }


def test_an_invited_expert_sees_their_draft_session(caller, make_user, db_session):
    """An expert invited to a draft session sees it on a profile, another expert does not
    (the viewer's expert id read afresh, not from a loaded profile)."""
    invited, other = make_user(), make_user()
    draft = f.SessionFactory(forum=f.ForumFactory(), title="Secret draft panel")
    f.ParticipationFactory(session=draft, expert=invited.expert, status="accepted")
    profile = f"/experts/{invited.expert.id}"
    db_session.flush()
    db_session.expire_all()
    assert "Secret draft panel" in section(page_of(caller(invited).client, profile), "sessions")
    assert "Secret draft panel" not in section(page_of(caller(other).client, profile), "sessions")


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_centre_in_each_language(client, db_session, lang):
    centre = db_session.scalars(sa.select(Centre).filter_by(acronym="IISPS")).one()
    client.set_cookie("lang", lang)
    page = page_of(client, f"/centres/{centre.id}")
    names = {"en": centre.name_en, "ru": centre.name_ru, "kk": centre.name_kk or centre.name_ru}
    assert h1(page) == names[lang]  # IISPS is our coinage (acronym_source: coined): not shown
    kaziss = db_session.scalars(sa.select(Centre).filter_by(acronym="KazISS")).one()
    assert h1(page_of(client, f"/centres/{kaziss.id}")).endswith(" (KazISS)")
    country = {"en": "Kazakhstan", "ru": "Казахстан", "kk": "Қазақстан"}[lang]
    assert f"<dd>{country}</dd>" in page
    # A Russian page once read "Город Moscow".
    imemo = db_session.scalars(sa.select(Centre).filter_by(acronym="IMEMO")).one()
    city = {"en": "Moscow", "ru": "Москва", "kk": "Мәскеу"}[lang]
    assert f"<dd>{city}</dd>" in page_of(client, f"/centres/{imemo.id}")
    listed = page_of(client, "/centres?country=RU")
    assert f", {city}" in listed and (lang == "en" or ", Moscow" not in listed)
    experts = section(page, "experts")
    assert {"en": "Marat Shibutov", "ru": "Марат Шибутов", "kk": "Марат Шибутов"}[lang] in experts
    partners = section(page, "partners")
    assert re.search(r'href="/centres/\d+"', partners)


def test_a_centre_shows_its_parent_and_units(client, db_session):
    parent = f.CentreFactory(name_en="Parent Institute", city="Almaty", country_code="KZ")
    unit = f.CentreFactory(name_en="Unit of the Institute", parent=parent, country_code="KZ")
    db_session.flush()
    page = page_of(client, f"/centres/{parent.id}")
    assert f'<a href="/centres/{unit.id}">Unit of the Institute</a>' in section(page, "units")
    assert "<dd>Almaty</dd>" in page
    page = page_of(client, f"/centres/{unit.id}")
    assert f'<a href="/centres/{parent.id}">Parent Institute</a>' in page
    speak(client, "ru")
    assert f'<a href="/centres/{parent.id}">{parent.name_ru}</a>' in page_of(
        client, f"/centres/{unit.id}"
    )


def test_a_publication_links_its_authors(client, db_session):
    centre = f.CentreFactory(name_en="Authoring Centre")
    publication = f.PublicationFactory(
        title="A joint study",
        kind="report",
        year=2022,
        doi="10.1234/joint.2022",
        abstract="What the two countries found together.",
        visibility="departmental",
        language="ru",
    )
    known = f.ExpertFactory(full_name="Known Author", other_names=["Известный Автор"])
    f.AuthorshipFactory(publication=publication, position=1, expert=known, centre=centre)
    f.AuthorshipFactory(publication=publication, position=2, expert=None, raw_name="A. Guest")
    db_session.flush()
    page = page_of(client, f"/publications/{publication.id}")
    assert '<h1 lang="ru">A joint study</h1>' in page  # spoken in the work's language
    assert f'<a href="/experts/{known.id}">Known Author</a>' in page
    assert f'<a href="/centres/{centre.id}">Authoring Centre</a>' in page
    assert "A. Guest" in page
    assert '<a href="https://doi.org/10.1234/joint.2022">10.1234/joint.2022</a>' in page
    assert "What the two countries found together." in page
    assert "<dd>2022</dd>" in page and "<dd>Report</dd>" in page and "<dd>Departmental</dd>" in page
    speak(client, "kk")
    page = page_of(client, f"/publications/{publication.id}")
    assert "Известный Автор</a>" in page and "<dd>Баяндама</dd>" in page
    assert "<dd>Ведомстволық қолжетімділік</dd>" in page and "<dd>Орыс тілі</dd>" in page


@pytest.mark.parametrize("kind", ["experts", "centres", "publications"])
@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "Page not found"), ("ru", "Страница не найдена"), ("kk", "Бет табылмады")],
)
def test_a_missing_record_is_a_404_page(client, kind, lang, title):
    client.set_cookie("lang", lang)
    response = client.get(f"/{kind}/2147483000")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert h1(response.get_data(as_text=True)) == title


def test_an_id_past_any_integer_is_a_plain_404(client):
    assert client.get("/experts/99999999999999").status_code == 404


@pytest.mark.parametrize(
    ("model", "path"),
    [(Expert, "/experts/{}"), (Centre, "/centres/{}"), (Publication, "/publications/{}")],
)
def test_every_seeded_record_has_a_page(client, db_session, model, path):
    ids = db_session.scalars(sa.select(model.id)).all()
    assert ids
    for record_id in ids:
        assert client.get(path.format(record_id)).status_code == 200, record_id


def test_every_vocabulary_value_has_a_label():
    from app.centres.models import CentreKind, Visibility
    from app.forums.models import ParticipationRole, ParticipationStatus
    from app.publications.models import PublicationKind

    for vocabulary, enum in (
        ("centre_kind", CentreKind),
        ("publication_kind", PublicationKind),
        ("visibility", Visibility),
        ("role", ParticipationRole),
        ("status", ParticipationStatus),
    ):
        assert set(LABELS[vocabulary]) == {member.value for member in enum}, vocabulary


def test_search_results_link_to_the_pages(client, shibutov):
    page = client.get("/search?q=Шибутов").get_data(as_text=True)
    assert f'<a href="/experts/{shibutov.id}">Marat Shibutov</a>' in page
    assert "/api/v1/" not in page.split('id="results"')[1].split("</main>")[0]


@pytest.mark.parametrize(
    ("page", "heading"),
    [
        ("expert", "Marat Shibutov"),
        ("centre", "International Institute of Sociology and Political Science"),
        ("publication", "Российско-казахстанские отношения на современном этапе."),
    ],
)
def test_the_browser_tests_record_pages_are_the_seeded_ones(client, page, heading):
    """The browser tests' PAGES name records by id (their database is seeded the same way)."""
    from tests.browser.harness import PAGES

    assert h1(page_of(client, PAGES[page])).startswith(heading)


def test_a_profile_runs_a_fixed_number_of_statements(caller, make_user, db_session, count_queries):
    """More topics, affiliations, works, sessions and collaborators abroad, not more
    statements: an expert viewer (whose invitations count) on a growing profile."""
    viewer = caller(make_user("expert")).client
    expert = f.ExpertFactory(full_name="Counted Profile", country_code="KZ")
    counts, pages = [], []
    for _ in range(2):
        db_session.flush()
        viewer.get(f"/experts/{expert.id}")
        with count_queries() as counter:
            pages.append(page_of(viewer, f"/experts/{expert.id}"))
        counts.append(counter.count)
        for _ in range(3):
            expert.topics.append(f.TopicFactory())
            f.AffiliationFactory(expert=expert)
            work = f.PublicationFactory()
            f.AuthorshipFactory(expert=expert, publication=work, position=1)
            f.AuthorshipFactory(
                expert=f.ExpertFactory(country_code="RU"), publication=work, position=2
            )
            session = f.SessionFactory(forum=f.ForumFactory(status="published"), status="published")
            for who in (expert, f.ExpertFactory(country_code="RU")):
                f.ParticipationFactory(session=session, expert=who, status="accepted")
    assert "1 shared session" in section(pages[1], "collaborators")
    assert "1 joint publication" in section(pages[1], "collaborators")
    assert counts[0] == counts[1], counts
    assert counts[0] <= 11, counts
