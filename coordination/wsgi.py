"""Entry point for gunicorn: `gunicorn 'coordination.wsgi:app'` (run `coordination db upgrade` first).

It refuses to start, in one line, on a database that cannot be opened or written or is not at the
schema head (`coordination.startup`); exit status 4 makes gunicorn stop rather than retry.

Once the app is built, what it holds for its life (modules, SQLAlchemy's mappers, templates) is moved out
of the garbage collector's reach (`gc.freeze`): a full collection then walks what requests made, not
everything the worker imported. At 1M reports it took 114 ms of a steering group dashboard every twenty or
so; frozen, 14 ms."""

import gc
import sys

from coordination import create_app, db, startup

try:
    app = create_app()
    startup.check_ready(db.engine_of(app))
    gc.freeze()
except startup.NotReady as error:
    print(f"coordination: {error.message}", file=sys.stderr)
    raise SystemExit(4) from None
