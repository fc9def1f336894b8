#!/usr/bin/env python
"""Build the single-user task app's SQLite file the way the app does: Base.metadata.create_all()
and ORM inserts (SQLAlchemy's own storage forms: 'YYYY-MM-DD HH:MM:SS.ffffff' datetimes,
0/1 booleans, JSON text, NUMERIC decimals). Deterministic. The source of Promote.

    build_source.py --db tasks.sqlite3 [--goals 40] [--tasks 300]

Exit codes: 0 built; 2 the file exists; 3 runtime error.
"""

import argparse
import warnings
from pathlib import Path

import sa_common as sc
import seed


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="a new SQLite file")
    p.add_argument("--goals", type=int, default=40)
    p.add_argument("--tasks", type=int, default=300)
    args = p.parse_args()
    if sc.is_url(args.db):
        sc.fail("the single-user edition is a SQLite file: give a path", sc.EXIT_BAD_INPUT)
    if Path(args.db).exists():
        sc.fail(f"{args.db} exists; build_source.py writes a new file (delete it first)", sc.EXIT_BAD_INPUT)
    from sqlalchemy.orm import Session

    import models

    engine = sc.engine_for(args.db, must_exist=False)
    models.Single.metadata.create_all(engine)
    goals, tasks = seed.goals_and_tasks(20261201, args.goals, args.tasks)
    # SQLAlchemy warns that pysqlite stores Decimal as a float: that is the app's reality.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Session(engine) as s, s.begin():
            s.add_all(models.SingleGoal(**g) for g in goals)
            s.flush()
            s.add_all(models.SingleTask(**t) for t in tasks)
    print(f"built {args.db}: goals={len(goals)}, tasks={len(tasks)}")


if __name__ == "__main__":
    main()
