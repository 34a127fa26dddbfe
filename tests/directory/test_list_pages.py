"""The directory's list pages: the API's filters and search, pagination, the export links,
htmx fragments, and refused arguments as a 400 page in the visitor's language."""

from __future__ import annotations

import html as htmlib
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import sqlalchemy as sa

from app.core.i18n import per_language
from app.core.pages import PAGE_SIZE
from app.reference.models import Topic
from tests import factories as f

H1 = {
    "/experts": {"en": "Experts", "ru": "Эксперты", "kk": "Сарапшылар"},
    "/centres": {"en": "Centres", "ru": "Аналитические центры", "kk": "Талдау орталықтары"},
    "/publications": {"en": "Publications", "ru": "Публикации", "kk": "Жарияланымдар"},
}
# A string each language's list pages show: the form's button.
APPLY = {"en": "Apply filters", "ru": "Применить фильтры", "kk": "Сүзгілерді қолдану"}


def h1s(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    ]


def linked_ids(page: str, kind: str) -> list[int]:
    """The ids of the records the results region links to, in order."""
    results = page[page.index('id="results"') :] if 'id="results"' in page else page
    return [int(i) for i in re.findall(rf'<li>\s*<a href="/{kind}/(\d+)"', results)]


def api_ids(client, kind: str, args: dict) -> list[int]:
    response = client.get(f"/api/v1/{kind}", query_string={**args, "page_size": 20})
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()]


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
@pytest.mark.parametrize("path", list(H1))
def test_each_list_in_each_language(client, path, lang):
    client.set_cookie("lang", lang)
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert re.search(r'<html lang="([^"]+)"', page).group(1) == lang
    assert h1s(page) == [H1[path][lang]]
    assert APPLY[lang] in page
    assert f'<a href="{path}">{H1[path][lang]}</a>' in page  # the main navigation


@pytest.mark.parametrize("q", ["Шибутов", "shibutov", "SHIBUTOV"])
def test_experts_search_finds_shibutov_in_either_script(client, q):
    page = client.get("/experts", query_string={"q": q}).get_data(as_text=True)
    assert re.search(r'<a href="/experts/\d+">Marat Shibutov</a>', page)
    assert linked_ids(page, "experts") == api_ids(client, "experts", {"q": q})


@pytest.mark.parametrize(
    ("kind", "args"),
    [
        ("experts", {}),
        ("experts", {"country": "RU"}),
        ("experts", {"country": "KZ", "sort": "-name"}),
        ("experts", {"verified": "false", "q": "shibutov"}),
        ("centres", {}),
        ("centres", {"country": "KZ"}),
        ("centres", {"kind": "state", "sort": "-name"}),
        ("centres", {"q": "ИМЭМО"}),
        ("publications", {}),
        ("publications", {"year_from": "2020", "year_to": "2023"}),
        ("publications", {"kind": "report", "sort": "title"}),
        ("publications", {"q": "дорожная карта"}),
    ],
)
def test_the_page_lists_what_the_api_lists(client, kind, args):
    """One rule, one place: the page shows the API's first page, in the API's order."""
    page = client.get(f"/{kind}", query_string=args).get_data(as_text=True)
    expected = api_ids(client, kind, args)
    assert linked_ids(page, kind) == expected
    if args:
        assert expected, "a case that lists nothing proves little"


def test_a_filter_changes_what_is_listed(client):
    everyone = linked_ids(client.get("/experts").get_data(as_text=True), "experts")
    russians = linked_ids(client.get("/experts?country=RU").get_data(as_text=True), "experts")
    assert russians and set(russians) < set(everyone)


@pytest.mark.parametrize(("lang", "any_country"), [("en", "Any country"), ("ru", "Любая страна")])
def test_each_select_follows_its_own_request(client, lang, any_country):
    """The filter fields are drawn once per distinct input (``per_language()``): a choice,
    an error or a language shows only on the request that has it."""
    client.set_cookie("lang", lang)
    chosen = '<option value="KZ" selected>'
    assert chosen in client.get("/experts?country=KZ").get_data(as_text=True)
    assert chosen not in client.get("/experts").get_data(as_text=True)
    refused = client.get("/experts?verified=perhaps")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="verified-error"' in page
    assert any_country in page
    page = client.get("/experts?verified=true").get_data(as_text=True)
    assert 'id="verified-error"' not in page and any_country in page


def test_a_new_topic_is_offered_at_once(client, db_session):
    """The options are part of what the drawn form is kept under: a topic added after the
    form was first drawn is offered on the next request."""
    assert "Water diplomacy" not in client.get("/experts").get_data(as_text=True)
    water = Topic(slug="water-diplomacy", name_en="Water diplomacy", name_ru="Водная дипломатия")
    db_session.add(water)
    db_session.flush()
    assert f'<option value="{water.id}">Water diplomacy</option>' in client.get(
        "/experts"
    ).get_data(as_text=True)


def test_a_drawn_part_takes_only_plain_values(app, db_session):
    """An ORM object would be a new key on every request (it hashes by identity)."""
    topic = db_session.scalars(sa.select(Topic)).first()
    with app.test_request_context("/experts"), pytest.raises(TypeError, match="plain values"):
        per_language("experts/_filters.html", form={"topics": [topic]}, chosen={}, errors={})


def test_the_form_shows_what_was_asked(client):
    page = client.get("/publications?kind=report&year_from=2020&q=карта").get_data(as_text=True)
    assert '<option value="report" selected>' in page
    assert re.search(r'id="year_from"[^>]*value="2020"', page, re.S)
    assert 'value="карта"' in page
    assert "<details open>" in page  # a filter in use keeps the filters open


def test_empty_fields_of_a_sent_form_mean_any(client):
    """Without JavaScript the form sends every field, the unused ones empty."""
    sent = client.get("/experts?q=&country=&topic=&verified=&sort=")
    assert sent.status_code == 200
    assert linked_ids(sent.get_data(as_text=True), "experts") == api_ids(client, "experts", {})


@pytest.fixture
def many_experts(db_session):
    """45 experts of one country beyond the seeded ones: three pages."""
    for n in range(45):
        f.ExpertFactory(full_name=f"Zz Pagination {n:02d}", country_code="KZ")
    db_session.flush()


def test_pagination_keeps_the_filters(client, many_experts):
    args = {"q": "pagination", "country": "KZ"}
    first = client.get("/experts", query_string=args).get_data(as_text=True)
    assert "45 experts" in first and "Page 1 of 3" in first
    assert 'rel="prev"' not in first
    next_link = htmlib.unescape(re.search(r'<a rel="next" href="([^"]+)"', first).group(1))
    assert dict(parse_qsl(urlsplit(next_link).query)) == {**args, "page": "2"}

    second = client.get(next_link).get_data(as_text=True)
    assert "Page 2 of 3" in second and 'rel="prev"' in second and 'rel="next"' in second
    assert linked_ids(second, "experts") == api_ids(client, "experts", {**args, "page": 2})
    assert set(linked_ids(first, "experts")).isdisjoint(linked_ids(second, "experts"))

    last = client.get("/experts", query_string={**args, "page": 3}).get_data(as_text=True)
    assert len(linked_ids(last, "experts")) == 5 and 'rel="next"' not in last


def test_pagination_in_russian(client, many_experts):
    client.set_cookie("lang", "ru")
    page = client.get("/experts?q=pagination&page=2").get_data(as_text=True)
    assert "45 экспертов" in page and "Страница 2 из 3" in page
    assert "Следующая страница" in page and "Предыдущая страница" in page


def test_a_page_past_the_end_says_so(client):
    response = client.get("/experts?country=KZ&page=999")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert linked_ids(page, "experts") == []
    assert "There are no results on this page." in page
    assert '<a href="/experts?country=KZ">Go to the first page</a>' in page


@pytest.mark.parametrize(
    ("kind", "args", "exports"),
    [
        ("experts", {"q": "shibutov", "country": "KZ"}, ["csv"]),
        ("centres", {"kind": "state"}, ["csv"]),
        ("publications", {"year_from": "2018"}, ["csv", "bibtex", "csl-json"]),
    ],
)
def test_download_links_export_the_same_filters(client, kind, args, exports):
    page = client.get(f"/{kind}", query_string={**args, "page": 1}).get_data(as_text=True)
    links = [htmlib.unescape(href) for href in re.findall(r'<a href="([^"]+)" download>', page)]
    assert [dict(parse_qsl(urlsplit(link).query))["format"] for link in links] == exports
    for link in links:
        assert urlsplit(link).path == f"/api/v1/{kind}"
        query = dict(parse_qsl(urlsplit(link).query))
        assert {k: v for k, v in query.items() if k != "format"} == args  # no page
    csv = client.get(links[0])
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    rows = csv.get_data(as_text=True).strip().splitlines()
    assert len(rows) - 1 == len(api_ids(client, kind, args)) > 0


def test_the_shibutov_csv_names_him(client):
    page = client.get("/experts?q=Шибутов").get_data(as_text=True)
    link = htmlib.unescape(re.search(r'<a href="([^"]+)" download>', page).group(1))
    assert "Marat Shibutov" in client.get(link).get_data(as_text=True)


def test_htmx_gets_only_the_results(client):
    response = client.get("/experts?q=shibutov", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<html" not in fragment and "<form" not in fragment and "<h1" not in fragment
    assert re.search(r'<a href="/experts/\d+">Marat Shibutov</a>', fragment)
    assert "HX-Request" in response.vary
    whole = client.get("/experts?q=shibutov").get_data(as_text=True)
    assert "<html" in whole and 'id="results" aria-live="polite"' in whole


def test_a_history_restore_gets_the_whole_page(client):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    page = client.get("/centres?q=IMEMO", headers=headers).get_data(as_text=True)
    assert "<html" in page and h1s(page) == ["Centres"]


def test_the_form_searches_as_you_type_and_works_without_javascript(client):
    page = client.get("/experts").get_data(as_text=True)
    form = re.search(r"<form class=\"filters\"[^>]*>", page, re.S).group(0)
    assert 'method="get"' in form and 'action="/experts"' in form  # no JavaScript needed
    assert 'hx-get="/experts"' in form and 'hx-target="#results"' in form
    assert 'hx-push-url="true"' in form and "delay:300ms" in form
    assert re.search(r'<label for="q">[^<]+</label>\s*<input id="q" name="q" type="search"', page)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/experts?country=kz1", "country"),
        ("/experts?topic=abc", "topic"),
        ("/experts?verified=perhaps", "verified"),
        ("/experts?sort=age", "sort"),
        ("/experts?page=0", "page"),
        ("/experts?page=x", "page"),
        ("/experts?q=" + "x" * 201, "q"),
        ("/centres?kind=palace", "kind"),
        ("/centres?region=-1", "region"),
        ("/publications?year_from=1800", "year_from"),
        ("/publications?year_to=soon", "year_to"),
        ("/publications?format=csv", "format"),
        ("/publications?colour=red", "colour"),
    ],
)
def test_a_refused_argument_is_a_400_page_naming_it(client, path, field):
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert 'class="error-summary" role="alert"' in page
    assert 'id="results"' in page and 'class="directory-list"' not in page  # nothing listed
    if field in {"q", "country", "topic", "verified", "sort", "kind", "region", "year_from"}:
        assert f'<a href="#{field}">' in page  # the summary links to the field…
        assert f'id="{field}-error"' in page  # …which says what is wrong beside it
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page, re.S)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Enter a year from 1900 to 2100."),
        ("ru", "Введите год от 1900 до 2100."),
        ("kk", "1900 бен 2100 аралығындағы жылды енгізіңіз."),
    ],
)
def test_the_400_page_speaks_the_visitors_language(client, lang, message):
    client.set_cookie("lang", lang)
    page = client.get("/publications?year_to=3000").get_data(as_text=True)
    assert message in page
    assert {"en": "There is a problem", "ru": "Есть ошибки", "kk": "Қателер бар"}[lang] in page
    title = {"en": "Error: Publications", "ru": "Ошибка: Публикации", "kk": "Қате: Жарияланымдар"}
    assert f"<title>{title[lang]} · " in page


@pytest.mark.parametrize("kind", ["publications", "projects"])
def test_years_that_end_before_they_start_are_refused_not_listed_empty(client, kind):
    # Once answered "0 publications", as if nothing had been found.
    api = client.get(f"/api/v1/{kind}", query_string={"year_from": 2030, "year_to": 2000})
    assert api.status_code == 422
    assert api.get_json()["errors"]["query"] == {"year_to": ["Must not come before year_from."]}
    if kind == "publications":
        client.set_cookie("lang", "ru")
        page = client.get("/publications?year_from=2030&year_to=2000")
        assert page.status_code == 400 and 'href="#year_to"' in page.text
        assert "Введите последний год не раньше первого." in page.text


def test_an_unknown_filter_is_named(client):
    client.set_cookie("lang", "ru")
    page = client.get("/centres?colour=red").get_data(as_text=True)
    assert "На этой странице нет фильтра «colour»." in page


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("en", ["Marat Shibutov", "Askar Nursha"]),
        ("ru", ["Марат Шибутов"]),
        ("kk", ["Марат Шибутов", "Асқар Нұрша"]),
    ],
)
def test_names_show_in_the_interface_script(client, lang, names):
    client.set_cookie("lang", lang)
    page = client.get("/experts?country=KZ").get_data(as_text=True)
    for name in names:
        assert re.search(rf'<a href="/experts/\d+">{name}</a>', page), name


def test_centre_names_and_labels_in_the_interface_language(client):
    client.set_cookie("lang", "kk")
    page = client.get("/centres?country=KZ").get_data(as_text=True)
    assert "Қазақстан" in page  # the country, in Kazakh
    assert "Мемлекеттік институт" in page or "Тәуелсіз талдау орталығы" in page
    assert "Any kind" not in page and "Кез келген түр<" in page


def add_listed(n: int, tag: str) -> None:
    """``n`` more of everything each list shows, each with its own links."""
    for i in range(n):
        centre = f.CentreFactory(country_code="KZ")
        expert = f.ExpertFactory(full_name=f"Aa Counted {tag} {i}")
        f.AffiliationFactory(expert=expert, centre=centre, end_date=None)
        f.AuthorshipFactory(expert=expert, centre=centre)


@pytest.mark.parametrize("path", ["/experts", "/centres", "/publications"])
def test_a_list_page_runs_a_fixed_number_of_statements(client, db_session, count_queries, path):
    """More rows on the page, not more statements: what a row shows is loaded with it.
    (Full pages both times: a page that is not full needs no COUNT, tested below.)"""
    add_listed(PAGE_SIZE, "first")
    counts = []
    for round_ in range(2):
        db_session.flush()
        client.get(path)  # the request's commit settles what the factories wrote (the ledger)
        with count_queries() as counter:
            assert client.get(path, headers={"HX-Request": "true"}).status_code == 200
        counts.append(counter.count)
        add_listed(8, str(round_))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8, counts


def test_a_page_that_is_not_full_runs_no_count(client, db_session, count_queries):
    """A page of fewer rows than fit ends the list: its length is the total, uncounted."""
    answers, counted = [], []
    for n in (3, PAGE_SIZE):  # 3 match, then 23: a full first page
        add_listed(n, str(n))
        db_session.flush()
        client.get("/experts", query_string={"q": "Aa Counted"})
        with count_queries() as counter:
            answer = client.get(
                "/experts", query_string={"q": "Aa Counted"}, headers={"HX-Request": "true"}
            )
        answers.append(answer.get_data(as_text=True))
        counted.append(sum("count(*)" in s.lower() for s in counter.statements))
    assert "3 experts" in answers[0] and "23 experts" in answers[1]
    assert counted == [0, 1], counted


def test_the_search_page_leads_to_the_whole_list(client):
    """/search shows a few of each kind; past those, a link to the kind's list of them all."""
    page = client.get("/search?q=Казахстан").get_data(as_text=True)
    link = re.search(r'<a href="(/publications\?q=[^"]+)">See all (\d+)</a>', page)
    assert link, "no link to the whole list"
    listed = client.get(htmlib.unescape(link.group(1))).get_data(as_text=True)
    assert len(linked_ids(listed, "publications")) == int(link.group(2)) > 5


def test_htmx_with_a_refused_argument_gets_a_400_fragment(client):
    response = client.get("/publications?year_from=3000", headers={"HX-Request": "true"})
    assert response.status_code == 400
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and 'class="directory-list"' not in fragment
    # htmx swaps it in (base.html's responseHandling): it says what is wrong, linked to
    # the field, in place of results that no longer match the form.
    assert 'class="error-summary"' in fragment and 'href="#year_from"' in fragment
    assert "Enter a year from 1900 to 2100." in fragment


def test_the_filter_form_leaves_checking_to_the_site(client):
    """The browser's own check would block a refused year with a bubble in the browser's
    language (and htmx would not ask): the site's translated message comes instead."""
    page = client.get("/publications").get_data(as_text=True)
    assert re.search(r'<form class="filters"[^>]*\bnovalidate\b', page)
