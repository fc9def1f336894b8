#!/usr/bin/env python
"""Create an empty target of the task app with Alembic (`alembic upgrade head`):

    migrate_empty.py --edition multi   --db postgres://postgres@127.0.0.1:5432/app   (Promote's target)
    migrate_empty.py --edition desktop --db desktop.sqlite3                         (Extract's target)

multi: users, goals, tasks with user_id owner columns, alembic_version. desktop: app_config
(its singleton row id = 1 seeded with desktop settings), goals, tasks, alembic_version.

Exit codes: 0 migrated; 2 the file exists / the database has tables; 3 runtime error.
"""

import argparse
from pathlib import Path

import sa_common as sc


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--edition", choices=["multi", "desktop"], required=True)
    p.add_argument("--db", required=True, help="a new SQLite file path or an empty PostgreSQL database's URL")
    args = p.parse_args()
    if not sc.is_url(args.db) and Path(args.db).exists():
        sc.fail(f"{args.db} exists; migrate_empty.py creates a new file (delete it first)", sc.EXIT_BAD_INPUT)
    engine = sc.engine_for(args.db, must_exist=False)
    if sc.tables(engine):
        sc.fail(f"{sc.mask(args.db)} already has tables; migrate_empty.py needs an empty database", sc.EXIT_BAD_INPUT)
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(sc.HERE / "alembic.ini"), ini_section=args.edition)
    cfg.set_main_option("sqlalchemy.url", sc.sqlalchemy_url(args.db).replace("%", "%%"))
    try:
        command.upgrade(cfg, "head")
    except Exception as e:  # noqa: BLE001
        sc.fail(f"alembic upgrade head ({args.edition}) failed on {sc.mask(args.db)}: {type(e).__name__}: {e}")
    from sqlalchemy import text

    with engine.connect() as c:
        head = c.execute(text("select version_num from alembic_version")).scalar_one()
    print(f"migrated {sc.mask(args.db)} to the {args.edition} edition's head {head}: {', '.join(sorted(sc.tables(engine)))}")


if __name__ == "__main__":
    main()
