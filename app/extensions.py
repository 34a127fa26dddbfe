"""Extension objects, created once here and initialised in :func:`app.create_app`."""

from apispec.ext.marshmallow import MarshmallowPlugin
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from app.core.api import Api, schema_name
from app.core.models import Base
from app.core.openapi import SecurityPlugin

babel = Babel()
db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
api = Api(
    spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        "extra_plugins": [SecurityPlugin()],
    }
)
login_manager = LoginManager()
# Storage comes from RATELIMIT_STORAGE_URI: Redis when REDIS_URL is set, so every
# worker process and host shares one count.
limiter = Limiter(key_func=get_remote_address)
