"""What every script of the Django test project shares: configure Django for one database,
uniform messages and exit codes.

Exit codes of the scripts: 0 success; 1 the check found differences; 2 bad arguments (argparse)
or a database that is not in the state the script needs; 3 a runtime error (cannot connect,
a migration failed, ...).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

EXIT_OK = 0
EXIT_DIFFERENT = 1
EXIT_BAD_INPUT = 2
EXIT_RUNTIME = 3


def fail(message, code=EXIT_RUNTIME):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def is_url(db):
    return db.startswith(("postgres://", "postgresql://"))


def fixed_hash_seed():
    """Re-runs this script with PYTHONHASHSEED=0 unless it already runs so.

    Django's migrate creates content types (and so permissions) in an order that follows
    set iteration, which depends on the string hash seed: without this, two builds would give
    `shop.product` different ids.
    """
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


def setup(db):
    """Point the project at `db` (a SQLite path or a PostgreSQL URL) and start Django."""
    os.environ["FERRY_DJANGO_DB"] = db
    os.environ["DJANGO_SETTINGS_MODULE"] = "ferry_site.settings"
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import django

    django.setup()


def connection_or_fail(db):
    """Opens the connection once so a wrong URL or path fails with one clear line."""
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError as e:
        fail(f"cannot open {mask(db)}: {str(e).strip().splitlines()[0]}")
    return connection


def table_names():
    from django.db import connection

    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def mask(db):
    """The location with any password replaced by ***."""
    if not is_url(db):
        return db
    from urllib.parse import urlsplit, urlunsplit

    url = urlsplit(db)
    if url.password is None:
        return db
    netloc = url.netloc.replace(f":{url.password}@", ":***@", 1)
    return urlunsplit(url._replace(netloc=netloc))
