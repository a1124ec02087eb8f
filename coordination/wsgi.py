"""Entry point for gunicorn: `gunicorn 'coordination.wsgi:app'` (run `coordination db upgrade` first)."""

from coordination import create_app

app = create_app()
