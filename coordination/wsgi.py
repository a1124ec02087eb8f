"""Entry point for gunicorn: `gunicorn 'coordination.wsgi:app'` (run `coordination db upgrade` first).

It refuses to start, in one line, on a database that cannot be opened or written or is not at the
schema head (`coordination.startup`); exit status 4 makes gunicorn stop rather than retry."""

import sys

from coordination import create_app, db, startup

try:
    app = create_app()
    startup.check_ready(db.engine_of(app))
except startup.NotReady as error:
    print(f"coordination: {error.message}", file=sys.stderr)
    raise SystemExit(4) from None
