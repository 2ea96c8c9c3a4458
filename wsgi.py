"""The app for ``flask --app wsgi`` and ``gunicorn ... wsgi:app`` from a checkout.

The module lives in the package (guide/wsgi.py) so that ``guide serve`` finds it
in an installed copy too; this file keeps the commands of a checkout working.
"""

from guide.wsgi import app

__all__ = ["app"]
