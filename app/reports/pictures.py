"""The reports drawn: report dicts in, chart bytes out (``app.reports.charts`` draws)."""

from __future__ import annotations

from typing import Any

from app.centres.models import short_name
from app.reports import charts

SERIES_NAMES = {
    "joint_publications": "joint publications",
    "shared_sessions": "shared sessions",
    "joint_projects": "joint projects",
}


def _axis(centre: dict[str, Any]) -> charts.Axis:
    name = centre.get("name_ru") or centre["name_en"]
    label = short_name(centre.get("acronym"), centre.get("acronym_source"), name)
    return charts.Axis(centre["id"], label, centre.get("size") or 0)


def heatmap(report: dict[str, Any], centres: list[dict[str, Any]], fmt: str, limit: int) -> bytes:
    """The coverage report's pairs over every Russian and Kazakh centre."""
    cells = {(p["ru_centre"]["id"], p["kz_centre"]["id"]): p["strength"] for p in report["pairs"]}
    ru = [_axis(c) for c in centres if c["country_code"] == "RU"]
    kz = [_axis(c) for c in centres if c["country_code"] == "KZ"]
    window = report["window"]
    span = (
        f"{window['since']} to {window['until']}"
        if window.get("since")
        else f"to {window['until']}"
    )
    return charts.coverage_heatmap(
        ru,
        kz,
        cells,
        fmt=fmt,
        title=f"Russia–Kazakhstan centre ties, {span}",
        limit=limit,
    )


def trend(report: dict[str, Any]) -> bytes:
    rows = report["rows"]
    return charts.trend_chart(
        [row["year"] for row in rows],
        {label: [row[key] for row in rows] for key, label in SERIES_NAMES.items()},
        title="Russia–Kazakhstan ties per year",
        marks={marker["year"]: marker["label"] for marker in report.get("markers", [])},
    )
