#!/usr/bin/env python
"""The oracle of the SQLAlchemy framework test: reads source and target through the app's own
ORM models (models.py) and compares the objects. The job follows from the two schemas:

    single → multi    Promote:  check.py --source tasks.sqlite3 --target postgres://…/app [--source-timezone Europe/Berlin] [--admin-email E]
    multi  → desktop  Extract:  check.py --source postgres://…/app --target desktop.sqlite3 --email alice@example.com
    same   → same     Copy:     check.py --source A --target B

Asserted:
  objects     every goal and task of the source (for Extract: of that user) is in the target with
              the same id and equal fields as the ORM reads them: floats bit for bit, decimals,
              JSON documents with their types, booleans, dates; datetimes as instants (a naive
              single-user datetime is read in --source-timezone, default UTC; the desktop
              edition's naive DateTime(timezone=True) is UTC, as SQLAlchemy writes it); nothing
              else is there; every row is readable (SQLAlchemy's SQLite DATETIME parser accepts
              only 'YYYY-MM-DD HH:MM:SS[.ffffff]')
  relations   each task's goal resolves to the same goal (same title)
  owners      Promote: one admin in users (the --admin-email one), is_superuser set, a bcrypt
              hash passlib identifies; every goal and task owned by the admin
  app_config  Extract: one row, id 1, with the user's email, username, password hash, time zone
              and created_at; the desktop-only columns keep what the desktop migration seeded
  defaults    target-only columns (tasks.position) hold their default
  alembic     the target's alembic_version is its edition's head (untouched by the migration)
  writes      (rolled back) new objects of every model can be inserted through the ORM, with ids
              above the existing ones

Exit codes: 0 equal; 1 differences (printed); 2 bad arguments or unknown schemas; 3 runtime error.
"""

import argparse
import datetime as dt
import decimal
import json
import sys
import warnings
from zoneinfo import ZoneInfo

import sa_common as sc

MAX_SHOWN = 8
UTC = dt.timezone.utc


def edition_of(engine):
    names = sc.tables(engine)
    if "users" in names:
        return "multi"
    if "app_config" in names:
        return "desktop"
    if {"goals", "tasks"} <= names:
        return "single"
    sc.fail(f"{engine.url.render_as_string(hide_password=True)} is none of the task app's editions (tables: {sorted(names)})",
            sc.EXIT_BAD_INPUT)


def norm(value, naive_zone):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=naive_zone)
        return "datetime:" + value.astimezone(UTC).isoformat()
    if isinstance(value, dt.date):
        return "date:" + value.isoformat()
    if isinstance(value, decimal.Decimal):
        return "decimal:" + (str(value.normalize()) if value != 0 else "0")
    if isinstance(value, bool):
        return "bool:" + str(value)
    if isinstance(value, float):
        return "float:" + repr(value)
    if isinstance(value, int):
        return "int:" + str(value)
    if isinstance(value, (list, dict)):
        return "json:" + json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str):
        return value
    return f"{type(value).__name__}:{value!r}"


def read(engine, model, naive_zone, where=None):
    """{id: {column: normalized value}} through the ORM, one object at a time so one unreadable
    row is reported with its id instead of failing the whole table."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    out = {}
    with Session(engine) as s:
        q = select(model.id).order_by(model.id)
        if where is not None:
            q = q.where(where)
        for (pk,) in s.execute(q):
            try:
                obj = s.get(model, pk)
                row = {}
                for col in model.__table__.columns:
                    v = getattr(obj, col.key)
                    # JSON columns: tag the document, whatever its Python type (42 is a document)
                    row[col.key] = ("json:" + json.dumps(v, sort_keys=True, ensure_ascii=False)
                                    if is_json(col) and v is not None else norm(v, naive_zone))
                out[str(pk)] = row
            except Exception as e:  # noqa: BLE001 - the finding is the row
                out[str(pk)] = {"<unreadable>": f"{type(e).__name__}: {e}"}
                s.rollback()
    return out


def is_json(col):
    t = col.type
    names = {type(t).__name__}
    for v in getattr(t, "_variant_mapping", {}).values():
        names.add(type(v).__name__)
    return bool(names & {"JSON", "JSONB"})


class Report:
    def __init__(self):
        self.failed = []

    def section(self, name, problems, ok_text):
        if problems:
            self.failed.append(name)
            print(f"FAIL {name}")
            for line in problems[:40]:
                print(f"     {line}")
            if len(problems) > 40:
                print(f"     … and {len(problems) - 40} more")
        else:
            print(f"ok   {name}: {ok_text}")


def short(v, n=110):
    s = repr(v)
    return s if len(s) <= n else s[: n - 1] + "…"


def diff_rows(table, src, tgt, columns):
    problems = []
    missing = [k for k in src if k not in tgt]
    extra = [k for k in tgt if k not in src]
    if missing:
        problems.append(f"{table}: {len(missing)} rows missing on the target, e.g. ids {', '.join(missing[:MAX_SHOWN])}")
    if extra:
        problems.append(f"{table}: {len(extra)} rows only on the target, e.g. ids {', '.join(extra[:MAX_SHOWN])}")
    shown = 0
    for k in src:
        if k not in tgt:
            continue
        if "<unreadable>" in tgt[k]:
            problems.append(f"{table} id={k}: the ORM cannot read the target row: {tgt[k]['<unreadable>']}")
            continue
        for c in columns:
            if src[k].get(c) != tgt[k].get(c):
                shown += 1
                if shown <= MAX_SHOWN * 2:
                    problems.append(f"{table} id={k} .{c}: source {short(src[k].get(c))} != target {short(tgt[k].get(c))}")
    if shown > MAX_SHOWN * 2:
        problems.append(f"{table}: … {shown - MAX_SHOWN * 2} more differing values")
    return problems


def alembic_head(edition):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(Config(str(sc.HERE / "alembic.ini"), ini_section=edition)).get_current_head()


def main():
    p = argparse.ArgumentParser(description="Compare two databases of the SQLAlchemy task app through its ORM.")
    p.add_argument("--source", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--source-timezone", default="UTC", help="the zone the single-user app's naive datetimes were written in (Promote)")
    p.add_argument("--admin-email", help="Promote: the admin the run created (default: the one user there)")
    p.add_argument("--email", help="Extract: the user whose data was extracted")
    p.add_argument("--no-writes", action="store_true")
    args = p.parse_args()
    warnings.simplefilter("ignore")  # pysqlite Decimal warnings: the app's reality, not a finding

    import models

    src_engine, tgt_engine = sc.engine_for(args.source), sc.engine_for(args.target)
    se, te = edition_of(src_engine), edition_of(tgt_engine)
    job = {("single", "multi"): "promote", ("multi", "desktop"): "extract"}.get((se, te), "copy" if se == te else None)
    if job is None:
        sc.fail(f"no job goes from the {se} edition to the {te} edition", sc.EXIT_BAD_INPUT)
    if job == "extract" and not args.email:
        sc.fail("Extract (multi → desktop) needs --email", sc.EXIT_BAD_INPUT)
    print(f"source: {sc.mask(args.source)} ({se} edition)\ntarget: {sc.mask(args.target)} ({te} edition)\njob: {job}")
    zone_of = {"single": ZoneInfo(args.source_timezone), "multi": UTC, "desktop": UTC}
    _, sgoal, stask = models.EDITIONS[se]
    _, tgoal, ttask = models.EDITIONS[te]
    r = Report()

    from sqlalchemy import func, select, text
    from sqlalchemy.orm import Session

    src_user = None
    where_goal = where_task = None
    if job == "extract":
        with Session(src_engine) as s:
            src_user = s.scalars(select(models.User).where(models.User.email == args.email)).first()
            if src_user is None:
                sc.fail(f"no user {args.email} in the source", sc.EXIT_BAD_INPUT)
            s.expunge(src_user)
        where_goal, where_task = sgoal.user_id == src_user.id, stask.user_id == src_user.id

    # objects
    shared = lambda a, b: [c.key for c in a.__table__.columns if c.key in b.__table__.columns.keys() and c.key != "user_id"]  # noqa: E731
    gcols, tcols = shared(sgoal, tgoal), shared(stask, ttask)
    src = {"goals": read(src_engine, sgoal, zone_of[se], where_goal), "tasks": read(src_engine, stask, zone_of[se], where_task)}
    tgt = {"goals": read(tgt_engine, tgoal, zone_of[te]), "tasks": read(tgt_engine, ttask, zone_of[te])}
    problems = diff_rows("goals", src["goals"], tgt["goals"], gcols) + diff_rows("tasks", src["tasks"], tgt["tasks"], tcols)
    if job == "copy" and se == "multi":
        problems += diff_rows("users", read(src_engine, models.User, UTC), read(tgt_engine, models.User, UTC),
                              [c.key for c in models.User.__table__.columns])
    r.section("objects (goals and tasks, every column, through the ORM)", problems,
              f"{len(src['goals'])} goals and {len(src['tasks'])} tasks equal")

    # relations
    problems = []
    with Session(src_engine) as s1, Session(tgt_engine) as s2:
        for t in s2.scalars(select(ttask).order_by(ttask.id)):
            try:
                a = s1.get(stask, t.id)
                if a is None:
                    continue
                ga, gb = a.goal_id and s1.get(sgoal, a.goal_id), t.goal_id and s2.get(tgoal, t.goal_id)
                if (ga and ga.title) != (gb and gb.title):
                    problems.append(f"task {t.id}: goal {short(ga and ga.title)} on the source, {short(gb and gb.title)} on the target")
            except Exception as e:  # noqa: BLE001
                problems.append(f"task {t.id}: {type(e).__name__}: {e}")
    r.section("relations (task → goal)", problems, "every task's goal is the same goal")

    # owners / app_config
    if job == "promote":
        problems = []
        with Session(tgt_engine) as s:
            users = list(s.scalars(select(models.User)))
            admin = None
            if len(users) != 1:
                problems.append(f"users holds {len(users)} rows, expected exactly the one admin")
            if users:
                admin = next((u for u in users if u.email == args.admin_email), None) if args.admin_email else users[0]
                if admin is None:
                    problems.append(f"no user {args.admin_email} in users")
            if admin is not None:
                from passlib.hash import bcrypt
                if not admin.is_superuser:
                    problems.append(f"the admin {admin.email} has is_superuser = false")
                if not (admin.hashed_password or "").startswith("$2b$") or not bcrypt.identify(admin.hashed_password):
                    problems.append(f"the admin's hashed_password is not a $2b$ bcrypt hash passlib knows: {admin.hashed_password[:7]!r}…")
                for model in (models.Goal, models.Task):
                    n = s.scalar(select(func.count()).select_from(model).where((model.user_id != admin.id) | model.user_id.is_(None)))
                    if n:
                        problems.append(f"{model.__tablename__}: {n} rows not owned by the admin (id {admin.id})")
        r.section("owners (one admin, every row owned by them)", problems,
                  f"admin {admin.email if admin else '?'} owns every goal and task")
    if job == "extract":
        problems = []
        with Session(tgt_engine) as s:
            rows = list(s.scalars(select(models.AppConfig)))
            if len(rows) != 1 or rows[0].id != 1:
                problems.append(f"app_config holds {len(rows)} rows (ids {[x.id for x in rows]}), expected one with id 1")
            else:
                c = rows[0]
                for col in ("email", "username", "hashed_password", "timezone"):
                    if getattr(c, col) != getattr(src_user, col):
                        problems.append(f"app_config.{col}: {short(getattr(c, col))}, the user has {short(getattr(src_user, col))}")
                if norm(c.created_at, UTC) != norm(src_user.created_at, UTC):
                    problems.append(f"app_config.created_at: {norm(c.created_at, UTC)}, the user has {norm(src_user.created_at, UTC)}")
                if c.app_version != "2.3.0" or c.onboarding_done is not False:
                    problems.append(f"desktop-only columns changed: app_version={c.app_version!r} (seeded '2.3.0'), "
                                    f"onboarding_done={c.onboarding_done!r} (default False)")
        r.section("app_config (the user's singleton)", problems, f"id 1 holds {args.email}'s account, seeded settings kept")

    # defaults of target-only columns
    problems = []
    if job == "promote":
        with Session(tgt_engine) as s:
            n = s.scalar(select(func.count()).select_from(models.Task).where(models.Task.position != 0))
            if n:
                problems.append(f"tasks.position: {n} rows are not the default 0")
    r.section("defaults (target-only columns)", problems, "as the schema's defaults")

    # alembic
    problems = []
    if te in ("multi", "desktop"):
        head = alembic_head(te)
        with tgt_engine.connect() as c:
            versions = [v for (v,) in c.execute(text("select version_num from alembic_version"))]
        if versions != [head]:
            problems.append(f"alembic_version holds {versions}, the {te} edition's head is {head}")
    r.section("alembic (the target's migration state)", problems, "at its head")

    if not args.no_writes:
        problems = []
        with Session(tgt_engine) as s:
            try:
                now = dt.datetime.now(UTC)
                owner = {}
                if te == "multi":
                    u = models.User(email="probe@example.com", username="ferry-probe", hashed_password="x", created_at=now)
                    s.add(u)
                    s.flush()
                    owner = {"user_id": u.id}
                for model in (tgoal, ttask):
                    top = s.scalar(select(func.max(model.id)))
                    kw = dict(owner, title="probe", created_at=now if te != "single" else now.replace(tzinfo=None))
                    obj = model(**kw)
                    s.add(obj)
                    s.flush()
                    if top is not None and obj.id <= top:
                        problems.append(f"{model.__tablename__}: new id {obj.id} is not above the existing maximum {top}")
            except Exception as e:  # noqa: BLE001
                problems.append(f"inserting through the ORM failed: {type(e).__name__}: {str(e).splitlines()[0]}")
            finally:
                s.rollback()
        r.section("writes on the target (rolled back)", problems, "new users/goals/tasks insert, ids above the existing ones")

    if r.failed:
        print(f"\nFAILED: {len(r.failed)} checks differ: {', '.join(r.failed)}")
        sys.exit(sc.EXIT_DIFFERENT)
    print("\nPASSED: the app's ORM sees the same data in the target")


if __name__ == "__main__":
    main()
