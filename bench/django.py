#!/usr/bin/env python3
"""Ferry against Django's own way of moving a database (dumpdata + loaddata), on a Django app.

The app is the Django 5.2 project of the framework tests (tests/frameworks/django_app: auth,
admin, contenttypes, sessions and a shop app with FK/M2M/1:1, JSONField, DecimalField, UUID
keys, BinaryField, USE_TZ=True). The run:

1. `manage.py migrate` creates the app's SQLite file; generated rows go in through SQL (not the
   ORM, which would take longer than everything measured), in the forms Django itself stores:
   naive UTC datetime text with microseconds, UUIDs as 32 hex digits, decimals through NUMERIC
   affinity, JSON text written by json.dumps, 1/0 booleans, durations in microseconds.
2. Two empty PostgreSQL databases, each migrated by `manage.py migrate` (as a deployment does).
3. Ferry: `ferry migrate --from app.sqlite3 --to postgres://…/A --into-existing --yes --json`.
4. Django: `manage.py dumpdata --natural-foreign --natural-primary -e contenttypes
   -e auth.Permission > dump.json` from the SQLite file, then `manage.py loaddata dump.json`
   into B (the recipe of Django's docs for moving data between databases).
5. Both targets must hold the source's row count in every table, and Ferry's run verified.
6. A table: rows, wall s, rows/s, peak RSS MB (GNU /usr/bin/time -v), and the ratio.

Usage: python3 bench/django.py [--rows 1000000] [--workdir DIR] [--keep] (see bench/README.md)
"""

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
APP = os.path.join(REPO, "tests", "frameworks", "django_app")
TIME = "/usr/bin/time"
SEED = 20261201
DUMPDATA = ["dumpdata", "--natural-foreign", "--natural-primary", "-e", "contenttypes", "-e", "auth.Permission"]

# How the generated rows split over the shop's tables (fractions of --rows). The rest of the
# app's tables get a handful of rows (USERS users, their permissions, sessions, admin log).
SHARE = {
    "shop_customer": 0.10,
    "shop_product": 0.05,
    "shop_product_tags": 0.10,  # two tags per product
    "shop_order": 0.25,
    "shop_orderline": 0.50,  # two lines per order
}
TAGS = 200
USERS = 25
SESSIONS = 50
ADMIN_LOG = 200


class Failed(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- tools


def ferry_bin():
    if os.environ.get("FERRY_BIN"):
        return os.environ["FERRY_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    return os.path.join(target, "release", "ferry")


def django_python():
    """The framework tests' venv (Django 5.2.19, psycopg), built by scripts/lib/frameworks_venv.sh."""
    if os.environ.get("FERRY_FRAMEWORKS_PYTHON"):
        return os.environ["FERRY_FRAMEWORKS_PYTHON"]
    tools = os.environ.get("FERRY_TOOLS_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "ferry", "tools"
    )
    py = os.path.join(tools, "frameworks-venv", "bin", "python")
    if not os.path.exists(py):
        log("building the framework venv (scripts/lib/frameworks_venv.sh) …")
        script = (
            f"source '{REPO}/scripts/lib/common.sh' && source '{REPO}/scripts/lib/frameworks_venv.sh'"
            " && ensure_frameworks_venv"
        )
        subprocess.run(["bash", "-c", script], check=True)
    return py


def django_env(db):
    e = dict(os.environ)
    e["FERRY_DJANGO_DB"] = db
    e["DJANGO_SETTINGS_MODULE"] = "ferry_site.settings"
    # migrate numbers content types in set order; a fixed seed gives every migrate the same ids.
    e["PYTHONHASHSEED"] = "0"
    e["PGTZ"] = "UTC"
    return e


def manage(py, db, *args, stdout=None, timed=None, timeout=None):
    argv = [py, os.path.join(APP, "manage.py"), *args]
    if timed:
        return timed_run(argv, timed, env=django_env(db), cwd=APP, stdout=stdout, timeout=timeout)
    r = subprocess.run(argv, env=django_env(db), cwd=APP, stdout=stdout, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise Failed(f"manage.py {' '.join(args)} failed: {r.stderr.strip()[-800:]}")
    return r


def timed_run(argv, label, env, cwd=None, stdout=None, timeout=None):
    """Runs argv under /usr/bin/time -v: (wall seconds, peak RSS kB, captured stdout or None)."""
    tfile = os.path.join(WORK, f"time-{label}.txt")
    efile = os.path.join(WORK, f"stderr-{label}.txt")
    capture = stdout is None
    with open(efile, "wb") as err:
        start = time.monotonic()
        p = subprocess.Popen(
            [TIME, "-v", "-o", tfile] + argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else stdout,
            stderr=err,
            start_new_session=True,
        )
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            raise Failed(f"{label}: killed after {timeout:.0f}s (--timeout)") from None
        wall = time.monotonic() - start
    if p.returncode != 0:
        with open(efile, encoding="utf-8", errors="replace") as f:
            tail = " | ".join(f.read().strip().splitlines()[-8:])
        raise Failed(f"{label} exited {p.returncode}: {tail}")
    rss = None
    with open(tfile, encoding="utf-8", errors="replace") as f:
        for line in f:
            if "Maximum resident set size" in line:
                rss = int(line.rsplit(":", 1)[1])
    if rss is None:
        raise Failed(f"{label}: no peak RSS in {tfile}")
    return wall, rss, out


# ---------------------------------------------------------------- PostgreSQL


def psql(pg, sql, db="postgres"):
    r = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", f"{pg}/{db}", "-c", sql],
        capture_output=True, text=True,
    )
    if r.returncode != 0:
        raise Failed(f"psql: {r.stderr.strip()}")
    return r.stdout


def fresh_pg(pg, name):
    psql(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(pg, f'CREATE DATABASE "{name}"')
    return f"{pg}/{name}"


def pg_counts(pg, name):
    tables = psql(pg, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", db=name).split()
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
    out = psql(pg, sql, db=name)
    return {t: int(c) for t, c in (line.split("|") for line in out.splitlines())}


def sqlite_counts(path):
    con = sqlite3.connect(path)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    con.close()
    return counts


# ---------------------------------------------------------------- the source


EPOCH = dt.datetime(2019, 1, 1)


def stamp(rng, days=2500):
    """Django's SQLite form of an aware datetime: naive UTC, `str(datetime)` (fraction if any)."""
    return str(EPOCH + dt.timedelta(microseconds=rng.randrange(days * 86_400_000_000)))


def money(rng, high, places=2):
    units = rng.randrange(high * 10**places)
    return f"{units // 10**places}.{units % 10**places:0{places}d}"


def pbkdf2(password, salt, iterations=1_000_000):
    """Django 5.2's default hasher's encoded form (PBKDF2PasswordHasher.encode)."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


WORDS = ("oak", "river", "blue", "café", "Zürich", "stone", "north", "ember", "lumen", "kite", "naïve", "東京", "delta")


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def build_source(py, path, rows):
    log(f"source: manage.py migrate → {path}")
    manage(py, path, "migrate", "--noinput", "-v0")
    rng = random.Random(SEED)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("BEGIN")
    n = {t: max(1, int(rows * s)) for t, s in SHARE.items()}
    n["shop_product"] = max(2, n["shop_product"])

    password = pbkdf2("correct horse", "ferrybenchsalt0123456789")
    users = []
    for i in range(1, USERS + 1):
        users.append((i, password, stamp(rng) if i % 3 else None, int(i == 1), f"user{i:02d}",
                      rng.choice(WORDS).title(), f"user{i:02d}@example.com", int(i <= 5), 1, stamp(rng),
                      rng.choice(WORDS).title()))
    con.executemany("INSERT INTO auth_user (id, password, last_login, is_superuser, username, last_name, email,"
                    " is_staff, is_active, date_joined, first_name) VALUES (?,?,?,?,?,?,?,?,?,?,?)", users)
    perms = [r[0] for r in con.execute("SELECT id FROM auth_permission WHERE codename LIKE '%order%' ORDER BY id")]
    con.executemany("INSERT INTO auth_user_user_permissions (user_id, permission_id) VALUES (?, ?)",
                    [(u, p) for u in range(2, 6) for p in perms])

    con.executemany("INSERT INTO shop_tag (id, name) VALUES (?, ?)", [(i, f"tag-{i:03d}") for i in range(1, TAGS + 1)])

    def products():
        for i in range(1, n["shop_product"] + 1):
            yield (i, f"SKU-{i:08d}", words(rng, 3), money(rng, 2000), rng.uniform(0.01, 80.0), int(rng.random() < 0.9),
                   json.dumps({"color": rng.choice(WORDS), "size": rng.randrange(1, 50), "eco": rng.random() < 0.3}),
                   stamp(rng), "2025-0%d-1%d" % (rng.randrange(1, 10), rng.randrange(10)) if rng.random() < 0.1 else None,
                   rng.randbytes(rng.randrange(0, 64)), "%02d:%02d:00" % (rng.randrange(24), rng.randrange(60)) if rng.random() < 0.5 else None,
                   rng.randrange(3600, 14 * 86400) * 1_000_000 if rng.random() < 0.5 else None)
    con.executemany("INSERT INTO shop_product (id, sku, name, price, weight_kg, active, attributes, created_at,"
                    " discontinued_on, thumbnail, restock_at, ship_window) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", products())

    def product_tags():
        k = 0
        for p in range(1, n["shop_product"] + 1):
            a = rng.randrange(1, TAGS + 1)
            for t in (a, a % TAGS + 1):
                k += 1
                if k > n["shop_product_tags"]:
                    return
                yield (k, p, t)
    con.executemany("INSERT INTO shop_product_tags (id, product_id, tag_id) VALUES (?,?,?)", product_tags())

    customers = [uuid.UUID(int=rng.getrandbits(128), version=4).hex for _ in range(n["shop_customer"])]

    def customer_rows():
        for i, cid in enumerate(customers):
            yield (cid, words(rng, 2).title(), f"c{i}@shop.example", int(rng.random() < 0.05),
                   words(rng, 8) if rng.random() < 0.3 else None,
                   "19%02d-%02d-%02d" % (rng.randrange(40, 100), rng.randrange(1, 13), rng.randrange(1, 29)) if rng.random() < 0.7 else None,
                   stamp(rng), money(rng, 100000), rng.random() * 5,
                   rng.randbytes(rng.randrange(16, 256)) if rng.random() < 0.1 else None,
                   json.dumps({"newsletter": rng.random() < 0.5, "lang": rng.choice(["fr", "de", "en", "ja"])}) if rng.random() < 0.6 else None,
                   i + 1 if i < USERS else None)
    con.executemany("INSERT INTO shop_customer (id, name, email, vip, notes, born_on, created_at, balance, rating,"
                    " avatar, preferences, user_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", customer_rows())

    orders = []

    def order_rows():
        for _ in range(n["shop_order"]):
            oid = uuid.UUID(int=rng.getrandbits(128), version=4).hex
            orders.append(oid)
            yield (oid, stamp(rng), int(rng.random() < 0.8), money(rng, 50000, 4),
                   words(rng, 5) if rng.random() < 0.2 else None,
                   json.dumps({"channel": rng.choice(["web", "app", "phone"]), "items": rng.randrange(1, 9)}) if rng.random() < 0.5 else None,
                   rng.choice(customers), rng.randrange(1, 6) if rng.random() < 0.3 else None)
    con.executemany("INSERT INTO shop_order (id, placed_at, paid, total, note, metadata, customer_id, handled_by_id)"
                    " VALUES (?,?,?,?,?,?,?,?)", order_rows())

    def line_rows():
        k, np = 0, n["shop_product"]
        for oid in orders:
            a = rng.randrange(1, np + 1)
            for p in (a, a % np + 1):  # two different products: unique (order, product)
                k += 1
                if k > n["shop_orderline"]:
                    return
                yield (k, rng.randrange(1, 20), money(rng, 2000), rng.choice((0.0, 0.0, 0.05, 0.1, 0.125)), oid, p)
    con.executemany("INSERT INTO shop_orderline (id, quantity, unit_price, discount, order_id, product_id)"
                    " VALUES (?,?,?,?,?,?)", line_rows())

    ct_order = con.execute("SELECT id FROM django_content_type WHERE app_label = 'shop' AND model = 'order'").fetchone()[0]
    con.executemany("INSERT INTO django_admin_log (object_id, object_repr, action_flag, change_message, content_type_id,"
                    " user_id, action_time) VALUES (?,?,?,?,?,?,?)",
                    [(str(uuid.UUID(o)), str(uuid.UUID(o)), rng.choice((1, 2)), json.dumps([{"changed": {"fields": ["Paid"]}}]),
                      ct_order, rng.randrange(1, 6), stamp(rng)) for o in orders[:ADMIN_LOG]])
    con.executemany("INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?,?,?)",
                    [(f"{rng.getrandbits(160):040x}"[:32], base64.b64encode(rng.randbytes(90)).decode() + ":1vX:sig",
                      stamp(rng)) for _ in range(SESSIONS)])
    con.execute("COMMIT")
    con.close()


# ---------------------------------------------------------------- the run


def django_run(py, src, dump, url, timeout):
    """dumpdata from the SQLite file into dump.json, then loaddata into url: the table's rows."""
    log("manage.py dumpdata … > dump.json")
    with open(dump, "wb") as f:
        d_wall, d_rss, _ = timed_run([py, os.path.join(APP, "manage.py"), *DUMPDATA], "dumpdata",
                                     env=django_env(src), cwd=APP, stdout=f, timeout=timeout)
    log(f"manage.py loaddata dump.json ({os.path.getsize(dump) / 2**20:.0f} MB) …")
    l_wall, l_rss, _ = timed_run([py, os.path.join(APP, "manage.py"), "loaddata", dump], "loaddata",
                                 env=django_env(url), cwd=APP, timeout=timeout)
    return [
        ("dumpdata", (d_wall, d_rss)),
        ("loaddata", (l_wall, l_rss)),
        # One after the other: the pair's wall time is the sum, its peak the larger one.
        ("dumpdata + loaddata", (d_wall + l_wall, max(d_rss, l_rss))),
    ]


def fmt_table(results, rows):
    head = f"{'tool':<22}{'rows':>10}{'wall s':>10}{'rows/s':>11}{'peak RSS MB':>13}"
    lines = [head, "-" * len(head)]
    for name, (wall, rss) in results:
        lines.append(f"{name:<22}{rows:>10}{wall:>10.1f}{rows / wall:>11.0f}{rss / 1024:>13.0f}")
    return "\n".join(lines)


def main():
    global WORK
    ap = argparse.ArgumentParser(description="Ferry --into-existing against Django's dumpdata + loaddata")
    ap.add_argument("--rows", type=int, default=1_000_000, help="generated shop rows in total (default 1000000)")
    ap.add_argument("--workdir", default="/tmp/ferry-bench-django")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="a superuser that may create databases")
    ap.add_argument("--keep", action="store_true", help="keep the SQLite file, dump.json and both PostgreSQL databases")
    ap.add_argument("--timeout", type=float, default=7200, help="seconds per timed step (default 7200)")
    ap.add_argument("--ferry-only", action="store_true",
                    help="time Ferry only (no dumpdata/loaddata): for sizes Django's tools take hours on")
    ap.add_argument("--results", help="also write the output here (default bench/results/django-<UTC date>.txt)")
    args = ap.parse_args()
    if args.rows < 10:
        ap.error("--rows must be at least 10")
    if not os.path.exists(TIME):
        ap.error(f"{TIME} is missing (GNU time: apt-get install time)")
    exe = ferry_bin()
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        ap.error(f"no ferry at {exe} (set FERRY_BIN or cargo build --release -p ferry-cli)")
    WORK = os.path.abspath(args.workdir)
    os.makedirs(WORK, exist_ok=True)
    py = django_python()
    pg = args.pg.rstrip("/")
    src = os.path.join(WORK, f"app-{args.rows}.sqlite3")
    dump = os.path.join(WORK, "dump.json")
    db_ferry, db_django = f"ferry_bench_django_{args.rows}_ferry", f"ferry_bench_django_{args.rows}_loaddata"
    started = dt.datetime.now(dt.timezone.utc)

    for f in (src, dump):
        if os.path.exists(f):
            os.remove(f)
    t0 = time.monotonic()
    build_source(py, src, args.rows)
    src_counts = sqlite_counts(src)
    total = sum(src_counts.values())
    log(f"source: {total} rows in {len(src_counts)} tables, {os.path.getsize(src) / 2**20:.0f} MB, "
        f"built in {time.monotonic() - t0:.0f}s")

    targets = [("ferry", db_ferry)] + ([] if args.ferry_only else [("dumpdata+loaddata", db_django)])
    urls = {name: fresh_pg(pg, db) for name, db in targets}
    url_ferry, url_django = urls["ferry"], urls.get("dumpdata+loaddata")
    for url in urls.values():
        log(f"target: manage.py migrate → {url}")
        manage(py, url, "migrate", "--noinput", "-v0")

    log("ferry migrate --into-existing …")
    f_wall, f_rss, out = timed_run(
        [exe, "migrate", "--from", src, "--to", url_ferry, "--into-existing", "--yes", "--json"],
        "ferry", env=dict(os.environ, PGTZ="UTC"), timeout=args.timeout,
    )
    report = json.loads(out)
    outcome = report.get("outcome")
    if outcome not in ("committed", "verified"):
        raise Failed(f"ferry outcome {outcome}: {report.get('error')}")
    verification = report.get("verification") or {}
    verified = outcome == "verified" or verification.get("passed") is True
    phases = {}
    for ph in report.get("phases", []):
        phases[ph["phase"]] = phases.get(ph["phase"], 0.0) + float(ph["seconds"])
    verify_s = phases.get("verify", 0.0)

    results = [("ferry --into-existing", (f_wall, f_rss))]
    dump_mb = None
    if not args.ferry_only:
        results += django_run(py, src, dump, url_django, args.timeout)
        dump_mb = os.path.getsize(dump) / 2**20

    problems = []
    for name, db in targets:
        got = pg_counts(pg, db)
        for t, c in sorted(src_counts.items()):
            if got.get(t) != c:
                problems.append(f"{name}: {t} has {got.get(t)} rows, the source {c}")

    # dumpdata's JSON encoder writes datetimes with milliseconds only (DjangoJSONEncoder):
    # count the order times whose microseconds survive in each target.
    sub_ms = "SELECT count(*) FROM shop_order WHERE (extract(microseconds FROM placed_at)::bigint % 1000) <> 0"
    kept = {name: int(psql(pg, sub_ms, db=db)) for name, db in targets}
    con = sqlite3.connect(src)
    src_sub_ms = con.execute("SELECT count(*) FROM shop_order WHERE length(placed_at) = 26 AND substr(placed_at, 24, 3) <> '000'").fetchone()[0]
    con.close()
    if kept["ferry"] != src_sub_ms:
        problems.append(f"ferry: {kept['ferry']} order times keep their microseconds, the source has {src_sub_ms}")

    ferry_version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    django_version = subprocess.run([py, "-c", "import django; print(django.get_version())"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"Ferry vs Django dumpdata+loaddata, {started:%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at the end",
        f"{ferry_version}; Django {django_version}; {psql(pg, 'SHOW server_version').strip() and 'PostgreSQL ' + psql(pg, 'SHOW server_version').strip()}",
        f"source: --rows {args.rows}: {total} rows in {len(src_counts)} tables "
        f"({', '.join(f'{t} {c}' for t, c in sorted(src_counts.items()) if c)}), "
        f"{os.path.getsize(src) / 2**20:.0f} MB" + (f"; dump.json {dump_mb:.0f} MB" if dump_mb else ""),
        "",
        fmt_table(results, total),
        "",
        *([] if args.ferry_only else [
            f"ratio (dumpdata + loaddata) / ferry: wall {results[-1][1][0] / f_wall:.1f}×, "
            f"peak RSS {results[-1][1][1] / f_rss:.1f}×"]),
        f"ferry: outcome {outcome}, verification {'passed' if verified else json.dumps(verification)[:200]}"
        f" (its wall time includes {verify_s:.1f}s of verification)",
        f"shop_order.placed_at with sub-millisecond digits: source {src_sub_ms}, "
        + ", ".join(f"{k} {v}" for k, v in kept.items()),
        "row counts: " + (f"every table equal to the source's in {' and '.join(n for n, _ in targets)}" if not problems else "; ".join(problems)),
    ]
    text = "\n".join(lines)
    print(text)
    path = args.results or os.path.join(HERE, "results", f"django-{started:%Y-%m-%d}.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    log(f"written to {path}")

    if not args.keep:
        for f in (src, dump):
            if os.path.exists(f):
                os.remove(f)
        for _, db in targets:
            psql(pg, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    if problems or not verified:
        sys.exit(1)


WORK = None

if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        log(f"error: {e}")
        sys.exit(1)
