#!/usr/bin/env python
"""A reference Promote and Extract into the Alembic-made targets, done with the app's ORM: the
yardstick check.py must pass on (the real tests run Ferry instead).

    reference_copy.py --job promote --from tasks.sqlite3 --to postgres://…/app --admin-email admin@example.com --admin-password P [--source-timezone Europe/Berlin]
    reference_copy.py --job extract --from postgres://…/app --to desktop.sqlite3 --email alice@example.com

Exit codes: 0 done; 2 bad arguments; 3 runtime error.
"""

import argparse
import datetime as dt
import warnings
from zoneinfo import ZoneInfo

import sa_common as sc


def columns(model):
    return [c.key for c in model.__table__.columns]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--job", choices=["promote", "extract"], required=True)
    p.add_argument("--from", dest="source", required=True)
    p.add_argument("--to", dest="target", required=True)
    p.add_argument("--admin-email", default="admin@example.com")
    p.add_argument("--admin-password", default="temporary-Password-1")
    p.add_argument("--email")
    p.add_argument("--source-timezone", default="UTC")
    args = p.parse_args()
    warnings.simplefilter("ignore")
    from passlib.hash import bcrypt
    from sqlalchemy import select, text
    from sqlalchemy.orm import Session

    import models

    src, tgt = sc.engine_for(args.source), sc.engine_for(args.target)
    with Session(src) as s, Session(tgt) as t, t.begin():
        if args.job == "promote":
            zone = ZoneInfo(args.source_timezone)
            admin = models.User(email=args.admin_email, username="admin", is_superuser=True,
                                hashed_password=bcrypt.using(rounds=12).hash(args.admin_password),
                                created_at=dt.datetime.now(dt.timezone.utc))
            t.add(admin)
            t.flush()
            aware = lambda v: v.replace(tzinfo=zone) if isinstance(v, dt.datetime) else v  # noqa: E731
            for smodel, tmodel in ((models.SingleGoal, models.Goal), (models.SingleTask, models.Task)):
                for o in s.scalars(select(smodel).order_by(smodel.id)):
                    t.add(tmodel(user_id=admin.id, **{k: aware(getattr(o, k)) for k in columns(smodel)}))
                t.flush()
            for table in ("goals", "tasks"):
                t.execute(text(f"select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"))
        else:
            user = s.scalars(select(models.User).where(models.User.email == args.email)).one()
            cfg = t.get(models.AppConfig, 1)
            for k in ("email", "username", "hashed_password", "timezone", "created_at"):
                setattr(cfg, k, getattr(user, k))
            for smodel, tmodel in ((models.Goal, models.DesktopGoal), (models.Task, models.DesktopTask)):
                keep = [k for k in columns(tmodel)]
                for o in s.scalars(select(smodel).where(smodel.user_id == user.id).order_by(smodel.id)):
                    # SQLAlchemy's SQLite DateTime drops tzinfo without converting: give it UTC.
                    t.add(tmodel(**{k: (v.astimezone(dt.timezone.utc) if isinstance(v := getattr(o, k), dt.datetime) else v)
                                    for k in keep}))
                t.flush()
    print(f"{args.job}: {sc.mask(args.source)} → {sc.mask(args.target)} done")


if __name__ == "__main__":
    main()
