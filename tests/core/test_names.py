"""Name keys meet across scripts and spellings."""

import pytest

from app.core.names import name_key, name_words

SAME = [
    ("Шибутов", "Shibutov", "Şibutov", "SHIBUTOV"),
    ("Юрий Солозобов", "Yuri Solozobov", "Yuriy Solozobov", "Iurii Solozobov", "Yury Solozobov"),
    ("Гульмира Илеуова", "Gulmira Ileuova", "Гүлмира Ілеуова", "Gul'mira Ileuova"),
    ("Қасым-Жомарт", "Kassym-Jomart", "Kasym-Zhomart", "Qasym Jomart"),
    ("ИМЭМО", "IMEMO", "imemo"),
    ("Полетаев", "Poletayev", "Poletaev"),
    ("Ашимбаев", "Ashimbayev", "Ashimbaev"),
    ("Семёнов", "Semyonov", "Semenov"),
    ("Ғалым", "Galym", "Ghalym"),
    ("Нұрсұлтан", "Nursultan", "Nūrsūltan"),
    ("Әділ", "Adil", "Ädil"),
    ("Мұқанов", "Mukanov", "Muqanov"),
    ("Ильясов", "Ilyasov", "Iliyasov", "Ильясов"),
    ("Жанар", "Zhanar", "Janar"),
    ("Наталья", "Natalya", "Natalia", "Natal'ya"),
    ("Данияр", "Daniyar", "Daniiar"),
    ("Евгений", "Yevgeny", "Evgeniy", "Evgeny"),
]


@pytest.mark.parametrize("spellings", SAME, ids=lambda s: s[0])
def test_spellings_share_a_key(spellings):
    keys = {name_key(s) for s in spellings}
    assert len(keys) == 1, {s: name_key(s) for s in spellings}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Шибутов", "Солозобов"),
        ("Nursha", "Nurlan"),
        ("IMEMO", "MGIMO"),
        ("Омаров", "Оспанов"),
        ("Муханов", "Мұқанов"),
    ],
)
def test_different_names_differ(a, b):
    assert name_key(a) != name_key(b)


def test_words_split_on_hyphens_and_punctuation():
    assert name_words("Қасым-Жомарт Тоқаев") == ["kasim", "jomart", "tokaev"]
    assert name_words("  ") == []
