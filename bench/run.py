#!/usr/bin/env python3
"""Ferry benchmark: Ferry against pgloader, DuckDB and the raw sqlite3/psql limits, on the same data.

For each N: generate (or reuse) the seeded SQLite database, build the PostgreSQL source for the
reverse direction with the raw limit pipeline and check it, then time every tool `--repeat`
times, interleaved (tool A, B, C, A, B, C, …) so drift in machine load hits all of them alike.
Every run gets fresh target databases, which are checked (row counts, sampled values) and
dropped afterwards. Each process runs under `/usr/bin/time -v` for its peak RSS. For one N
(`--fidelity-rows`, default the smallest) the first run of every tool also gets the fidelity
check (fidelity.py: every value, the types, keys, indexes, NOT NULL, defaults, sequences).
DuckDB and the fidelity check run in a venv built from bench/requirements.txt (bench_venv()).

Usage: python3 bench/run.py --rows 100000,1000000 --repeat 3   (see bench/README.md)
       python3 bench/run.py --rows 100000,1000000,5000000:1 --repeat 3   (N:R = R repeats for that N)
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
import limits  # noqa: E402
import check  # noqa: E402
from check import Failed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TIME = "/usr/bin/time"
TIMEOUT_S = 1800.0  # per pipeline step; --timeout

S2P = "sqlite→pg"
P2S = "pg→sqlite"
COPY_PHASES = ("schema", "copy", "indexes", "constraints", "sequences")
REQUIREMENTS = os.path.join(HERE, "requirements.txt")
DUCK = os.path.join(HERE, "duck.py")
FIDELITY = os.path.join(HERE, "fidelity.py")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def env():
    e = dict(os.environ)
    e["PGTZ"] = "UTC"  # timestamps without an offset are UTC, and come back as UTC
    e.pop("PGDATABASE", None)
    return e


def _rss_kb(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if "Maximum resident set size" in line:
                return int(line.rsplit(":", 1)[1])
    raise Failed(f"no peak RSS in {path}")


def _kill_groups(procs):
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def pipeline(stages, label, capture=False):
    """Run argv lists connected by pipes, each under /usr/bin/time -v.

    Returns (stdout of the last stage, [peak RSS kB of each stage]). Raises Failed with the
    stderr tail of the first failing stage.
    """
    with tempfile.TemporaryDirectory(prefix="ferry-bench-") as td:
        procs, errs, prev = [], [], None
        for i, argv in enumerate(stages):
            err = open(os.path.join(td, f"err{i}"), "w+b")
            last = i == len(stages) - 1
            p = subprocess.Popen(
                [TIME, "-v", "-o", os.path.join(td, f"time{i}")] + argv,
                stdin=prev if prev is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE if (not last or capture) else subprocess.DEVNULL,
                stderr=err,
                env=env(),
                start_new_session=True,  # its own process group, so a timeout kills the tool too
            )
            if prev is not None:
                prev.close()
            prev = p.stdout
            procs.append(p)
            errs.append(err)
        # A hung tool (the engine is young) must not hang the benchmark: kill the pipeline.
        timer = threading.Timer(TIMEOUT_S, _kill_groups, (procs,))
        timer.start()
        try:
            out = prev.read() if prev is not None else b""
            if prev is not None:
                prev.close()
            codes = [p.wait() for p in procs]
        except BaseException:  # Ctrl-C: the tools live in their own sessions, end them too
            timer.cancel()
            _kill_groups(procs)
            raise
        timed_out = not timer.is_alive() and any(c < 0 for c in codes)
        timer.cancel()
        if timed_out:
            raise Failed(f"{label}: killed after {TIMEOUT_S:.0f}s (--timeout)")
        for argv, code, err in zip(stages, codes, errs):
            if code != 0:
                err.seek(0)
                tail = err.read().decode("utf-8", "replace").strip().splitlines()[-6:]
                raise Failed(f"{label}: {os.path.basename(argv[0])} exited {code}: " + " | ".join(tail))
        rss = [_rss_kb(os.path.join(td, f"time{i}")) for i in range(len(stages))]
        for err in errs:
            err.close()
        return out, rss


class Run:
    """Times a sequence of steps: wall over all of them, peak RSS = max over steps of the sum
    of the RSS of the processes that ran at the same time (the stages of one pipeline)."""

    def __init__(self):
        self.t0 = time.perf_counter()
        self.peak_kb = 0
        self.stdout = b""

    def step(self, stages, label, capture=False):
        out, rss = pipeline(stages, label, capture)
        self.peak_kb = max(self.peak_kb, sum(rss))
        if capture:
            self.stdout = out
        return out

    def done(self):
        return {"wall_s": time.perf_counter() - self.t0, "peak_rss_mb": self.peak_kb / 1024}


# --- the venv of DuckDB and the fidelity check --------------------------------------------


def venv_dir():
    if os.environ.get("FERRY_BENCH_VENV"):
        return os.environ["FERRY_BENCH_VENV"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "ferry", "tools", "bench-venv")


def bench_venv():
    """The venv's python, (re)built when bench/requirements.txt or the interpreter changed.

    pip installs the pinned wheels from the package registry; nothing is fetched later, at run
    time (duck.py loads the extensions from the installed files). Raises Failed on any error.
    """
    d = venv_dir()
    py = os.path.join(d, "bin", "python")
    with open(REQUIREMENTS, "rb") as f:
        key = hashlib.sha256(f.read() + sys.version.encode()).hexdigest()
    stamp = os.path.join(d, "requirements.sha256")
    try:
        with open(stamp, encoding="utf-8") as f:
            if f.read().strip() == key and os.access(py, os.X_OK):
                return py
    except OSError:
        pass
    log(f"building the bench venv in {d} from {os.path.relpath(REQUIREMENTS)}")
    shutil.rmtree(d, ignore_errors=True)
    for argv in (
        [sys.executable, "-m", "venv", d],
        [py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", "-r", REQUIREMENTS],
    ):
        r = subprocess.run(argv, capture_output=True)
        if r.returncode != 0:
            tail = r.stderr.decode("utf-8", "replace").strip().splitlines()[-4:]
            raise Failed(f"bench venv: {' '.join(argv[:4])} exited {r.returncode}: " + " | ".join(tail))
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    return py


def duck_probe(py):
    """DuckDB's and the loaded extensions' versions; Failed if DuckDB cannot load them offline."""
    r = subprocess.run([py, DUCK, "probe"], capture_output=True, env=env())
    if r.returncode != 0:
        raise Failed(f"duckdb probe: {r.stderr.decode('utf-8', 'replace').strip()[-400:]}")
    return json.loads(r.stdout)


# --- PostgreSQL helpers -------------------------------------------------------------------


class Pg:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def url(self, db):
        return f"{self.base}/{db}"

    def psql(self, db, *extra):
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(db), *extra]

    def query(self, db, sql):
        r = subprocess.run(self.psql(db, "-At", "-F", "\t", "-c", sql), capture_output=True, env=env())
        if r.returncode != 0:
            raise Failed(f"psql on {db}: {r.stderr.decode('utf-8', 'replace').strip()}")
        return [line.split("\t") for line in r.stdout.decode("utf-8").splitlines() if line != ""]

    def create(self, db):
        self.drop(db)
        self.query("postgres", f'CREATE DATABASE "{db}"')

    def drop(self, db):
        self.query("postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


# --- the tools ------------------------------------------------------------------------------


def ferry_bin():
    if os.environ.get("FERRY_BIN"):
        return os.environ["FERRY_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    return os.path.join(target, "release", "ferry")


def run_ferry(src, dst):
    exe = ferry_bin()
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        raise Failed(f"no executable at {exe} (set FERRY_BIN or build with bench/run.sh)")
    r = Run()
    try:
        out = r.step([[exe, "migrate", "--from", src, "--to", dst, "--yes", "--json"]], "ferry", capture=True)
    except Failed as e:
        raise Failed(str(e)) from None
    res = r.done()
    try:
        report = json.loads(out)
    except ValueError:
        raise Failed(f"ferry printed no JSON report: {out[:200]!r}") from None
    if report.get("outcome") not in ("committed", "verified"):
        raise Failed(f"ferry outcome {report.get('outcome')}: {report.get('error')}")
    phases = {}
    for p in report.get("phases", []):
        phases[p["phase"]] = phases.get(p["phase"], 0.0) + float(p["seconds"])
    res["copy_s"] = sum(phases.get(p, 0.0) for p in COPY_PHASES)
    res["verify_s"] = phases.get("verify", 0.0)
    res["phases"] = phases
    return res


def ferry_s2p(ctx, n, db):
    ctx.pg.create(db)
    return run_ferry(ctx.src_db, ctx.pg.url(db))


def ferry_p2s(ctx, n, out):
    return run_ferry(ctx.pg.url(ctx.pg_src), out)


def pgloader_s2p(ctx, n, db):
    ctx.pg.create(db)
    load = os.path.join(ctx.workdir, f"{db}.load")
    with open(load, "w", encoding="utf-8") as f:
        f.write(
            f"LOAD DATABASE\n  FROM sqlite://{ctx.src_db}\n  INTO {ctx.pg.url(db)}\n"
            "  WITH include drop, create tables, create indexes, reset sequences, foreign keys,\n"
            "       prefetch rows = 10000\n"
            # pgloader's default maps SQLite REAL to float4 (real), rounding every double;
            # the cast needs `using float-to-string`, or rows fail (with exit status 0) on
            # Lisp's "1.5d0" spelling.
            '  CAST type real to "double precision" drop typemod using float-to-string\n;\n'
        )
    r = Run()
    r.step([["pgloader", "--root-dir", os.path.join(ctx.workdir, "pgloader"), load]], "pgloader")
    os.remove(load)
    return r.done()


def limit_s2p(ctx, n, db):
    ctx.pg.create(db)
    r = Run()
    r.step([ctx.pg.psql(db, "-c", limits.PG_SCHEMA)], "limit schema")
    for t in gen.TABLES:
        r.step(
            [
                ["sqlite3", "-batch", "-readonly", "-csv", ctx.src_db, limits.SQLITE_SELECT[t]],
                ctx.pg.psql(db, "-c", f"\\copy {t} FROM pstdin WITH (FORMAT csv)"),
            ],
            f"limit copy {t}",
        )
    r.step([ctx.pg.psql(db, "-c", limits.PG_FINISH)], "limit keys/indexes")
    return r.done()


def limit_p2s(ctx, n, out):
    r = Run()
    r.step([["sqlite3", "-batch", out, limits.SQLITE_TARGET_SCHEMA]], "limit schema")
    for t in gen.TABLES:
        cmds = ["BEGIN", f".import --csv /dev/stdin {t}"]
        fix = limits.sqlite_null_fixup(t, gen.NULLABLE)
        if fix:
            cmds.append(fix)
        cmds.append("COMMIT")
        r.step(
            [
                ctx.pg.psql(ctx.pg_src, "-c", f"\\copy ({limits.PG_SELECT[t]}) TO STDOUT WITH (FORMAT csv)"),
                ["sqlite3", "-batch", out, *cmds],
            ],
            f"limit copy {t}",
        )
    r.step([["sqlite3", "-batch", out, limits.SQLITE_TARGET_INDEXES]], "limit indexes")
    return r.done()


def _duck(ctx, *args):
    if not ctx.venv_py:
        raise Failed(f"no bench venv: {ctx.venv_error}")
    return [ctx.venv_py, DUCK, *args]


def duck_s2p(shape):
    def run(ctx, n, db):
        ctx.pg.create(db)
        r = Run()
        r.step([_duck(ctx, "s2p", shape, "--sqlite", ctx.src_db, "--pg", ctx.pg.url(db))], f"duckdb {shape}")
        return r.done()
    return run


def duck_p2s(shape):
    def run(ctx, n, out):
        r = Run()
        if shape == "exact":  # SQLite cannot add keys later: the schema first, indexes after
            r.step([["sqlite3", "-batch", out, limits.SQLITE_TARGET_SCHEMA]], "duckdb schema")
        r.step([_duck(ctx, "p2s", shape, "--sqlite", out, "--pg", ctx.pg.url(ctx.pg_src))], f"duckdb {shape}")
        if shape == "exact":
            r.step([["sqlite3", "-batch", out, limits.SQLITE_TARGET_INDEXES]], "duckdb indexes")
        return r.done()
    return run


TOOLS = {
    S2P: [
        ("ferry", ferry_s2p), ("pgloader", pgloader_s2p), ("duckdb-lossy", duck_s2p("lossy")),
        ("duckdb-exact", duck_s2p("exact")), ("limit", limit_s2p),
    ],
    P2S: [
        ("ferry", ferry_p2s), ("duckdb-lossy", duck_p2s("lossy")), ("duckdb-exact", duck_p2s("exact")),
        ("limit", limit_p2s),
    ],
}
#: Ratio columns of the table: each tool's median wall over these tools' (same direction and N).
REFS = [("limit", "×limit"), ("duckdb-lossy", "×dk-lossy"), ("duckdb-exact", "×dk-exact"), ("pgloader", "×pgloader")]


# --- driver --------------------------------------------------------------------------------


class Ctx:
    pass


def versions(ctx):
    def first_line(argv):
        try:
            r = subprocess.run(argv, capture_output=True, timeout=30)
            return (r.stdout or r.stderr).decode("utf-8", "replace").strip().splitlines()[0]
        except Exception as e:  # noqa: BLE001 - informational only
            return f"unavailable ({e})"

    return {
        "sqlite3": first_line(["sqlite3", "--version"]),
        "psql": first_line(["psql", "--version"]),
        "pgloader": first_line(["pgloader", "--version"]),
        "ferry": first_line([ferry_bin(), "--version"]),
        "python": platform.python_version(),
        "duckdb": ctx.duck_versions or f"unavailable ({ctx.venv_error})",
    }


def fidelity(ctx, direction, target):
    """fidelity.py's checks of one target, {check: {"ok", "detail"}}; Failed when it cannot run."""
    if not ctx.venv_py:
        raise Failed(f"no bench venv: {ctx.venv_error}")
    if direction == S2P:
        argv = [ctx.venv_py, FIDELITY, "s2p", "--sqlite", ctx.src_db, "--pg", ctx.pg.url(target)]
    else:
        argv = [ctx.venv_py, FIDELITY, "p2s", "--sqlite", target, "--pg", ctx.pg.url(ctx.pg_src)]
    r = subprocess.run(argv, capture_output=True, env=env(), timeout=TIMEOUT_S)
    if r.returncode != 0:
        raise Failed(f"fidelity check: {r.stderr.decode('utf-8', 'replace').strip()[-600:]}")
    return json.loads(r.stdout)


def check_target(ctx, direction, tool, n, target):
    """Problems found in a target (empty list = correct as far as checked)."""
    if direction == S2P:
        return check.pg_target(ctx.pg, target, ctx.src_db, n, ctx.sample_ids)
    return check.sqlite_target(target, ctx.src_db, n, ctx.sample_ids) + check.sqlite_numbers_full(target, ctx.src_db)


def bench_n(ctx, n, repeat, only):
    ctx.src_db = gen.ensure(ctx.workdir, n, ctx.seed)
    ctx.sample_ids = check.sample_ids(n)
    tag = f"{os.getpid()}"
    ctx.pg_src = f"ferry_bench_src_{n}_{tag}"
    runs = []
    disabled = {}
    try:
        log(f"[{n}] building the PostgreSQL source with the raw limit pipeline")
        limit_s2p(ctx, n, ctx.pg_src)
        # A settled source, as a production database is: without this the first tool to read
        # the freshly loaded tables pays PostgreSQL's hint-bit writes of every page for all
        # the others (31 s of Ferry's introspection at 5M rows in the 2026-12-01 run).
        ctx.pg.query(ctx.pg_src, "VACUUM (FREEZE, ANALYZE)")
        problems = check.pg_target(ctx.pg, ctx.pg_src, ctx.src_db, n, ctx.sample_ids)
        problems += check.pg_numbers_full(ctx.pg, ctx.pg_src, ctx.src_db)
        if problems:
            raise Failed(f"raw limit SQLite → PostgreSQL copy is wrong: {problems[:5]}")
        for rep in range(repeat):
            for direction in (S2P, P2S):
                for tool, fn in TOOLS[direction]:
                    if only and tool not in only:
                        continue
                    if (direction, tool) in disabled:
                        continue
                    if direction == S2P:
                        target = f"ferry_bench_{tool}_{n}_{rep}_{tag}"
                    else:
                        target = os.path.join(ctx.workdir, f"out-{tool}-{n}-{rep}.db")
                        if os.path.exists(target):
                            os.remove(target)
                    try:
                        res = fn(ctx, n, target)
                        problems = check_target(ctx, direction, tool, n, target)
                        if rep == 0 and n == ctx.fidelity_rows:
                            try:
                                ctx.fidelity[(direction, tool)] = {"rows_per_table": n, "checks": fidelity(ctx, direction, target)}
                            except (Failed, subprocess.TimeoutExpired, ValueError) as e:
                                log(f"[{n}] {direction} {tool}: {e}")
                                ctx.fidelity[(direction, tool)] = {"rows_per_table": n, "error": str(e)}
                    except Failed as e:
                        msg = f"{tool} not available/failed: {e}" if tool == "ferry" else f"{tool} failed: {e}"
                        log(f"[{n}] {direction} {msg}")
                        disabled[(direction, tool)] = msg
                        continue
                    finally:
                        if direction == S2P:
                            ctx.pg.drop(target)
                        elif os.path.exists(target) and not ctx.keep:
                            os.remove(target)
                    res.update(tool=tool, direction=direction, rows=n, rep=rep, problems=problems)
                    extra = f" copy {res['copy_s']:.2f}s verify {res['verify_s']:.2f}s" if "copy_s" in res else ""
                    log(
                        f"[{n}] rep {rep + 1}/{repeat} {direction:10} {tool:9} {res['wall_s']:8.2f}s "
                        f"{res['peak_rss_mb']:8.1f} MB{extra}" + (f"  PROBLEMS: {problems[:3]}" if problems else "")
                    )
                    runs.append(res)
    finally:
        ctx.pg.drop(ctx.pg_src)
    return runs, disabled


def summarize(runs, failures):
    rows = []
    order = [t for d in (S2P, P2S) for t, _ in TOOLS[d]]
    keys = sorted(
        {(r["direction"], r["rows"], r["tool"]) for r in runs},
        key=lambda k: (k[1], k[0] != S2P, order.index(k[2]) if k[2] in order else 99),
    )
    for direction, n, tool in keys:
        rs = [r for r in runs if (r["direction"], r["rows"], r["tool"]) == (direction, n, tool)]
        wall = statistics.median(r["wall_s"] for r in rs)
        row = {
            "tool": tool,
            "direction": direction,
            "rows_per_table": n,
            "total_rows": 3 * n,
            "runs": len(rs),
            "median_wall_s": wall,
            "rows_per_s": 3 * n / wall,
            "peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
            "correct": all(not r["problems"] for r in rs),
        }
        if any("copy_s" in r for r in rs):
            row["median_copy_s"] = statistics.median(r["copy_s"] for r in rs)
            row["median_verify_s"] = statistics.median(r["verify_s"] for r in rs)
        rows.append(row)
    for row in rows:
        for ref, _ in REFS:
            base = [x for x in rows if (x["tool"], x["direction"], x["rows_per_table"]) == (ref, row["direction"], row["rows_per_table"])]
            row[f"vs_{ref}"] = row["median_wall_s"] / base[0]["median_wall_s"] if base else None
    for (direction, n, tool), msg in failures.items():
        rows.append({"tool": tool, "direction": direction, "rows_per_table": n, "failed": msg})
    return rows


def print_table(rows):
    refs = "".join(f" {h:>9}" for _, h in REFS)
    hdr = f"{'tool':12} {'direction':10} {'N':>9} {'wall s':>8} {'rows/s':>10} {'RSS MB':>8}{refs}  notes"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        if "failed" in r:
            print(f"{r['tool']:12} {r['direction']:10} {r['rows_per_table']:>9}  {r['failed']}")
            continue

        def ratio(x):
            return f"{x:.2f}" if x is not None else "-"

        notes = []
        if "median_copy_s" in r:
            notes.append(f"copy {r['median_copy_s']:.2f}s + verify {r['median_verify_s']:.2f}s")
        if not r["correct"]:
            notes.append("TARGET CHECK FAILED" + (" (lossy by design, see fidelity)" if r["tool"] == "duckdb-lossy" else ""))
        print(
            f"{r['tool']:12} {r['direction']:10} {r['rows_per_table']:>9} {r['median_wall_s']:8.2f} "
            f"{r['rows_per_s']:10.0f} {r['peak_rss_mb']:8.1f}"
            + "".join(f" {ratio(r['vs_' + ref]):>9}" for ref, _ in REFS)
            + "  " + "; ".join(notes)
        )


FIDELITY_COLUMNS = [
    ("rows", "rows"), ("values", "values"), ("doubles", "dbl"), ("booleans", "bool"), ("timestamps", "tstz"),
    ("numerics", "num"), ("json", "json"), ("bytes", "blob"), ("pk", "PK"), ("fk", "FK"), ("indexes", "idx"),
    ("not_null", "NN"), ("defaults", "dflt"), ("sequence", "seq"),
]


def print_fidelity(fid):
    """One line per tool and direction, ✓/✗ per check, then what each ✗ was."""
    if not fid:
        return
    n = next(iter(fid.values()))["rows_per_table"]
    print(f"\nFidelity ({n} rows per table, every value and the catalogs; bench/README.md says what each check is)")
    hdr = f"{'tool':12} {'direction':10} " + " ".join(f"{h:>6}" for _, h in FIDELITY_COLUMNS)
    print(hdr)
    print("-" * len(hdr))
    order = [t for d in (S2P, P2S) for t, _ in TOOLS[d]]
    keys = sorted(fid, key=lambda k: (k[0] != S2P, order.index(k[1]) if k[1] in order else 99))
    details = []
    for direction, tool in keys:
        f = fid[(direction, tool)]
        if "error" in f:
            print(f"{tool:12} {direction:10} {f['error'][:100]}")
            continue
        cells = []
        for c, _ in FIDELITY_COLUMNS:
            ok = f["checks"][c]["ok"]
            cells.append(f"{'✓' if ok else '✗':>6}")
            if not ok:
                details.append(f"  {tool} {direction} {c}: {f['checks'][c]['detail'][:160]}")
        print(f"{tool:12} {direction:10} " + " ".join(cells))
    if details:
        print("\n".join(["", "failed checks:"] + details))


def main():
    global TIMEOUT_S
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--rows", default="100000",
        help="comma-separated rows per table, each N or N:R for R repeats of that N (default 100000)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="repeats of each N without its own :R")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL without database")
    ap.add_argument("--workdir", default="/tmp/ferry-bench", help="generated databases and SQLite targets")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--only", default="",
        help="comma-separated tools to run: ferry,pgloader,duckdb-lossy,duckdb-exact,limit (duckdb = both shapes)",
    )
    ap.add_argument(
        "--fidelity-rows", type=int, default=None,
        help="the N whose first run of each tool gets the fidelity check (default the smallest of --rows; 0 = none)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the SQLite target files")
    ap.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds before a step is killed")
    args = ap.parse_args()
    TIMEOUT_S = args.timeout

    for exe in ("sqlite3", "psql", "pgloader", TIME):
        if not shutil.which(exe):
            log(f"warning: {exe} not found")
    ctx = Ctx()
    ctx.pg = Pg(args.pg)
    ctx.workdir = os.path.abspath(args.workdir)
    ctx.seed = args.seed
    ctx.keep = args.keep
    os.makedirs(ctx.workdir, exist_ok=True)
    only = {t for t in args.only.split(",") if t}
    if "duckdb" in only:
        only |= {"duckdb-lossy", "duckdb-exact"}
    known = {t for d in TOOLS.values() for t, _ in d} | {"duckdb"}
    if only - known:
        ap.error(f"unknown tools in --only: {', '.join(sorted(only - known))}")
    try:
        plan = [(int(x.split(":")[0]), int(x.split(":")[1]) if ":" in x else args.repeat) for x in args.rows.split(",")]
    except ValueError:
        ap.error(f"--rows: expected N or N:R, comma-separated, got {args.rows!r}")
    ns = [n for n, _ in plan]
    ctx.fidelity_rows = min(ns) if args.fidelity_rows is None else args.fidelity_rows
    ctx.fidelity = {}
    ctx.venv_py, ctx.venv_error, ctx.duck_versions = None, None, None
    if not only or only & {"duckdb-lossy", "duckdb-exact"} or ctx.fidelity_rows:
        try:
            ctx.venv_py = bench_venv()
            ctx.duck_versions = duck_probe(ctx.venv_py)
            log(f"duckdb {ctx.duck_versions['duckdb']}, extensions loaded from {sorted(ctx.duck_versions['paths'].values())}")
        except Failed as e:
            ctx.venv_error = str(e)
            log(f"DuckDB and the fidelity check are unavailable: {e}")
    started = dt.datetime.now(dt.timezone.utc)
    all_runs, failures = [], {}
    for n, repeat in plan:
        runs, disabled = bench_n(ctx, n, repeat, only)
        all_runs += runs
        for (direction, tool), msg in disabled.items():
            failures[(direction, n, tool)] = msg
    rows = summarize(all_runs, failures)
    print_table(rows)
    print_fidelity(ctx.fidelity)
    result = {
        "started_at": started.isoformat(timespec="seconds"),
        "host": {"cpus": os.cpu_count(), "load_at_end": os.getloadavg(), "platform": platform.platform()},
        "versions": versions(ctx),
        "config": {
            "rows": args.rows, "repeat": args.repeat, "seed": args.seed, "gen_version": gen.GEN_VERSION,
            "fidelity_rows": ctx.fidelity_rows,
        },
        "rss_rule": "peak RSS of one run = max over its steps of the sum of the peak RSS of the processes running concurrently (the stages of one pipeline)",
        "summary": rows,
        "fidelity": [{"tool": t, "direction": d, **f} for (d, t), f in ctx.fidelity.items()],
        "runs": all_runs,
    }
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", started.strftime("%Y%m%dT%H%M%SZ") + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2, ensure_ascii=False, default=str)
    print(f"\nwritten {os.path.relpath(path)}")


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        log(f"error: {e}")
        sys.exit(1)
