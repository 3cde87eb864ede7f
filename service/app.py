"""create_app: the Flask app from the settings, with one blueprint per resource (flaskr's way)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app from the settings (service/settings.py: defaults, then NEWSBRIEF_* variables), then
    `test_config`: settings by their names in upper case (MAX_ARTICLES, ...), which go to the one
    settings object (`current_settings()`), and Flask's own keys (TESTING, ...) for app.config."""
    from flask import Flask

    from . import settings

    given = dict(test_config or {})
    setting_names = settings.ServiceSettings.model_fields
    service_settings = settings.ServiceSettings.load(
        **{key.lower(): value for key, value in given.items() if key.lower() in setting_names}
    )
    # After the settings are known good: some of these read the library's settings as they load.
    from . import database, migrations, monitoring, problems, security, web
    from .briefings import api as briefings_api
    from .briefings import store as briefings_store
    from .jobs import api as jobs_api
    from .jobs import runner as jobs_runner
    from .models import api as models_api
    from .models import registry
    from .stories import scheduling as stories
    from .stories.api import articles as articles_api
    from .stories.api import feeds as feeds_api
    from .stories.api import stories as stories_api
    from .system import docs, health, metrics

    instance_path = service_settings.instance_path
    # Named after the package, as when this was its __init__: the same app name, logger and instance folder.
    app = Flask("service", instance_path=os.path.abspath(instance_path) if instance_path else None)
    os.makedirs(app.instance_path, exist_ok=True)
    old_config_file = os.path.join(app.instance_path, "config.py")
    if os.path.exists(old_config_file):
        # Read before the settings moved to one place: ignoring it would change them silently.
        raise settings.ConfigError(f"{old_config_file} is no longer read: set NEWSBRIEF_* variables instead")
    settings.init_app(app, service_settings)
    if service_settings.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = service_settings.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.config.from_mapping({key: value for key, value in given.items() if key.lower() not in setting_names})

    problems.init_app(app)
    monitoring.init_app(app)
    database.init_app(app)
    briefings_store.init_app(app)
    migrations.init_app(app)
    registry.init_app(app)
    jobs_runner.init_app(app)
    stories.init_app(app)
    # One blueprint per resource, in this order (the order of the paths in /openapi.json).
    for blueprint in (
        briefings_api.bp,
        jobs_api.bp,
        articles_api.bp,
        feeds_api.bp,
        stories_api.bp,
        models_api.bp,
        health.bp,
        metrics.bp,
        docs.bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(web.bp)
    security.init_app(app)
    return app
