"""DuckDB as a migration tool, in the two shapes a user would write (run in the bench venv).

    python duck.py s2p lossy --sqlite app.db --pg postgres://…/db
    python duck.py s2p exact --sqlite app.db --pg postgres://…/db
    python duck.py p2s lossy --sqlite out.db --pg postgres://…/db
    python duck.py p2s exact --sqlite out.db --pg postgres://…/db   (out.db: schema pre-created)
    python duck.py probe                                             (versions, as JSON)

The sqlite and postgres extensions come from the pinned PyPI wheels
(duckdb-extension-sqlite-scanner / -postgres-scanner) and are loaded from their files with
`LOAD '<path>'`; autoinstall and autoload are off and the configuration is locked, so DuckDB
never downloads anything: a missing extension is an error, not a silent fetch.

- lossy: `CREATE TABLE pg.t AS FROM s.t` (and back): DuckDB's own type mapping, no keys,
  no indexes, no NOT NULL, no defaults.
- exact, SQLite → PostgreSQL: the same DDL as the raw limit (limits.PG_SCHEMA: bigint
  identity, boolean, double precision, numeric(p,s), jsonb, timestamptz, bytea) run through
  `postgres_execute`, then per table `INSERT INTO pg.t SELECT <explicit casts> FROM
  sqlite_query(…)`, then keys, indexes, foreign keys and setval (limits.PG_FINISH). The rows
  are read as SQLite text (sqlite_query returns VARCHAR) with doubles printed to 17 digits and
  blobs as hex, because DuckDB's typed scan of a DATETIME column drops the UTC offset of
  `…+02:00` text (the instant moves by two hours): a careful user casts the text himself.
- exact, PostgreSQL → SQLite: into the pre-created SQLite schema (run.py creates it with the
  sqlite3 CLI, as SQLite cannot add keys later; indexes are added after), per table
  `INSERT INTO s.t SELECT <casts> FROM pg.t`: booleans as 0/1, numerics as doubles (p ≤ 15),
  timestamps in UTC (written by DuckDB as naive text, see ts_text).
No verification in either shape.
"""

import glob
import importlib.util
import json
import os
import sys

import duckdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import limits  # noqa: E402

TABLES = ["goals", "tasks", "events"]
EXTENSIONS = {
    "sqlite_scanner": "duckdb_extension_sqlite_scanner",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
}


def extension_path(pkg):
    spec = importlib.util.find_spec(pkg)
    if spec is None or spec.origin is None:
        raise SystemExit(f"duck.py: Python package {pkg} is not installed (bench/requirements.txt)")
    found = glob.glob(os.path.join(os.path.dirname(spec.origin), "extensions", "*", "*.duckdb_extension"))
    if len(found) != 1:
        raise SystemExit(f"duck.py: expected one .duckdb_extension file in {pkg}, found {found}")
    return found[0]


def connect():
    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
        },
    )
    for pkg in EXTENSIONS.values():
        con.execute(f"LOAD '{extension_path(pkg)}'")
    # Even an explicit INSTALL could only look in a folder that does not exist: no network.
    con.execute("SET custom_extension_repository = '/nonexistent/ferry-bench-no-downloads'")
    con.execute("SET autoinstall_extension_repository = '/nonexistent/ferry-bench-no-downloads'")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET lock_configuration = true")
    return con


def ts_text(col):
    # Asked for UTC text with its offset; but DuckDB sees the target's TIMESTAMPTZ column as its
    # own TIMESTAMP, casts this text back to that and writes naive UTC text
    # (`2020-09-13 12:26:55.523`): the right instant only where naive text is read as UTC.
    return f"strftime({col}, '%Y-%m-%d %H:%M:%S.%f+00:00')"


def _q(sql):
    return sql.replace("'", "''")


def _real(col):
    # 17 significant digits round-trip a double; printf of NULL would print 0.0, hence the CASE.
    return f"CASE WHEN {col} IS NULL THEN NULL ELSE printf('%!.17g', {col}) END AS {col}"


S2P_EXACT = {
    "goals": (
        "id::BIGINT, title, created_at::TIMESTAMPTZ, archived::INTEGER::BOOLEAN",
        "SELECT id, title, created_at, archived FROM goals",
    ),
    "tasks": (
        "id::BIGINT, goal_id::BIGINT, title, done::INTEGER::BOOLEAN, estimate::DOUBLE, cost::DECIMAL(10,2), "
        "tags, due_at::TIMESTAMPTZ, updated_at::TIMESTAMPTZ",
        f"SELECT id, goal_id, title, done, {_real('estimate')}, {_real('cost')}, tags, due_at, updated_at FROM tasks",
    ),
    "events": (
        "id::BIGINT, task_id::BIGINT, kind, payload::JSON, amount::DOUBLE, ratio::DOUBLE, ok::INTEGER::BOOLEAN, "
        "happened_at::TIMESTAMPTZ, note, unhex(attachment), score::DECIMAL(12,4), counter::BIGINT",
        f"SELECT id, task_id, kind, payload, {_real('amount')}, {_real('ratio')}, ok, happened_at, note, "
        "CASE WHEN attachment IS NULL THEN NULL ELSE hex(attachment) END AS attachment, "
        f"{_real('score')}, counter FROM events",
    ),
}

P2S_EXACT = {
    "goals": f"id, title, {ts_text('created_at')}, archived::INTEGER",
    "tasks": (
        f"id, goal_id, title, done::INTEGER, estimate, cost::DOUBLE, tags, {ts_text('due_at')}, "
        f"{ts_text('updated_at')}"
    ),
    "events": (
        f"id, task_id, kind, payload::VARCHAR, amount, ratio, ok::INTEGER, {ts_text('happened_at')}, note, "
        "attachment, score::DOUBLE, counter"
    ),
}


def s2p(con, shape, sqlite_path, pg_url):
    con.execute(f"ATTACH '{_q(sqlite_path)}' AS s (TYPE sqlite, READ_ONLY)")
    con.execute(f"ATTACH '{_q(pg_url)}' AS pg (TYPE postgres)")
    if shape == "lossy":
        for t in TABLES:
            con.execute(f"CREATE TABLE pg.{t} AS FROM s.{t}")
        return
    con.execute("CALL postgres_execute('pg', $ddl$" + limits.PG_SCHEMA + "$ddl$)")
    for t in TABLES:
        select, inner = S2P_EXACT[t]
        con.execute(f"INSERT INTO pg.{t} SELECT {select} FROM sqlite_query('s', '{_q(inner)}')")
    con.execute("CALL postgres_execute('pg', $ddl$" + limits.PG_FINISH + "$ddl$)")


def p2s(con, shape, sqlite_path, pg_url):
    con.execute(f"ATTACH '{_q(pg_url)}' AS pg (TYPE postgres, READ_ONLY)")
    con.execute(f"ATTACH '{_q(sqlite_path)}' AS s (TYPE sqlite)")
    for t in TABLES:
        if shape == "lossy":
            con.execute(f"CREATE TABLE s.{t} AS FROM pg.{t}")
        else:
            con.execute(f"INSERT INTO s.{t} SELECT {P2S_EXACT[t]} FROM pg.{t} ORDER BY id")


def probe():
    con = connect()
    rows = con.execute(
        "SELECT extension_name, extension_version, install_mode FROM duckdb_extensions() WHERE loaded"
    ).fetchall()
    print(json.dumps({
        "duckdb": duckdb.__version__,
        "extensions": {name: {"version": v, "mode": m} for name, v, m in rows if name in EXTENSIONS},
        "paths": {name: extension_path(pkg) for name, pkg in EXTENSIONS.items()},
    }))


def main():
    args = sys.argv[1:]
    if args == ["probe"]:
        return probe()
    if len(args) != 6 or args[0] not in ("s2p", "p2s") or args[1] not in ("lossy", "exact"):
        raise SystemExit(__doc__)
    opts = dict(zip(args[2::2], args[3::2]))
    con = connect()
    (s2p if args[0] == "s2p" else p2s)(con, args[1], opts["--sqlite"], opts["--pg"])
    con.close()


if __name__ == "__main__":
    main()
