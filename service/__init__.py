"""newsbrief's REST service: a thin Flask layer over the `summarizer` library.

    flask --app service run                                   # development
    gunicorn -c python:service.gunicorn_conf 'service:create_app()'   # production

Submodules are imported inside create_app (as in Flask's tutorial), so importing this
package, as gunicorn does before it reads its configuration, loads nothing heavy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask


def create_app(test_config: Mapping | None = None) -> Flask:
    """The app from defaults, then instance/config.py, then NEWSBRIEF_* variables, then `test_config`."""
    from . import config, jobs, monitoring, problems, registry, storage
    from .api import BLUEPRINTS

    instance_path = os.environ.get("NEWSBRIEF_INSTANCE_PATH")
    app = Flask(
        __name__, instance_relative_config=True, instance_path=os.path.abspath(instance_path) if instance_path else None
    )
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("NEWSBRIEF")
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    config.finalize(app)

    problems.init_app(app)
    monitoring.init_app(app)
    storage.init_app(app)
    registry.init_app(app)
    jobs.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app
