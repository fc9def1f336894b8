#!/usr/bin/env python
"""Build a multi-user PostgreSQL edition with data, the source of Extract: `alembic upgrade
head` (migrations/multi), then, through the ORM, the accounts of sa_common.ACCOUNTS with
passlib bcrypt hashes ($2b$, cost 12) and goals and tasks for each (aware UTC datetimes).
Deterministic, except the bcrypt salts (passlib draws them; the hashes verify the same).

    build_multi.py --db postgres://postgres@127.0.0.1:5432/app

Exit codes: 0 built; 2 the database has tables; 3 runtime error.
"""

import argparse
import datetime as dt
import subprocess
import sys

import sa_common as sc
import seed


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="an empty PostgreSQL database's URL (or a new SQLite path)")
    p.add_argument("--goals", type=int, default=15, help="goals per user")
    p.add_argument("--tasks", type=int, default=80, help="tasks per user")
    args = p.parse_args()
    proc = subprocess.run([sys.executable, str(sc.HERE / "migrate_empty.py"), "--edition", "multi", "--db", args.db])
    if proc.returncode != 0:
        sys.exit(proc.returncode)
    from passlib.hash import bcrypt
    from sqlalchemy.orm import Session

    import models

    engine = sc.engine_for(args.db)
    utc = dt.timezone.utc
    with Session(engine) as s, s.begin():
        goal_id = task_id = 0
        for n, (email, username, password) in enumerate(sc.ACCOUNTS):
            user = models.User(email=email, username=username, hashed_password=bcrypt.using(rounds=12).hash(password),
                               is_superuser=n == 0, timezone=["Europe/Berlin", "UTC", "America/New_York"][n % 3],
                               created_at=dt.datetime(2024, 1, 1 + n, 9, 0, 0, n, tzinfo=utc))
            s.add(user)
            s.flush()
            goals, tasks = seed.goals_and_tasks(1000 + n, args.goals, args.tasks)
            for g in goals:
                g.update(id=g["id"] + goal_id, user_id=user.id, created_at=g["created_at"].replace(tzinfo=utc),
                         updated_at=g["updated_at"] and g["updated_at"].replace(tzinfo=utc))
            for t in tasks:
                t.update(id=t["id"] + task_id, user_id=user.id, goal_id=t["goal_id"] and t["goal_id"] + goal_id,
                         position=t["id"] % 5,
                         **{k: t[k] and t[k].replace(tzinfo=utc) for k in ("created_at", "updated_at", "completed_at")})
            s.add_all(models.Goal(**g) for g in goals)
            s.flush()
            s.add_all(models.Task(**t) for t in tasks)
            s.flush()
            goal_id += len(goals)
            task_id += len(tasks)
    # Rows were inserted with explicit ids: move the identity sequences past them, as the app's
    # own inserts would have.
    from sqlalchemy import text

    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            for table in ("users", "goals", "tasks"):
                c.execute(text(f"select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"))
    print(f"built {sc.mask(args.db)}: users={len(sc.ACCOUNTS)}, goals={goal_id}, tasks={task_id}")


if __name__ == "__main__":
    main()
