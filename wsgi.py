"""gunicorn entry point: ``gunicorn --no-control-socket -w 1 --threads 100 wsgi:app``."""

from guide import create_app

app = create_app()
