"""Extension objects, created once here and initialised in :func:`app.create_app`."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from app.core.api import Api
from app.core.models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
api = Api()
