#!/usr/bin/env python
"""Create the target a user would have: an empty database on which the project's `migrate`
ran once, in one go (no history), as a fresh deployment does. Its content types and
permissions get the ids a fresh migrate assigns; nothing else is in it.

    migrate_empty.py --db new.sqlite3
    migrate_empty.py --db postgres://postgres@127.0.0.1:5432/target   (an existing empty database)

Exit codes: 0 migrated; 2 the file exists / the database has tables; 3 runtime error.
"""

import argparse
from pathlib import Path

import ferry_django as fd


def main():
    fd.fixed_hash_seed()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="a new SQLite file path, or an empty PostgreSQL database's URL")
    args = p.parse_args()
    if not fd.is_url(args.db) and Path(args.db).exists():
        fd.fail(f"{args.db} exists; migrate_empty.py creates a new file (delete it first)", fd.EXIT_BAD_INPUT)
    fd.setup(args.db)
    fd.connection_or_fail(args.db)
    if fd.table_names():
        fd.fail(f"{fd.mask(args.db)} already has tables; migrate_empty.py needs an empty database", fd.EXIT_BAD_INPUT)
    from django.core.management import call_command

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except Exception as e:  # noqa: BLE001
        fd.fail(f"migrate failed on {fd.mask(args.db)}: {type(e).__name__}: {e}")
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.auth.models import Permission

    print(f"migrated {fd.mask(args.db)}: {ContentType.objects.count()} content types, "
          f"{Permission.objects.count()} permissions, no other rows")


if __name__ == "__main__":
    main()
