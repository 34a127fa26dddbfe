"""Chart builders for the reports: plain data in, PNG or SVG bytes out.

No Flask, no database and no pyplot: each chart is its own ``Figure``, drawn with
matplotlib's object API and rendered by Agg (PNG) or the SVG backend, so the builders
are safe to call from gunicorn workers. The fonts are set per chart to DejaVu Sans,
which matplotlib bundles and which covers Cyrillic and the Kazakh letters.
"""

from __future__ import annotations

import io
import re
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator

FORMATS = ("png", "svg")
# C0 and C1 controls: no glyph to draw, and in SVG text they make the XML ill-formed.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
DPI = 110
MIN_INCHES, MAX_INCHES = 6.0, 16.0
LABEL_CHARS = 26
SPLIT_DEPTH = 32  # far past any chart's needs; it only bounds the recursion
NEVER_TIED = "#f1efea"
TIE_CMAP = LinearSegmentedColormap.from_list(
    "ties", matplotlib.colormaps["YlGnBu"](np.linspace(0.22, 1.0, 256))
).with_extremes(bad=NEVER_TIED)
MARK_COLOUR = "#ece4cf"
MUTED = "#6f6f6f"

# rcParams are process-wide: rc_context swaps them in and back out, so two threads
# inside it at once could restore each other's values. The lock keeps that from
# happening; fonts are what every chart needs, svg.fonttype keeps SVG text as text
# (searchable, assertable) and the salt makes SVG ids stable from one render to the next.
# Labels are names people typed: "$" in one must print as a dollar, not start mathtext.
_STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "text.parse_math": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "expert-bridge",
}
_STYLE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Axis:
    """One centre on an axis of the coverage heatmap."""

    id: int
    label: str
    size: int = 0


def coverage_heatmap(
    ru: list[Axis],
    kz: list[Axis],
    cells: dict[tuple[int, int], float],
    *,
    fmt: str = "png",
    title: str,
    limit: int = 60,
) -> bytes:
    """Russian × Kazakh centres, coloured by tie strength on a log scale.

    ``cells[(ru_id, kz_id)]`` is the strength of a tied pair; a missing or non-positive
    cell means never tied. Past ``limit`` centres a side keeps its strongest ones and the
    subtitle says so. Rows and columns are ordered by :func:`seriate`. A side without
    centres draws "no data"; a ``fmt`` other than png or svg raises ``ValueError``.
    """
    _check_format(fmt)
    title = _printable(title)
    with _styled():
        if not ru or not kz:
            return _render(_no_data_figure(title), fmt)
        rows, cols = _strongest(ru, cells, 0, limit), _strongest(kz, cells, 1, limit)
        matrix = _tie_matrix(rows, cols, cells)
        row_order, col_order = seriate(np.nan_to_num(matrix))
        rows, cols = [rows[i] for i in row_order], [cols[j] for j in col_order]
        matrix = matrix[np.ix_(row_order, col_order)]
        fig = _heatmap_figure(matrix, rows, cols, title, _subtitle(ru, kz, rows, cols, matrix))
        return _render(fig, fmt)


def trend_chart(
    years: list[int],
    series: dict[str, list[int]],
    *,
    title: str,
    marks: dict[int, str] | None = None,
    fmt: str = "png",
) -> bytes:
    """Counts per year, one line per series, with shaded and labelled ``marks`` years.

    Years may come in any order; marks outside the plotted years are left out. Series of
    another length than ``years`` raise ``ValueError``; no years or no series draw "no data".
    """
    _check_format(fmt)
    for name, counts in series.items():
        if len(counts) != len(years):
            raise ValueError(f"series {name!r} has {len(counts)} counts for {len(years)} years")
    title = _printable(title)
    series = {_printable(name): counts for name, counts in series.items()}
    marks = {year: _printable(label) for year, label in (marks or {}).items()}
    with _styled():
        if not years or not series:
            return _render(_no_data_figure(title), fmt)
        return _render(_trend_figure(years, series, title, marks), fmt)


# -- seriation ---------------------------------------------------------------------------


def seriate(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column orders that put clusters of tied centres in contiguous blocks.

    Recursive spectral co-bisection (Dhillon, 2001) on ``log1p`` of the matrix: the
    second singular vector pair of the degree-normalised matrix places rows and columns
    on one line, a two-means cut on that line splits both into two halves that tie
    mostly among themselves, and each half is split again. Concatenating the halves,
    heavier half first, makes every cluster a block on the diagonal at every scale;
    when no clean split remains, a block is sorted along its singular vectors.
    Rows and columns without any tie go last, leaving a visibly empty band.
    """
    a = np.log1p(np.clip(np.asarray(matrix, dtype=float), 0, None))
    live_rows, live_cols = a.sum(axis=1) > 0, a.sum(axis=0) > 0
    rows, cols = _cobisect(a, np.flatnonzero(live_rows), np.flatnonzero(live_cols), SPLIT_DEPTH)
    return (
        np.concatenate([rows, np.flatnonzero(~live_rows)]).astype(int),
        np.concatenate([cols, np.flatnonzero(~live_cols)]).astype(int),
    )


def _cobisect(
    a: np.ndarray, rows: np.ndarray, cols: np.ndarray, depth: int
) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` and ``cols`` of ``a`` in seriated order; see :func:`seriate`."""
    if len(rows) < 2 or len(cols) < 2:
        return rows, cols
    x, y = _spectral_pair(a[np.ix_(rows, cols)])
    cut = _two_means_cut(np.concatenate([x, y]))
    hi_rows, hi_cols = x > (cut or 0), y > (cut or 0)
    halves = all(0 < side.sum() < side.size for side in (hi_rows, hi_cols))
    if cut is None or depth == 0 or not halves:  # a split needs rows and columns on both sides
        return rows[np.argsort(-x, kind="stable")], cols[np.argsort(-y, kind="stable")]
    first = _cobisect(a, rows[hi_rows], cols[hi_cols], depth - 1)
    second = _cobisect(a, rows[~hi_rows], cols[~hi_cols], depth - 1)
    if a[np.ix_(*second)].sum() > a[np.ix_(*first)].sum():
        first, second = second, first
    return np.concatenate([first[0], second[0]]), np.concatenate([first[1], second[1]])


def _spectral_pair(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The second left and right singular vectors of the degree-normalised ``sub``."""
    # A small uniform background keeps every degree positive inside a sub-block (a row
    # may tie only outside it) and damps the pull of single stray ties.
    a = sub + (0.05 * sub.mean() if sub.any() else 1.0)
    d_rows, d_cols = np.sqrt(a.sum(axis=1)), np.sqrt(a.sum(axis=0))
    u, _, vt = np.linalg.svd(a / d_rows[:, None] / d_cols[None, :], full_matrices=False)
    return u[:, 1] / d_rows, vt[1] / d_cols


def _two_means_cut(values: np.ndarray) -> float | None:
    """The threshold that splits ``values`` into two groups of least within-group variance."""
    s = np.sort(values)
    if s[0] == s[-1]:
        return None
    n, k = len(s), np.arange(1, len(s))
    total, squares = np.cumsum(s), np.cumsum(s * s)
    left = squares[:-1] - total[:-1] ** 2 / k
    right = (squares[-1] - squares[:-1]) - (total[-1] - total[:-1]) ** 2 / (n - k)
    i = int(np.argmin(left + right))
    return float(s[i] + s[i + 1]) / 2


# -- selection ---------------------------------------------------------------------------


def _strongest(
    axes: list[Axis], cells: dict[tuple[int, int], float], side: int, limit: int
) -> list[Axis]:
    """The ``limit`` centres with the largest total strength, then size, then lowest id."""
    totals = dict.fromkeys((a.id for a in axes), 0.0)
    for pair, strength in cells.items():
        if strength > 0 and pair[side] in totals:
            totals[pair[side]] += strength
    return sorted(axes, key=lambda a: (-totals[a.id], -a.size, a.id))[: max(limit, 0)]


def _tie_matrix(
    rows: list[Axis], cols: list[Axis], cells: dict[tuple[int, int], float]
) -> np.ndarray:
    """Strengths with NaN for pairs never tied; cells of centres not shown are dropped."""
    matrix = np.full((len(rows), len(cols)), np.nan)
    row_index = {r.id: i for i, r in enumerate(rows)}
    col_index = {c.id: j for j, c in enumerate(cols)}
    for (ru_id, kz_id), strength in cells.items():
        if strength > 0 and ru_id in row_index and kz_id in col_index:
            matrix[row_index[ru_id], col_index[kz_id]] = strength
    return matrix


def _subtitle(
    ru: list[Axis], kz: list[Axis], rows: list[Axis], cols: list[Axis], matrix: np.ndarray
) -> str:
    pairs = int(np.count_nonzero(~np.isnan(matrix)))
    if len(rows) == len(ru) and len(cols) == len(kz):
        shown = f"{len(rows)} Russian × {len(cols)} Kazakh centres"
    else:
        shown = (
            f"{len(rows)} of {len(ru)} Russian and {len(cols)} of {len(kz)} Kazakh centres, "
            "by total strength (full data in the JSON/CSV reports)"
        )
    return f"{shown}; {pairs} tied pair{'s' if pairs != 1 else ''} shown"


# -- drawing -----------------------------------------------------------------------------


def _heatmap_figure(
    matrix: np.ndarray, rows: list[Axis], cols: list[Axis], title: str, subtitle: str
) -> Figure:
    n_rows, n_cols = matrix.shape
    width = _inches(3.8 + 0.19 * n_cols)
    height = _inches(3.4 + 0.19 * n_rows)
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(
        np.ma.masked_invalid(matrix),
        cmap=TIE_CMAP,
        norm=_log_norm(matrix),
        aspect="auto",
        interpolation="none",
    )
    _label_cells(ax, rows, cols, matrix, _tick_fontsize(height, width, n_rows, n_cols))
    _mark_empty_band(ax, matrix)
    if np.isnan(matrix).all():
        _never_tied_key(ax, anchor=(1.02, 1.0))
    else:
        _never_tied_key(_tie_colourbar(fig, ax, image), anchor=(0.0, -0.03))
    fig.suptitle(title, fontsize=13, fontweight="bold")
    # About 13 characters of 9 pt text to the inch: a narrow picture wraps its subtitle.
    ax.set_title(
        textwrap.fill(subtitle, max(30, int(width * 13))), fontsize=9, color=MUTED, loc="left"
    )
    return fig


def _log_norm(matrix: np.ndarray) -> LogNorm:
    values = matrix[~np.isnan(matrix)]
    if values.size == 0:
        return LogNorm(vmin=1, vmax=10)
    low, high = float(values.min()), float(values.max())
    # A single strength still needs a range for the colourbar to draw.
    return LogNorm(vmin=low, vmax=high if high > low else low * 10)


def _label_cells(
    ax: Axes, rows: list[Axis], cols: list[Axis], matrix: np.ndarray, fontsize: float
) -> None:
    ax.set_yticks(range(len(rows)), [_short(r.label) for r in rows], fontsize=fontsize)
    ax.set_xticks(range(len(cols)), [_short(c.label) for c in cols], fontsize=fontsize)
    ax.tick_params(axis="x", labelrotation=90, length=2)
    ax.tick_params(axis="y", length=2)
    ax.set_ylabel("Russian centres")
    ax.set_xlabel("Kazakh centres")
    _grey_untied(ax, matrix)
    if max(len(rows), len(cols)) <= 80:
        # Thin white rules between cells, so single ties stand out as cells.
        ax.set_xticks(np.arange(len(cols) + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(len(rows) + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=0.6)
        ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_color("#cccccc")


def _grey_untied(ax: Axes, matrix: np.ndarray) -> None:
    """Grey the labels of centres without any tie, so the empty band reads as "no ties"."""
    untied = (np.isnan(matrix).all(axis=1), np.isnan(matrix).all(axis=0))
    for labels, dead in zip((ax.get_yticklabels(), ax.get_xticklabels()), untied, strict=True):
        for text, is_dead in zip(labels, dead, strict=True):
            if is_dead:
                text.set_color("#a09a8c")


def _mark_empty_band(ax: Axes, matrix: np.ndarray) -> None:
    """A dashed rule where the centres without ties begin."""
    tied_rows = int((~np.isnan(matrix)).any(axis=1).sum())
    tied_cols = int((~np.isnan(matrix)).any(axis=0).sum())
    if 0 < tied_rows < matrix.shape[0]:
        ax.axhline(tied_rows - 0.5, color="#8a8474", linewidth=0.8, linestyle="--")
    if 0 < tied_cols < matrix.shape[1]:
        ax.axvline(tied_cols - 0.5, color="#8a8474", linewidth=0.8, linestyle="--")


def _never_tied_key(host: Axes, anchor: tuple[float, float]) -> None:
    """The swatch for never-tied cells: under the colourbar, or beside an all-empty matrix."""
    swatch = Patch(facecolor=NEVER_TIED, edgecolor="#b9b4a8", label="never tied")
    key = {"frameon": False, "fontsize": 9, "handlelength": 1.2, "borderaxespad": 0}
    host.legend(handles=[swatch], loc="upper left", bbox_to_anchor=anchor, **key)


def _tie_colourbar(fig: Figure, ax: Axes, image: AxesImage) -> Axes:
    """A log colourbar ticked 1, 2, 5, 10…, returning its axes for the never-tied key."""
    bar = fig.colorbar(image, ax=ax, shrink=0.55, aspect=25, pad=0.015)
    bar.set_label("tie strength")
    bar.ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    bar.ax.yaxis.set_minor_locator(LogLocator(subs="all", numticks=12))
    bar.ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    bar.outline.set_visible(False)
    return bar.ax


def _trend_figure(
    years: list[int], series: dict[str, list[int]], title: str, marks: dict[int, str]
) -> Figure:
    order = np.argsort(years, kind="stable")
    xs = [years[i] for i in order]
    fig = Figure(figsize=(_inches(4.5 + 0.45 * len(xs)), 5.2), layout="constrained")
    ax = fig.add_subplot()
    top = max((max(counts, default=0) for counts in series.values()), default=0)
    ax.set_ylim(0, max(1, top) * 1.18)  # headroom for the mark labels
    ax.set_xlim(xs[0] - 0.6, xs[-1] + 0.6)
    for k, (name, counts) in enumerate(series.items()):
        ys = [counts[i] for i in order]
        ax.plot(xs, ys, marker="os^Dvp*"[k % 7], linewidth=2, markersize=5, label=name)
    _shade_marks(ax, xs, marks)
    _year_axis(ax, xs)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("count per year")
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=min(len(series), 4), frameon=False)
    fig.suptitle(title, fontsize=13, fontweight="bold")
    return fig


def _shade_marks(ax: Axes, xs: list[int], marks: dict[int, str]) -> None:
    """A shaded band and a label for each marked year inside the plotted range."""
    for year, label in sorted(marks.items()):
        if xs[0] <= year <= xs[-1]:
            ax.axvspan(year - 0.5, year + 0.5, color=MARK_COLOUR, zorder=0, linewidth=0)
            top = ax.get_xaxis_transform()  # x in years, y in axes fractions
            ax.text(year, 0.985, label, transform=top, ha="center", va="top", color="#6b5a2e")


def _year_axis(ax: Axes, xs: list[int]) -> None:
    if len(xs) <= 20:
        ax.set_xticks(xs, [str(x) for x in xs])
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    if len(xs) > 16:
        ax.tick_params(axis="x", labelrotation=45)


def _no_data_figure(title: str) -> Figure:
    fig = Figure(figsize=(MIN_INCHES, 3.5), layout="constrained")
    fig.suptitle(title, fontsize=13, fontweight="bold")
    fig.text(0.5, 0.45, "no data", ha="center", va="center", fontsize=16, color=MUTED)
    return fig


# -- helpers -----------------------------------------------------------------------------


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unsupported chart format {fmt!r}; expected one of {FORMATS}")


@contextmanager
def _styled() -> Iterator[None]:
    with _STYLE_LOCK, matplotlib.rc_context(_STYLE):
        yield


def _render(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    # No date in SVG metadata, so the same data renders to the same bytes.
    metadata = {"Date": None} if fmt == "svg" else None
    fig.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return buffer.getvalue()


def _inches(size: float) -> float:
    return float(np.clip(size, MIN_INCHES, MAX_INCHES))


def _tick_fontsize(height: float, width: float, n_rows: int, n_cols: int) -> float:
    """About three quarters of the space one cell gets on the denser axis, within 4–10 pt."""
    pitch = min(0.7 * height / max(n_rows, 1), 0.7 * width / max(n_cols, 1)) * 72
    return float(np.clip(0.75 * pitch, 4, 10))


def _printable(text: str) -> str:
    """Text as it can be drawn: runs of control characters (a pasted tab, say) become a space."""
    return _CONTROLS.sub(" ", text).strip()


def _short(label: str) -> str:
    label = _printable(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
