"""Names in the interface's script (app.core.i18n.person_name)."""

from __future__ import annotations

import pytest

from app.core.i18n import person_name

SHIBUTOV = ["Шибутов Марат", "Шибутов М.", "Marat Shibutov"]


@pytest.mark.parametrize(
    ("lang", "full_name", "other_names", "shown"),
    [
        ("en", "Marat Shibutov", SHIBUTOV, "Marat Shibutov"),
        ("ru", "Marat Shibutov", SHIBUTOV, "Шибутов Марат"),  # the full spelling first
        ("kk", "Askar Nursha", ["Аскар Нурша", "Асқар Нұрша"], "Асқар Нұрша"),  # Kazakh letters
        ("kk", "Marat Shibutov", SHIBUTOV, "Шибутов Марат"),  # else the Russian
        ("ru", "N. Malyarchuk", ["Н. Малярчук"], "Н. Малярчук"),  # initials beat Latin
        ("ru", "Ivan Petrov", [], "Ivan Petrov"),
    ],
)
def test_a_persons_name_in_the_interfaces_script(lang, full_name, other_names, shown):
    assert person_name(lang, full_name, other_names) == shown
