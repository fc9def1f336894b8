"""The fidelity of one tool's target: what survived the copy, value by value and in the catalogs.

    python fidelity.py s2p --sqlite SOURCE.db --pg postgres://…/TARGET
    python fidelity.py p2s --pg postgres://…/SOURCE --sqlite TARGET.db

Run in the bench venv (needs psycopg). Reads the source and the target with independent drivers
(Python's sqlite3 module, psycopg with typed values), compares **every row of every column**
and the schema from the catalogs (pg_catalog / SQLite pragmas), and prints one JSON object
`{check: {"ok": bool, "detail": text}}`. The checks (README "Fidelity"):

    rows       row counts of the three tables equal the source's
    values     every value equals the source's as data: same text, integer, truth value,
               instant (naive text = UTC), DECIMAL at its scale, JSON document, bytes (hex
               text counts as the bytes here; `bytes` below says whether it is a BLOB/bytea)
    doubles    every double is a double, bit for bit the source's (struct-packed)
    booleans   typed: PostgreSQL boolean; SQLite declared BOOLEAN holding integers 0/1
    timestamps typed: PostgreSQL timestamptz; SQLite declared DATE/TIME type holding text
               SQLite's date functions read (julianday not NULL) — and the right instant
    numerics   typed: numeric(p,s) / NUMERIC(p,s) of the source's p and s, values exact
    json       typed: PostgreSQL json/jsonb; SQLite: the column says it is JSON (declared JSON/JSONB,
               or TEXT with a `/* pg:jsonb */` hint) and its affinity keeps every document as
               written (`CAST('1e2' AS <declared type>)` stays the text `1e2`; JSON/JSONB's
               NUMERIC affinity would store that document as the number 100), holding valid
               JSON text
    bytes      blobs are bytea / BLOB values, not text
    pk         the source's primary keys
    fk         the source's foreign keys (columns and referenced table/columns)
    indexes    the source's secondary indexes (by table and column list; names may differ)
    not_null   the NOT NULL columns are exactly the source's
    defaults   the source's column defaults (false/0 alike)
    sequence   new rows get fresh ids: PostgreSQL an identity/serial sequence past max(id);
               SQLite an INTEGER PRIMARY KEY (rowid alias)
"""

import datetime as dt
import json
import re
import sqlite3
import struct
import sys
from decimal import Decimal

import psycopg

TABLES = ["goals", "tasks", "events"]

#: The logical kind of every column of gen.py's schema (the bench's one data description).
KINDS = {
    "goals": {"id": "int", "title": "text", "created_at": "ts", "archived": "bool"},
    "tasks": {
        "id": "int", "goal_id": "int", "title": "text", "done": "bool", "estimate": "double",
        "cost": "dec", "tags": "text", "due_at": "ts", "updated_at": "ts",
    },
    "events": {
        "id": "int", "task_id": "int", "kind": "text", "payload": "json", "amount": "double",
        "ratio": "double", "ok": "bool", "happened_at": "ts", "note": "text", "attachment": "blob",
        "score": "dec", "counter": "int",
    },
}
SCALE = {("tasks", "cost"): (10, 2), ("events", "score"): (12, 4)}
CHECKS = [
    "rows", "values", "doubles", "booleans", "timestamps", "numerics", "json", "bytes",
    "pk", "fk", "indexes", "not_null", "defaults", "sequence",
]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
US = dt.timedelta(microseconds=1)


class Result:
    def __init__(self):
        self.problems = {c: [] for c in CHECKS}

    def bad(self, check, msg):
        if len(self.problems[check]) < 3:
            self.problems[check].append(msg)
        elif len(self.problems[check]) == 3:
            self.problems[check].append("…")

    def out(self):
        return {c: {"ok": not p, "detail": "; ".join(p)} for c, p in self.problems.items()}


# --- values ---------------------------------------------------------------------------------


def instant(v):
    """Microseconds since the epoch of a datetime or ISO-8601 text (naive = UTC); None if not one."""
    if isinstance(v, str):
        s = v.strip()
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        m = re.search(r"([+-]\d\d)$", s)  # PostgreSQL's text form ends in '+00'
        if m and len(s) > 10:
            s += ":00"
        try:
            v = dt.datetime.fromisoformat(s)
        except ValueError:
            return None
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        v = dt.datetime(v.year, v.month, v.day)
    if not isinstance(v, dt.datetime):
        return None
    if v.tzinfo is None:
        v = v.replace(tzinfo=dt.timezone.utc)
    return (v - EPOCH) // US


def decimal(v, scale):
    """A DECIMAL's value at its scale, from whatever a side stores (REAL, INTEGER, TEXT, numeric)."""
    if v is None or isinstance(v, bool):
        return None
    q = Decimal(1).scaleb(-scale)
    try:
        return Decimal(repr(v) if isinstance(v, float) else str(v)).quantize(q)
    except ArithmeticError:
        return None


def as_json(v):
    if isinstance(v, (bytes, bytearray)):
        v = bytes(v).decode("utf-8", "replace")
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return ("not json", v)
    return v  # psycopg already parsed json/jsonb


def as_bytes(v):
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, str):
        try:
            return bytes.fromhex(v[2:] if v.startswith("\\x") else v)
        except ValueError:
            return ("not hex", v)
    return ("not bytes", v)


def as_bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.lower() in ("0", "1", "t", "f", "true", "false"):
        return v.lower() in ("1", "t", "true")
    return ("not a boolean", v)


def same_value(kind, scale, a, b):
    """Whether source value a and target value b are the same datum (representation aside)."""
    if a is None or b is None:
        return a is None and b is None
    if kind == "int":
        return type(b) is int and a == b
    if kind == "text":
        return b == a
    if kind == "bool":
        return as_bool(a) == as_bool(b)
    if kind == "ts":
        return instant(a) is not None and instant(a) == instant(b)
    if kind == "double":
        try:
            return float(b) == a
        except (TypeError, ValueError):
            return False
    if kind == "dec":
        return decimal(a, scale) is not None and decimal(a, scale) == decimal(b, scale)
    if kind == "json":
        return as_json(a) == as_json(b)
    if kind == "blob":
        return as_bytes(a) == as_bytes(b)
    raise AssertionError(kind)


def bits(x):
    return struct.pack("<d", x) if isinstance(x, float) else ("not a double", x)


# --- reading --------------------------------------------------------------------------------


def sqlite_rows(con, table, cols):
    have = {r[1] for r in con.execute(f'PRAGMA table_info("{table}")')}
    sel = ", ".join(f'"{c}"' if c in have else "NULL" for c in cols)
    return con.execute(f'SELECT {sel} FROM "{table}" ORDER BY id'), [c for c in cols if c not in have]


def pg_rows(con, table, cols):
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s",
        (table,),
    )}
    sel = ", ".join(f'"{c}"' if c in have else "NULL" for c in cols)
    cur = con.cursor(name=f"fid_{table}")
    cur.itersize = 20000
    cur.execute(f'SELECT {sel} FROM "{table}" ORDER BY id')
    return cur, [c for c in cols if c not in have]


def compare_rows(res, table, src, dst, missing, sqlite_target, sqlite_con):
    cols = list(KINDS[table])
    for c in missing:
        res.bad("values", f"{table}.{c} missing")
    # Per-column type observations over every target value.
    typed = {c: True for c in cols}
    first_bad = {}
    n_src = n_dst = 0
    for s, d in _zip_longest(src, dst):
        if s is not None:
            n_src += 1
        if d is not None:
            n_dst += 1
        if s is None or d is None:
            continue
        for i, c in enumerate(cols):
            kind = KINDS[table][c]
            a, b = s[i], d[i]
            scale = SCALE.get((table, c), (0, 0))[1]
            if not same_value(kind, scale, a, b):
                if c not in first_bad:
                    first_bad[c] = (s[0], a, b)
            if b is None:
                continue
            if kind == "double" and (a is None or bits(a) != bits(b)):
                res.bad("doubles", f"{table}.{c} id={s[0]}: {b!r}, source {a!r}")
            if sqlite_target and typed[c]:
                if kind == "bool" and not (type(b) is int and b in (0, 1)):
                    typed[c] = False
                    res.bad("booleans", f"{table}.{c} holds {b!r}")
                elif kind == "ts" and not isinstance(b, str):
                    typed[c] = False
                    res.bad("timestamps", f"{table}.{c} holds {type(b).__name__} {b!r}")
                elif kind == "json" and (not isinstance(b, str) or isinstance(as_json(b), tuple)):
                    typed[c] = False
                    res.bad("json", f"{table}.{c} holds {b!r:.40}")
                elif kind == "blob" and not isinstance(b, bytes):
                    typed[c] = False
                    res.bad("bytes", f"{table}.{c} holds {type(b).__name__}")
                elif kind == "dec" and isinstance(b, str):
                    pass  # TEXT of a decimal is fine for NUMERIC_TEXT; the value check decides
            if kind == "ts" and instant(a) != instant(b):
                res.bad("timestamps", f"{table}.{c} id={s[0]}: {b!r}, source {a!r}")
            if kind == "dec" and decimal(a, scale) != decimal(b, scale):
                res.bad("numerics", f"{table}.{c} id={s[0]}: {b!r}, source {a!r}")
    if n_src != n_dst:
        res.bad("rows", f"{table}: {n_dst} rows, source {n_src}")
    for c, (i, a, b) in first_bad.items():
        res.bad("values", f"{table}.{c} id={i}: {b!r:.60}, source {a!r:.60}")
    if sqlite_target:
        for c, kind in KINDS[table].items():
            if kind == "ts" and typed[c] and c not in missing:
                bad = sqlite_con.execute(
                    f'SELECT count(*), min(id) FROM "{table}" WHERE "{c}" IS NOT NULL AND julianday("{c}") IS NULL'
                ).fetchone()
                if bad[0]:
                    res.bad("timestamps", f"{table}.{c}: {bad[0]} values SQLite's date functions cannot read (id={bad[1]})")


def _zip_longest(a, b):
    a, b = iter(a), iter(b)
    while True:
        x, y = next(a, None), next(b, None)
        if x is None and y is None:
            return
        # Rows are ordered by id on both sides; realign when one side lacks an id.
        while x is not None and y is not None and x[0] != y[0]:
            if (y[0] is None) or (x[0] is not None and x[0] < y[0]):
                yield x, None
                x = next(a, None)
            else:
                yield None, y
                y = next(b, None)
        yield x, y


# --- schema ---------------------------------------------------------------------------------


def norm_default(v):
    if v is None:
        return None
    s = str(v).strip().strip("()").lower()
    return {"0": "false", "1": "true", "'0'": "false", "'1'": "true"}.get(s, s)


def json_hint(create_sql, column):
    """Whether `column`'s definition in `create_sql` carries a `/* pg:json */` or
    `/* pg:jsonb */` type hint (Ferry declares JSON columns TEXT with one)."""
    name = re.escape(column)
    pattern = rf'(?:"{name}"|`{name}`|\[{name}\]|\b{name}\b)\s+[^,]*?/\*\s*pg:jsonb?\s*\*/'
    return re.search(pattern, create_sql, re.IGNORECASE) is not None


def sqlite_schema(con):
    out = {}
    for t in TABLES:
        info = con.execute(f'PRAGMA table_info("{t}")').fetchall()
        if not info:
            continue
        cols = {r[1]: {"type": r[2], "notnull": bool(r[3]), "default": norm_default(r[4])} for r in info}
        sql = (con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (t,)).fetchone() or [""])[0]
        for c, col in cols.items():
            col["json_hint"] = json_hint(sql or "", c)
            # What the declared type's affinity does to a document that looks like a number:
            # JSON/JSONB have NUMERIC affinity, which stores the document `1e2` as the integer 100.
            col["keeps_text"] = not col["type"] or con.execute(
                f"SELECT typeof(CAST('1e2' AS {col['type']})) = 'text'"
            ).fetchone()[0] == 1
        pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
        fks = {}
        for r in con.execute(f'PRAGMA foreign_key_list("{t}")'):
            fks.setdefault(r[0], [r[2], [], []])
            fks[r[0]][1].append(r[3])
            fks[r[0]][2].append(r[4] if r[4] is not None else "id")
        idx = set()
        for r in con.execute(f'PRAGMA index_list("{t}")'):
            if r[3] == "c":
                idx.add(tuple(x[2] for x in con.execute(f'PRAGMA index_info("{r[1]}")')))
        rowid = len(pk) == 1 and cols[pk[0]]["type"].split("/*")[0].strip().upper() == "INTEGER"
        out[t] = {
            "cols": cols, "pk": pk, "fks": {(tuple(c), rt, tuple(rc)) for rt, c, rc in fks.values()},
            "indexes": idx, "sequence": rowid,
            "sequence_detail": f"id declared {cols[pk[0]]['type']!r}" if pk else "no INTEGER PRIMARY KEY",
        }
    return out


def pg_schema(con):
    out = {}
    for t in TABLES:
        rows = con.execute(
            """SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                      pg_get_expr(d.adbin, d.adrelid), a.attidentity
               FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped""",
            (f"public.{t}",),
        ).fetchall()
        if not rows:
            continue
        cols = {
            r[0]: {"type": r[1], "notnull": r[2], "default": None if (r[3] or "").startswith("nextval(") else norm_default(r[3])}
            for r in rows
        }
        pk = [r[0] for r in con.execute(
            """SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
               WHERE i.indrelid = to_regclass(%s) AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)""",
            (f"public.{t}",),
        )]
        fks = set()
        for cols_, reft, refcols in con.execute(
            """SELECT (SELECT array_agg(attname ORDER BY k.o) FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n),
                      c.confrelid::regclass::text,
                      (SELECT array_agg(attname ORDER BY k.o) FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n)
               FROM pg_constraint c WHERE c.conrelid = to_regclass(%s) AND c.contype = 'f'""",
            (f"public.{t}",),
        ):
            fks.add((tuple(cols_), reft.split(".")[-1], tuple(refcols)))
        idx = {
            tuple(r[0]) for r in con.execute(
                """SELECT (SELECT array_agg(attname ORDER BY k.o) FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
                             JOIN pg_attribute ON attrelid = i.indrelid AND attnum = k.n)
                   FROM pg_index i WHERE i.indrelid = to_regclass(%s) AND NOT i.indisprimary""",
                (f"public.{t}",),
            )
        }
        seq_ok, detail = False, "no sequence on id"
        if "id" in cols:
            seq = con.execute("SELECT pg_get_serial_sequence(%s, 'id')", (f"public.{t}",)).fetchone()[0]
            if seq:
                last, called = con.execute(f"SELECT last_value, is_called FROM {seq}").fetchone()
                nxt = last + 1 if called else last
                mx = con.execute(f'SELECT coalesce(max(id), 0) FROM "{t}"').fetchone()[0]
                seq_ok = nxt > mx
                detail = f"{seq} next {nxt}, max(id) {mx}"
        out[t] = {"cols": cols, "pk": pk, "fks": fks, "indexes": idx, "sequence": seq_ok, "sequence_detail": detail}
    return out


def compare_schema(res, src, dst, sqlite_target):
    for t in TABLES:
        if t not in dst:
            for c in ("pk", "fk", "indexes", "not_null", "defaults", "sequence"):
                res.bad(c, f"{t}: no table")
            continue
        s, d = src[t], dst[t]
        if s["pk"] != d["pk"]:
            res.bad("pk", f"{t}: {d['pk'] or 'none'}, source {s['pk']}")
        for fk in sorted(s["fks"] - d["fks"]):
            res.bad("fk", f"{t}{list(fk[0])} → {fk[1]} missing")
        for ix in sorted(s["indexes"] - d["indexes"]):
            res.bad("indexes", f"{t}({', '.join(ix)}) missing")
        for c, sc in s["cols"].items():
            dc = d["cols"].get(c)
            if dc is None:
                continue
            if c not in s["pk"] and sc["notnull"] != dc["notnull"]:
                res.bad("not_null", f"{t}.{c} {'NOT NULL' if dc['notnull'] else 'nullable'}, source {'NOT NULL' if sc['notnull'] else 'nullable'}")
            if sc["default"] != dc["default"]:
                res.bad("defaults", f"{t}.{c} default {dc['default']}, source {sc['default']}")
        if not d["sequence"]:
            res.bad("sequence", f"{t}: {d['sequence_detail']}")
        # Declared types of the typed checks.
        for c, kind in KINDS[t].items():
            dc = d["cols"].get(c)
            if dc is None:
                continue
            ty = dc["type"].lower()
            scale = SCALE.get((t, c))
            if sqlite_target:
                dec_ok = re.fullmatch(r"(numeric|decimal)(_text)?\((\d+),\s*(\d+)\).*", ty) is not None and (
                    tuple(int(x) for x in re.findall(r"\d+", ty)[:2]) == scale
                )
                want = {
                    "bool": ("booleans", "bool" in ty),
                    "ts": ("timestamps", "date" in ty or "time" in ty),
                    "json": ("json", ("json" in ty or dc["json_hint"]) and dc["keeps_text"]),
                    "blob": ("bytes", ty.startswith("blob")),
                    "dec": ("numerics", dec_ok),
                }.get(kind)
            else:
                want = {
                    "bool": ("booleans", ty == "boolean"),
                    "ts": ("timestamps", ty == "timestamp with time zone"),
                    "json": ("json", ty in ("json", "jsonb")),
                    "blob": ("bytes", ty == "bytea"),
                    "dec": ("numerics", scale is not None and ty == "numeric(%d,%d)" % scale),
                    "double": ("doubles", ty == "double precision"),
                }.get(kind)
            if want and not want[1]:
                why = ""
                if sqlite_target and kind == "json" and not dc["keeps_text"]:
                    why = " (NUMERIC affinity: a document such as 1e2 would be stored as the number 100)"
                res.bad(want[0], f"{t}.{c} is {dc['type'] or 'untyped'}{why}")


def _text(raw):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return ("not UTF-8", raw)


def main():
    direction = sys.argv[1]
    opts = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    res = Result()
    lite = sqlite3.connect(f"file:{opts['--sqlite']}?mode=ro", uri=True)
    lite.text_factory = _text
    pg = psycopg.connect(opts["--pg"], options="-c TimeZone=UTC")
    pg.read_only = True
    sqlite_target = direction == "p2s"
    for t in TABLES:
        cols = list(KINDS[t])
        a, _ = sqlite_rows(lite, t, cols) if not sqlite_target else pg_rows(pg, t, cols)
        try:
            b, missing = pg_rows(pg, t, cols) if not sqlite_target else sqlite_rows(lite, t, cols)
        except (psycopg.Error, sqlite3.Error) as e:
            res.bad("rows", f"{t}: {e}".strip())
            pg.rollback()
            continue
        compare_rows(res, t, a, b, missing, sqlite_target, lite)
        pg.rollback()  # closes the named cursors
    src, dst = (sqlite_schema(lite), pg_schema(pg)) if not sqlite_target else (pg_schema(pg), sqlite_schema(lite))
    compare_schema(res, src, dst, sqlite_target)
    print(json.dumps(res.out(), ensure_ascii=False))


if __name__ == "__main__":
    main()
