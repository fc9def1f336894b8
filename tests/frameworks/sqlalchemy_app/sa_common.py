"""What the SQLAlchemy test app's scripts share: an engine from a SQLite path or a PostgreSQL
URL, the known accounts, and uniform messages and exit codes (0 ok; 1 the check found
differences / the password does not verify; 2 bad arguments or a database not in the state the
script needs; 3 runtime error)."""

import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent

EXIT_OK = 0
EXIT_DIFFERENT = 1
EXIT_BAD_INPUT = 2
EXIT_RUNTIME = 3

# email, username, password: the multi-user edition's accounts (build_multi.py). Passwords are
# stored as passlib bcrypt hashes ($2b$, cost 12), as the app's own sign-up does.
ACCOUNTS = [
    ("alice@example.com", "alice", "alice-pa55word"),
    ("bob@example.com", "bob", "correct horse battery staple"),
    ("zoe@example.com", "zoë", "pässwörd-ünïcode-✓"),
]


def fail(message, code=EXIT_RUNTIME):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def is_url(db):
    return db.startswith(("postgres://", "postgresql://", "postgresql+psycopg://"))


def mask(db):
    if not is_url(db):
        return db
    url = urlsplit(db)
    if url.password is None:
        return db
    return urlunsplit(url._replace(netloc=url.netloc.replace(f":{url.password}@", ":***@", 1)))


def sqlalchemy_url(db):
    """The SQLAlchemy URL for a SQLite path or a postgres:// URL (driver: psycopg 3)."""
    if is_url(db):
        rest = db.split("://", 1)[1]
        return "postgresql+psycopg://" + rest
    if "://" in db:
        fail(f"not a SQLite path or a postgres:// URL: {db!r}", EXIT_BAD_INPUT)
    return "sqlite:///" + str(Path(db).resolve())


def engine_for(db, must_exist=True):
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    if not is_url(db) and must_exist and not Path(db).exists():
        fail(f"{db} does not exist", EXIT_BAD_INPUT)
    engine = create_engine(sqlalchemy_url(db))
    try:
        with engine.connect() as c:
            c.execute(text("select 1"))
    except OperationalError as e:
        fail(f"cannot open {mask(db)}: {str(e.orig).strip().splitlines()[0]}")
    return engine


def tables(engine):
    from sqlalchemy import inspect

    return set(inspect(engine).get_table_names())
