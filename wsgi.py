"""The WSGI entry point: ``gunicorn wsgi:app``."""

from app import create_app
from app.core.heap import freeze_startup_objects

app = create_app()
freeze_startup_objects()  # after everything the app imports, before requests
