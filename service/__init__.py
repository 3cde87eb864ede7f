"""newsbrief's REST service: a thin Flask layer over the `summarizer` library.

    flask --app service run                                   # development
    gunicorn -c python:service.gunicorn_conf 'service:create_app()'   # production

The app factory is service/app.py's; it imports the resource packages inside create_app (as in
Flask's tutorial), so importing this package, as gunicorn does before it reads its
configuration, loads nothing heavy.
"""

from .app import create_app

__all__ = ["create_app"]
