"""Checks that a benchmark target holds the source's data, so timings are for correct copies.

Not a verifier (Ferry has one); a cheap guard: row counts per table, NULL counts of the
nullable columns, and a fixed sample of rows whose doubles must match bit for bit, DECIMALs
to their scale, timestamps to the instant, blobs byte for byte. Each function returns a
list of problems (empty = fine) instead of raising, so one odd tool does not stop the run.
"""

import datetime as dt
import random
import sqlite3
from decimal import Decimal

import gen


class Failed(Exception):
    """A tool or a query failed; the message says which and why."""

CENT = Decimal("0.01")
BASIS = Decimal("0.0001")


def sample_ids(n, k=300):
    rng = random.Random(7)
    ids = set(rng.sample(range(1, n + 1), min(k, n)))
    ids.update(i for i in (1, 2, 3, 13, n // 2, n - 1, n) if 1 <= i <= n)
    return sorted(ids)


def _epoch(text):
    """Instant of an ISO-8601 text (naive = UTC; date only = midnight); None for NULL."""
    if text is None or text == "":
        return None
    d = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d.timestamp()


def _dec(x, q):
    return Decimal(repr(x) if isinstance(x, float) else str(x)).quantize(q)


def _source(src_db, ids):
    con = sqlite3.connect(f"file:{src_db}?mode=ro", uri=True)
    marks = ",".join(str(i) for i in ids)
    tasks = {r[0]: r for r in con.execute(f"SELECT id, estimate, cost, due_at, updated_at FROM tasks WHERE id IN ({marks})")}
    events = {
        r[0]: r
        for r in con.execute(
            "SELECT id, amount, ratio, score, attachment, note, counter, ok, happened_at "
            f"FROM events WHERE id IN ({marks})"
        )
    }
    nulls = _sqlite_nulls(con)
    con.close()
    return tasks, events, nulls


def _sqlite_nulls(con):
    out = {}
    for t, cols in gen.NULLABLE.items():
        for c in cols:
            out[f"{t}.{c}"] = con.execute(f"SELECT count(*) FROM {t} WHERE {c} IS NULL").fetchone()[0]
    return out


def _compare(problems, tasks_src, events_src, tasks_dst, events_dst, nulls_src, nulls_dst, counts, n):
    for t in gen.TABLES:
        if counts.get(t) != n:
            problems.append(f"{t}: {counts.get(t)} rows, expected {n}")
    for k, v in nulls_src.items():
        if nulls_dst.get(k) != v:
            problems.append(f"{k}: {nulls_dst.get(k)} NULLs, expected {v}")

    def same(what, key, a, b):
        if a != b:
            problems.append(f"{what} id={key}: {b!r}, expected {a!r}")

    for i, (_, est, cost, due, upd) in tasks_src.items():
        d = tasks_dst.get(i)
        if d is None:
            problems.append(f"tasks id={i} missing")
            continue
        same("tasks.estimate", i, est, d["estimate"])
        same("tasks.cost", i, _dec(cost, CENT), d["cost"])
        same("tasks.due_at", i, _epoch(due), d["due_at"])
        same("tasks.updated_at", i, _epoch(upd), d["updated_at"])
    for i, (_, amount, ratio, score, att, note, counter, ok, happened) in events_src.items():
        d = events_dst.get(i)
        if d is None:
            problems.append(f"events id={i} missing")
            continue
        same("events.amount", i, amount, d["amount"])
        same("events.ratio", i, ratio, d["ratio"])
        same("events.score", i, _dec(score, BASIS), d["score"])
        same("events.attachment", i, att.hex() if att is not None else None, d["attachment"])
        same("events.note IS NULL", i, note is None, d["note_null"])
        same("events.counter", i, counter, d["counter"])
        same("events.ok", i, ok, d["ok"])
        same("events.happened_at", i, _epoch(happened), d["happened_at"])
    return problems


def pg_target(pg, db, src_db, n, ids):
    """Problems of PostgreSQL database `db` as a copy of SQLite `src_db`."""
    tasks_src, events_src, nulls_src = _source(src_db, ids)
    marks = ",".join(str(i) for i in ids)
    try:
        counts = {t: int(pg.query(db, f"SELECT count(*) FROM {t}")[0][0]) for t in gen.TABLES}
        nulls = {}
        for t, cols in gen.NULLABLE.items():
            for c in cols:
                nulls[f"{t}.{c}"] = int(pg.query(db, f"SELECT count(*) FROM {t} WHERE {c} IS NULL")[0][0])
        f = lambda s: float(s) if s != "" else None  # noqa: E731
        tasks = {
            int(r[0]): {"estimate": f(r[1]), "cost": Decimal(r[2]), "due_at": f(r[3]), "updated_at": f(r[4])}
            for r in _rows(pg.query(
                db,
                "SELECT id, estimate::text, cost::text, extract(epoch FROM due_at)::text, "
                f"extract(epoch FROM updated_at)::text FROM tasks WHERE id IN ({marks})",
            ), 5)
        }
        events = {
            int(r[0]): {
                "amount": f(r[1]), "ratio": f(r[2]), "score": Decimal(r[3]), "attachment": r[4] or None,
                "note_null": r[5] == "t", "counter": int(r[6]), "ok": int(r[7]), "happened_at": f(r[8]),
            }
            for r in _rows(pg.query(
                db,
                "SELECT id, amount::text, ratio::text, score::text, encode(attachment, 'hex'), note IS NULL, "
                f"counter::text, ok::int::text, extract(epoch FROM happened_at)::text FROM events WHERE id IN ({marks})",
            ), 9)
        }
    except (Failed, ValueError) as e:
        return [f"check query failed: {e}"]
    return _compare([], tasks_src, events_src, tasks, events, nulls_src, nulls, counts, n)


def _rows(rows, width):
    # psql -At drops trailing empty fields of a row; pad them back as NULLs.
    return [r + [""] * (width - len(r)) for r in rows]


def sqlite_target(out, src_db, n, ids):
    """Problems of SQLite file `out` as a copy of SQLite `src_db` (via PostgreSQL)."""
    tasks_src, events_src, nulls_src = _source(src_db, ids)
    marks = ",".join(str(i) for i in ids)
    try:
        con = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in gen.TABLES}
        nulls = _sqlite_nulls(con)
        tasks = {
            r[0]: {"estimate": r[1], "cost": _dec(r[2], CENT), "due_at": _epoch(r[3]), "updated_at": _epoch(r[4])}
            for r in con.execute(f"SELECT id, estimate, cost, due_at, updated_at FROM tasks WHERE id IN ({marks})")
        }
        events = {}
        for r in con.execute(
            "SELECT id, amount, ratio, score, attachment, note, counter, ok, happened_at "
            f"FROM events WHERE id IN ({marks})"
        ):
            att = r[4]
            events[r[0]] = {
                "amount": r[1], "ratio": r[2], "score": _dec(r[3], BASIS),
                # the raw limit stores hex text (sqlite3 3.40 has no unhex()); Ferry a BLOB
                "attachment": att.hex() if isinstance(att, bytes) else (att.lower() if att is not None else None),
                "note_null": r[5] is None, "counter": r[6], "ok": r[7], "happened_at": _epoch(r[8]),
            }
        con.close()
    except (sqlite3.Error, ValueError) as e:
        return [f"check query failed: {e}"]
    return _compare([], tasks_src, events_src, tasks, events, nulls_src, nulls, counts, n)


#: Columns compared in full (every row), not just on the sample: the ones a text pipeline
#: can silently round. Values are (column, scale of a DECIMAL or None for a double).
NUMERIC_COLUMNS = {
    "tasks": [("estimate", None), ("cost", CENT)],
    "events": [("amount", None), ("ratio", None), ("score", BASIS)],
}


def sqlite_numbers_full(out, src_db):
    """Every double and DECIMAL of SQLite `out` against the source, value for value."""
    problems = []
    try:
        con = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
        con.execute("ATTACH ? AS src", (f"file:{src_db}?mode=ro",))
        for t, cols in NUMERIC_COLUMNS.items():
            for c, scale in cols:
                if scale is None:  # a double: the very same value and storage class
                    differs = f"a.{c} IS NOT b.{c}"
                else:  # a DECIMAL: the same value at its scale, whether stored as REAL or TEXT
                    k = -scale.as_tuple().exponent
                    differs = f"round(a.{c}, {k}) IS NOT round(b.{c}, {k})"
                bad = con.execute(
                    f"SELECT count(*), min(a.id) FROM main.{t} a JOIN src.{t} b USING (id) WHERE {differs}"
                ).fetchone()
                if bad[0]:
                    problems.append(f"{t}.{c}: {bad[0]} values differ from the source (first id={bad[1]})")
        con.close()
    except sqlite3.Error as e:
        problems.append(f"check query failed: {e}")
    return problems


def pg_numbers_full(pg, db, src_db):
    """Every double (bit for bit) and DECIMAL (to its scale) of PostgreSQL `db` against the source."""
    problems = []
    con = sqlite3.connect(f"file:{src_db}?mode=ro", uri=True)
    for t, cols in NUMERIC_COLUMNS.items():
        names = ", ".join(c for c, _ in cols)
        src = con.execute(f"SELECT id, {names} FROM {t} ORDER BY id")
        dst = pg.query(db, f"SELECT id, {', '.join(c + '::text' for c, _ in cols)} FROM {t} ORDER BY id")
        bad, first = 0, None
        for s, d in zip(src, _rows(dst, len(cols) + 1)):
            for (c, scale), a, b in zip(cols, s[1:], d[1:]):
                if scale is None:
                    ok = (a is None and b == "") or (a is not None and b != "" and float(b) == a)
                else:
                    ok = Decimal(b) == _dec(a, scale)
                if not ok or int(d[0]) != s[0]:
                    bad += 1
                    first = first or f"{t}.{c} id={s[0]}: {b!r}, expected {a!r}"
        if bad:
            problems.append(f"{t}: {bad} numeric values differ, first {first}")
    con.close()
    return problems
