#!/usr/bin/env python
"""A reference into-existing migration done with Django itself, to prove check.py passes on a
correct copy across backends (Ferry is what the real test runs; this is the yardstick).

    reference_copy.py --from app.sqlite3 --to postgres://postgres@127.0.0.1/target

The target must be a database of this project on which `migrate` ran (migrate_empty.py). In
one transaction it does what `ferry migrate --into-existing` must do for a Django app:
replaces the rows `migrate` seeded (django_content_type, auth_permission) and django_migrations
by the source's rows, keeping their ids (never appending or renumbering), copies every other
table with its keys, and sets the sequences past the copied keys.

Exit codes: 0 copied; 2 the target is not a migrated database of the project; 3 runtime error.
"""

import argparse
import os

import ferry_django as fd


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--from", dest="source", required=True)
    p.add_argument("--to", dest="target", required=True)
    args = p.parse_args()
    os.environ["FERRY_DJANGO_DB_OTHER"] = args.target
    fd.setup(args.source)
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connections, transaction
    from django.db.migrations.recorder import MigrationRecorder

    for alias, db in (("default", args.source), ("other", args.target)):
        try:
            connections[alias].ensure_connection()
        except Exception as e:  # noqa: BLE001
            fd.fail(f"cannot open {fd.mask(db)}: {e}")
    if "django_migrations" not in connections["other"].introspection.table_names():
        fd.fail(f"{fd.mask(args.target)} is not migrated (no django_migrations): run migrate_empty.py first", fd.EXIT_BAD_INPUT)

    models = list(apps.get_models(include_auto_created=True))
    recorder_model = MigrationRecorder(connections["other"]).Migration
    with transaction.atomic(using="other"):
        for model in models + [recorder_model]:
            model._base_manager.using("other").all()._raw_delete("other")
        counts = {}
        for model in [recorder_model] + models:
            objs = list(model._base_manager.using("default").order_by("pk"))
            model._base_manager.using("other").bulk_create(objs, batch_size=200)
            counts[model._meta.db_table] = len(objs)
        conn = connections["other"]
        with conn.cursor() as c:
            for sql in conn.ops.sequence_reset_sql(no_style(), models + [recorder_model]):
                c.execute(sql)
    print(f"copied {fd.mask(args.source)} into {fd.mask(args.target)}: "
          + ", ".join(f"{t}={n}" for t, n in counts.items() if n))


if __name__ == "__main__":
    main()
