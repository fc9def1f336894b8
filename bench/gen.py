"""Deterministic generator of the task-manager-like SQLite database the benchmark migrates.

Three tables of N rows each (goals, tasks, events), unicode text, JSON, mixed ISO datetimes,
DECIMAL columns (stored by SQLite's NUMERIC affinity as REAL/INTEGER), nullable columns with
real NULLs, small BLOBs in 10% of events, and 4 secondary indexes. The same (N, seed) always
gives the same rows, so every tool and every run moves exactly the same data.

Speed matters more than variety here: rows are built with plain arithmetic and f-strings and
inserted with executemany in one transaction with journaling off.
"""

import datetime as _dt
import os
import random
import sqlite3

#: Bump when the generated data changes, so cached databases are rebuilt.
GEN_VERSION = 2

SCHEMA = """
CREATE TABLE goals (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT 0
);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    goal_id INTEGER NOT NULL REFERENCES goals(id),
    title TEXT NOT NULL,
    done BOOLEAN NOT NULL DEFAULT 0,
    estimate REAL,
    cost DECIMAL(10,2) NOT NULL,
    tags TEXT NOT NULL,
    due_at DATETIME,
    updated_at DATETIME
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    kind TEXT NOT NULL,
    payload JSON NOT NULL,
    amount REAL NOT NULL,
    ratio REAL NOT NULL,
    ok BOOLEAN NOT NULL,
    happened_at DATETIME NOT NULL,
    note TEXT,
    attachment BLOB,
    score DECIMAL(12,4) NOT NULL,
    counter INTEGER NOT NULL
);
"""

INDEXES = [
    "CREATE INDEX tasks_goal_id_idx ON tasks (goal_id)",
    "CREATE INDEX tasks_due_at_idx ON tasks (due_at)",
    "CREATE INDEX events_task_id_idx ON events (task_id)",
    "CREATE INDEX events_kind_happened_at_idx ON events (kind, happened_at)",
]

TABLES = ["goals", "tasks", "events"]

# Columns that hold NULLs in the generated data (the limits must carry them through).
NULLABLE = {
    "goals": [],
    "tasks": ["estimate", "due_at", "updated_at"],
    "events": ["note", "attachment"],
}

WORDS = [
    "café", "naïve", "résumé", "日本語", "東京タワー", "Ελληνικά", "Привет", "мир",
    "עברית", "العربية", "🚀 launch", "✅ done", "Ünïcödé", "smörgåsbord", "piñata",
    "中文测试", "한국어", "emoji 🎉", "Zürich", "São Paulo", "plan", "review", "ship",
    "fix bug", "write docs", "call Bob", "budget", "deploy", "refactor", "groceries",
]
KINDS = ["created", "updated", "commented", "assigned", "closed", "reopened", "estimated", "attached"]
TAGS = ["home", "work", "urgent", "später", "idée", "家", "💡", "q3", "blocked", "waiting"]

_EPOCH = 1_600_000_000  # 2020-09-13
_UTC = _dt.timezone.utc
_PLUS2 = _dt.timezone(_dt.timedelta(hours=2))


def _ts(seconds):
    return _dt.datetime.fromtimestamp(seconds, _UTC)


def _plain(seconds):
    return _ts(seconds).strftime("%Y-%m-%d %H:%M:%S")


def _mixed_iso(seconds, form):
    """One of five ISO-8601 spellings seen in real SQLite apps."""
    t = _ts(seconds)
    if form == 0:
        return t.strftime("%Y-%m-%d %H:%M:%S")
    if form == 1:
        return t.strftime("%Y-%m-%dT%H:%M:%S")
    if form == 2:
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == 3:
        return t.astimezone(_PLUS2).isoformat(timespec="milliseconds")  # ...T..:..:..mmm+02:00
    return t.strftime("%Y-%m-%d")


def _goals(rng, lo, hi):
    for i in range(lo, hi):
        yield (
            i,
            f"{rng.choice(WORDS)} {rng.choice(WORDS)} #{i}",
            _plain(_EPOCH + i * 37 + rng.randrange(30)),
            1 if rng.random() < 0.2 else 0,
        )


def _tasks(rng, lo, hi, n):
    for i in range(lo, hi):
        r = rng.random()
        due_s = _EPOCH + rng.randrange(100_000_000)
        upd = None if rng.random() < 0.3 else _plain(_EPOCH + rng.randrange(100_000_000)) + f".{rng.randrange(1000):03d}"
        ntags = rng.randrange(4)
        tags = "[" + ", ".join(f'"{rng.choice(TAGS)}"' for _ in range(ntags)) + "]"
        yield (
            i,
            rng.randrange(1, n + 1),
            f"{rng.choice(WORDS)}: {rng.choice(WORDS)} ({i})",
            1 if r < 0.4 else 0,
            None if r > 0.95 else rng.random() * 40.0,  # full-precision doubles
            round(rng.uniform(0, 99_999.0), 2),  # DECIMAL(10,2): stored as REAL (or INTEGER)
            tags,
            None if rng.random() < 0.1 else _mixed_iso(due_s, rng.randrange(5)),
            upd,
        )


def _events(rng, lo, hi, n):
    for i in range(lo, hi):
        r = rng.random()
        kind = KINDS[i % len(KINDS)]
        payload = (
            f'{{"v": {i % 7}, "by": "user{rng.randrange(5000)}", "msg": "{rng.choice(WORDS)}", '
            f'"n": [{rng.randrange(100)}, {rng.random()}], "flag": {"true" if r < 0.5 else "false"}}}'
        )
        note = None if r < 0.2 else (f"{rng.choice(WORDS)}\n{rng.choice(WORDS)}, \"quoted\"" if r > 0.97 else f"{rng.choice(WORDS)} — {rng.choice(WORDS)}")
        attachment = rng.randbytes(rng.randrange(100, 2001)) if i % 10 == 3 else None
        yield (
            i,
            rng.randrange(1, n + 1),
            kind,
            payload,
            rng.uniform(-100_000.0, 100_000.0),
            rng.random(),
            1 if r < 0.7 else 0,
            _ts(_EPOCH + i * 11 + rng.randrange(10)).strftime("%Y-%m-%d %H:%M:%S") + f".{rng.randrange(1000):03d}",
            note,
            attachment,
            round(rng.uniform(-9_999_999.0, 9_999_999.0), 4),  # DECIMAL(12,4)
            rng.randrange(-(2**53), 2**53),
        )


def generate(path, n, seed=42, chunk=50_000):
    """Write the database for N rows per table to `path` (replacing it)."""
    tmp = path + ".part"
    if os.path.exists(tmp):
        os.remove(tmp)
    con = sqlite3.connect(tmp, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.executescript(SCHEMA)
    con.execute("BEGIN")
    rng = random.Random(seed)
    for table, make, width in (
        ("goals", lambda lo, hi: _goals(rng, lo, hi), 4),
        ("tasks", lambda lo, hi: _tasks(rng, lo, hi, n), 9),
        ("events", lambda lo, hi: _events(rng, lo, hi, n), 12),
    ):
        sql = f"INSERT INTO {table} VALUES ({', '.join('?' * width)})"
        for lo in range(1, n + 1, chunk):
            con.executemany(sql, make(lo, min(lo + chunk, n + 1)))
    for stmt in INDEXES:
        con.execute(stmt)
    con.execute("COMMIT")
    con.close()
    os.replace(tmp, path)


def ensure(workdir, n, seed=42):
    """The cached database for (N, seed, GEN_VERSION), generated when missing."""
    path = os.path.join(workdir, f"source-v{GEN_VERSION}-s{seed}-{n}.db")
    if not os.path.exists(path):
        generate(path, n, seed)
    return path
