"""Chart builders: valid images, readable labels, seriation, selection and empty cases."""

import io
import re
import threading
import warnings
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import matplotlib
import numpy as np
import pytest
from PIL import Image

from app.reports.charts import DPI, Axis, _trend_figure, coverage_heatmap, seriate, trend_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KISI = "Қазақстан стратегиялық зерттеулер институты"
SVG_NS = "{http://www.w3.org/2000/svg}"

RU = [
    Axis(1, "ИМЭМО РАН", 40),
    Axis(2, "РИСИ", 12),
    Axis(3, "Валдай", 8),
    Axis(4, "МГИМО", 30),
    Axis(5, "Центр без связей", 0),
]
KZ = [
    Axis(11, KISI, 25),
    Axis(12, "ӘЛСИ", 5),
    Axis(13, "Ұлттық талдау орталығы", 9),
    Axis(14, "Ғылым, өнер, һәм үміт", 0),
]
CELLS = {(1, 11): 12.0, (1, 12): 3.0, (2, 13): 1.0, (3, 11): 2.0, (4, 13): 7.0, (4, 12): 1.0}


def svg_texts(svg: bytes) -> list[str]:
    """Every text element of a well-formed SVG document, in document order."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return image.size


def block_labels(order: np.ndarray, sizes: list[int]) -> list[int]:
    """The block each ordered index belongs to, for blocks laid out in ``sizes``."""
    owners = np.repeat(np.arange(len(sizes)), sizes)
    return [int(owners[i]) for i in order]


def runs(labels: list[int]) -> list[int]:
    """Labels with consecutive repeats collapsed: contiguous blocks appear once each."""
    return [x for k, x in enumerate(labels) if k == 0 or labels[k - 1] != x]


def permuted_blocks(
    rng: np.random.Generator, row_sizes: list[int], col_sizes: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A block-diagonal matrix of random positive strengths, rows and columns shuffled."""
    matrix = np.zeros((sum(row_sizes), sum(col_sizes)))
    r0 = c0 = 0
    for nr, nc in zip(row_sizes, col_sizes, strict=True):
        matrix[r0 : r0 + nr, c0 : c0 + nc] = rng.integers(1, 20, (nr, nc))
        r0, c0 = r0 + nr, c0 + nc
    row_perm, col_perm = rng.permutation(matrix.shape[0]), rng.permutation(matrix.shape[1])
    return matrix[np.ix_(row_perm, col_perm)], row_perm, col_perm


# -- seriation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row_sizes", "col_sizes", "seed"),
    [
        ([6, 6], [5, 5], 0),
        ([7, 3], [2, 9], 1),
        ([4, 9, 2, 6], [5, 3, 7, 4], 2),
        ([10, 10, 10, 10, 10], [8, 12, 6, 9, 11], 3),
    ],
)
def test_seriation_makes_shuffled_blocks_contiguous(row_sizes, col_sizes, seed):
    rng = np.random.default_rng(seed)
    matrix, row_perm, col_perm = permuted_blocks(rng, row_sizes, col_sizes)
    rows, cols = seriate(matrix)
    assert sorted(rows) == list(range(matrix.shape[0]))
    assert sorted(cols) == list(range(matrix.shape[1]))
    row_blocks = runs(block_labels(row_perm[rows], row_sizes))
    col_blocks = runs(block_labels(col_perm[cols], col_sizes))
    # Each block is one run, and row blocks meet their column blocks on the diagonal.
    assert sorted(row_blocks) == list(range(len(row_sizes)))
    assert row_blocks == col_blocks


def test_seriation_survives_a_few_weak_cross_ties():
    rng = np.random.default_rng(4)
    matrix, row_perm, col_perm = permuted_blocks(rng, [8, 8, 8], [8, 8, 8])
    matrix[np.argmax(row_perm == 0), np.argmax(col_perm == 20)] = 1  # block 0 ↔ block 2
    matrix[np.argmax(row_perm == 12), np.argmax(col_perm == 3)] = 1  # block 1 ↔ block 0
    rows, cols = seriate(matrix)
    assert len(runs(block_labels(row_perm[rows], [8, 8, 8]))) == 3
    assert len(runs(block_labels(col_perm[cols], [8, 8, 8]))) == 3


def test_seriation_puts_untied_rows_and_columns_last():
    matrix = np.array(
        [
            [0, 0, 0, 0],
            [5, 0, 3, 0],
            [0, 0, 0, 0],
            [2, 0, 4, 0],
        ]
    )
    rows, cols = seriate(matrix)
    assert set(rows[:2]) == {1, 3}
    assert list(rows[2:]) == [0, 2]
    assert set(cols[:2]) == {0, 2}
    assert list(cols[2:]) == [1, 3]


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (1, 1), (1, 5), (4, 1)])
def test_seriation_of_degenerate_shapes_is_a_permutation(shape):
    matrix = np.ones(shape)
    rows, cols = seriate(matrix)
    assert sorted(rows) == list(range(shape[0]))
    assert sorted(cols) == list(range(shape[1]))


# -- coverage heatmap --------------------------------------------------------------------


def test_heatmap_png_is_a_png_of_the_minimum_size_for_a_small_matrix():
    png = coverage_heatmap(RU, KZ, CELLS, title="Ties")
    assert png_size(png) == (round(6 * DPI), round(6 * DPI))


def test_heatmap_grows_with_the_matrix_within_bounds():
    many_ru = [Axis(i, f"Центр {i}", i) for i in range(60)]
    many_kz = [Axis(100 + j, f"Орталық {j}", j) for j in range(40)]
    cells = {(i, 100 + (i % 40)): 1.0 + i for i in range(60)}
    width, height = png_size(coverage_heatmap(many_ru, many_kz, cells, title="Ties"))
    assert 6 * DPI < width <= 16 * DPI
    assert width < height <= 16 * DPI  # 60 rows need more height than 40 columns need width


def test_heatmap_svg_keeps_cyrillic_and_kazakh_labels_as_text():
    texts = svg_texts(coverage_heatmap(RU, KZ, CELLS, title=KISI, fmt="svg"))
    assert KISI in texts  # the title, in full
    assert "Қазақстан стратегиялық зе…" in texts  # the long column label, shortened
    for label in ("ИМЭМО РАН", "Центр без связей", "ӘЛСИ", "Ғылым, өнер, һәм үміт"):
        assert label in texts
    assert {"Russian centres", "Kazakh centres", "tie strength", "never tied"} <= set(texts)
    assert "5 Russian × 4 Kazakh centres; 6 tied pairs shown" in texts


def test_every_text_is_set_in_dejavu_sans():
    svg = coverage_heatmap(RU, KZ, CELLS, title=KISI, fmt="svg").decode()
    families = set(re.findall(r"font-family: ([^;\"]+)", svg))
    assert families == {"'DejaVu Sans', sans-serif"}


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_kazakh_and_russian_labels_render_without_any_warning(fmt):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coverage_heatmap(RU, KZ, CELLS, title=f"{KISI} — ИМЭМО", fmt=fmt)
        trend_chart([2021, 2022], {"бірлескен жобалар": [1, 2]}, title=KISI, fmt=fmt)


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_dollar_signs_in_names_print_as_typed_not_as_mathtext(fmt):
    # Schemathesis found it: a centre named "$x^$" was a 500, mathtext could not parse it.
    odd = ["$x^$", "$$", r"$\frac$ Ltd", "US$ 5 Centre"]
    heatmap = coverage_heatmap(
        [Axis(k, name, 1) for k, name in enumerate(odd)],
        [Axis(10, r"$\alpha$", 1)],
        {(k, 10): 1.0 for k in range(len(odd))},
        title="$x^$",
        fmt=fmt,
    )
    trend = trend_chart([2021, 2022], {"$$": [1, 2]}, title="$x^$", marks={2022: "$"}, fmt=fmt)
    if fmt == "svg":
        assert {*odd, r"$\alpha$"} <= set(svg_texts(heatmap))
        assert {"$x^$", "$$", "$"} <= set(svg_texts(trend))


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_control_characters_in_names_are_left_out(fmt):
    # A pasted tab or escape had no glyph, and made the SVG ill-formed XML.
    labels = ["Tab\tCentre", "Esc\x1b\x01Centre", "C1\x85Centre", "\x07"]
    heatmap = coverage_heatmap(
        [Axis(k, name, 1) for k, name in enumerate(labels)],
        [Axis(10, "Line\nbreak", 1)],
        {(k, 10): 1.0 for k in range(len(labels))},
        title="Title\r\n",
        fmt=fmt,
    )
    trend = trend_chart([2021], {"a\x00b": [1]}, title="T\x1b", marks={2021: "m\x02"}, fmt=fmt)
    if fmt == "svg":  # svg_texts parses the XML: ill-formed would raise
        assert {"Tab Centre", "Esc Centre", "C1 Centre", "Line break", "Title"} <= set(
            svg_texts(heatmap)
        )
        assert {"a b", "T", "m"} <= set(svg_texts(trend))


def test_a_glyph_missing_from_the_font_would_be_caught():
    # Proves the test above can fail: DejaVu Sans has no CJK, and matplotlib says so.
    with pytest.warns(UserWarning, match="missing from font"):
        coverage_heatmap([Axis(1, "漢字", 1)], KZ, {(1, 12): 1.0}, title="T")


def test_limit_keeps_the_strongest_centres_and_says_so():
    ru = [Axis(i, f"RU-{i}", 0) for i in range(1, 6)]
    kz = [Axis(10, "KZ-A", 0), Axis(20, "KZ-B", 0)]
    # Totals: RU-1 2, RU-2 9, RU-3 4, RU-4 7, RU-5 1.
    cells = {(1, 10): 2, (2, 10): 4, (2, 20): 5, (3, 20): 4, (4, 10): 7, (5, 20): 1}
    texts = svg_texts(coverage_heatmap(ru, kz, cells, title="T", fmt="svg", limit=3))
    assert {"RU-2", "RU-3", "RU-4"} <= set(texts)
    assert not {"RU-1", "RU-5"} & set(texts)
    # The subtitle wraps to the picture's width: one text element per line.
    assert (
        "3 of 5 Russian and 2 of 2 Kazakh centres, by total strength (full data in the "
        "JSON/CSV reports); 4 tied pairs shown"
    ) in " ".join(texts)


def test_limit_breaks_ties_by_size_then_id():
    ru = [Axis(3, "same-small", 1), Axis(2, "same-big-late", 9), Axis(1, "same-big-early", 9)]
    kz = [Axis(10, "KZ", 0)]
    cells = {(1, 10): 5, (2, 10): 5, (3, 10): 5}
    one = set(svg_texts(coverage_heatmap(ru, kz, cells, title="T", fmt="svg", limit=1)))
    two = set(svg_texts(coverage_heatmap(ru, kz, cells, title="T", fmt="svg", limit=2)))
    assert "same-big-early" in one
    assert not {"same-big-late", "same-small"} & one
    assert {"same-big-early", "same-big-late"} <= two
    assert "same-small" not in two


def test_non_positive_and_foreign_cells_count_as_never_tied():
    cells = {(1, 11): 4.0, (2, 12): 0.0, (3, 13): -2.0, (99, 11): 8.0, (1, 99): 8.0}
    texts = svg_texts(coverage_heatmap(RU, KZ, cells, title="T", fmt="svg"))
    assert "5 Russian × 4 Kazakh centres; 1 tied pair shown" in texts


@pytest.mark.parametrize(
    ("ru", "kz"), [([], KZ), (RU, []), ([], [])], ids=["no-ru", "no-kz", "none"]
)
@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_heatmap_without_centres_says_no_data(ru, kz, fmt):
    image = coverage_heatmap(ru, kz, CELLS, title="Нет данных", fmt=fmt)
    if fmt == "png":
        assert png_size(image) == (round(6 * DPI), round(3.5 * DPI))
    else:
        assert svg_texts(image) == ["Нет данных", "no data"]


def test_heatmap_without_ties_still_draws_the_grid():
    texts = svg_texts(coverage_heatmap(RU, KZ, {}, title="T", fmt="svg"))
    assert "5 Russian × 4 Kazakh centres; 0 tied pairs shown" in texts
    assert "never tied" in texts
    assert "tie strength" not in texts  # no colourbar for an empty scale


@pytest.mark.parametrize("fmt", ["pdf", "PNG", "jpg", ""])
def test_unknown_formats_are_refused(fmt):
    with pytest.raises(ValueError, match="unsupported chart format"):
        coverage_heatmap(RU, KZ, CELLS, title="T", fmt=fmt)
    with pytest.raises(ValueError, match="unsupported chart format"):
        trend_chart([2020], {"a": [1]}, title="T", fmt=fmt)


def rc_snapshot() -> dict:
    # "backend" starts as a sentinel that matplotlib resolves on first use; not ours.
    return {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}


def test_svg_is_reproducible_and_threads_leave_rc_params_alone():
    before = rc_snapshot()
    first = coverage_heatmap(RU, KZ, CELLS, title="T", fmt="svg")
    barrier = threading.Barrier(4)

    def render(_: int) -> bytes:
        barrier.wait()
        return coverage_heatmap(RU, KZ, CELLS, title="T", fmt="svg")

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert set(pool.map(render, range(4))) == {first}
    assert rc_snapshot() == before


# -- trend chart -------------------------------------------------------------------------

YEARS = [2018, 2019, 2020, 2021, 2022, 2023]
SERIES = {
    "joint publications": [4, 6, 2, 5, 3, 7],
    "shared sessions": [1, 2, 0, 1, 1, 3],
    "joint projects": [0, 1, 1, 2, 0, 1],
}
MARKS = {2020: "pandemic", 2022: "2022", 1990: "out of range"}


def test_trend_png_is_a_png():
    png = trend_chart(YEARS, SERIES, title="Trend", marks=MARKS)
    width, height = png_size(png)
    assert 6 * DPI <= width <= 16 * DPI
    assert height == round(5.2 * DPI)


def test_trend_svg_shows_series_and_marks_in_range_only():
    texts = svg_texts(trend_chart(YEARS, SERIES, title="Trend", marks=MARKS, fmt="svg"))
    assert set(SERIES) <= set(texts)
    assert "pandemic" in texts
    assert texts.count("2022") == 2  # the tick label and the mark
    assert "out of range" not in texts
    assert [str(y) for y in YEARS] == [t for t in texts if t in {str(y) for y in YEARS}][:6]


def test_trend_axes_have_integer_counts_and_a_shaded_band_per_mark():
    fig = _trend_figure(YEARS, SERIES, "Trend", MARKS)
    ax = fig.axes[0]
    fig.canvas.draw()
    ticks = [t for t in ax.get_yticks() if 0 <= t <= ax.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)
    assert ax.get_ylim()[0] == 0
    bands = sorted(round(p.get_x() + p.get_width() / 2) for p in ax.patches)
    assert bands == [2020, 2022]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(SERIES)


def test_trend_sorts_years_with_their_counts():
    fig = _trend_figure([2022, 2020, 2021], {"a": [9, 1, 5]}, "T", {})
    xs, ys = fig.axes[0].lines[0].get_data()
    assert list(xs) == [2020, 2021, 2022]
    assert list(ys) == [1, 5, 9]


@pytest.mark.parametrize(
    ("years", "series"), [([], {}), ([], {"a": []}), ([2020, 2021], {})], ids=str
)
def test_trend_without_data_says_no_data(years, series):
    assert svg_texts(trend_chart(years, series, title="Empty", fmt="svg")) == ["Empty", "no data"]
    assert png_size(trend_chart(years, series, title="Empty")) == (660, 385)


def test_trend_refuses_series_of_the_wrong_length():
    with pytest.raises(ValueError, match="'a' has 1 counts for 2 years"):
        trend_chart([2020, 2021], {"a": [1]}, title="T")
