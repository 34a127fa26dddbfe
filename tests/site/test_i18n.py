"""Names in the interface's script (app.core.i18n.person_name)."""

from __future__ import annotations

import pytest

from app.core.i18n import name_in, person_name

SHIBUTOV = ["Шибутов Марат", "Шибутов М.", "Marat Shibutov"]
AIGERIM = ["Aigerim Toleubekkyzy", "Айгерим Тулеубеккызы"]


@pytest.mark.parametrize(
    ("lang", "full_name", "other_names", "shown"),
    [
        ("en", "Marat Shibutov", SHIBUTOV, "Marat Shibutov"),
        ("ru", "Marat Shibutov", SHIBUTOV, "Шибутов Марат"),  # the full spelling first
        ("kk", "Askar Nursha", ["Аскар Нурша", "Асқар Нұрша"], "Асқар Нұрша"),  # Kazakh letters
        ("kk", "Marat Shibutov", SHIBUTOV, "Шибутов Марат"),  # else the Russian
        ("ru", "N. Malyarchuk", ["Н. Малярчук"], "Н. Малярчук"),  # initials beat Latin
        ("ru", "Ivan Petrov", [], "Ivan Petrov"),
        # A Kazakh expert's own Cyrillic name: hers in Kazakh, the Russian respelling in Russian.
        ("kk", "Айгерім Төлеубекқызы", AIGERIM, "Айгерім Төлеубекқызы"),
        ("ru", "Айгерім Төлеубекқызы", AIGERIM, "Айгерим Тулеубеккызы"),
        ("ru", "Айгерім Төлеубекқызы", [], "Айгерім Төлеубекқызы"),
        ("ru", "Иван Петров", ["Ivan Petrov"], "Иван Петров"),
    ],
)
def test_a_persons_name_in_the_interfaces_script(lang, full_name, other_names, shown):
    assert person_name(lang, full_name, other_names) == shown


@pytest.mark.parametrize(
    ("lang", "names", "shown"),
    [
        ("en", {"en": "Institute", "ru": "Институт", "kk": "Институты"}, "Institute"),
        ("ru", {"en": "Institute", "ru": "Институт", "kk": "Институты"}, "Институт"),
        ("kk", {"en": "Institute", "ru": "Институт", "kk": "Институты"}, "Институты"),
        ("kk", {"en": "Institute", "ru": "Институт"}, "Институт"),  # else the Russian
        ("kk", {"en": "Institute", "ru": None, "kk": ""}, "Institute"),  # else the Latin
        ("ru", {"en": "Institute", "kk": "Институты"}, "Institute"),  # never the Kazakh
    ],
)
def test_a_records_name_in_the_interfaces_language(lang, names, shown):
    assert name_in(lang, **names) == shown


def test_per_language_keeps_what_every_page_draws(app, monkeypatch):
    """Past its bound, per_language() lets go of what was drawn least recently: a crawl of
    many distinct profiles does not push out the menu every page draws."""
    from app.core import i18n

    monkeypatch.setattr(i18n, "PER_LANGUAGE_MAX", 3)
    with app.test_request_context("/"):
        i18n.per_language("_main_nav.html")
        drawn = app.extensions["per_language"]
        drawn.clear()
        menu = i18n.per_language("_main_nav.html")
        for n in range(10):  # another profile each time, and the menu on every page
            i18n.per_language("_footer.html", profile=n)
            assert i18n.per_language("_main_nav.html") is menu  # kept, not drawn again
        assert len(drawn) == 3
        kept = [key[0] for key in drawn]
        assert kept.count("_main_nav.html") == 1 and kept.count("_footer.html") == 2
        drawn.clear()
