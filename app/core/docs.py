"""Serves Swagger UI's assets from the installed package, so the docs need no CDN."""

from __future__ import annotations

from flask import Blueprint, send_from_directory
from swagger_ui_bundle import swagger_ui_path

blp = Blueprint("swagger_assets", __name__, url_prefix="/api/v1/docs/assets")


@blp.get("/<path:filename>")
def asset(filename: str):
    """A Swagger UI static file."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
