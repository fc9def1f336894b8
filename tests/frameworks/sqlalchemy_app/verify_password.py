#!/usr/bin/env python
"""Does a password verify against the account's stored hash, as the app's login does (passlib
bcrypt)? Looks in users (multi-user edition) or app_config (desktop edition).

    verify_password.py --db postgres://…/app --email admin@example.com --password 'the temporary password'
    verify_password.py --db desktop.sqlite3 --email alice@example.com --password alice-pa55word

Exit codes: 0 the password verifies; 1 it does not; 2 no such account, or the stored value is
not a hash passlib's bcrypt knows; 3 runtime error.
"""

import argparse
import sys

import sa_common as sc


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    args = p.parse_args()
    from passlib.hash import bcrypt
    from sqlalchemy import text

    engine = sc.engine_for(args.db)
    table = "users" if "users" in sc.tables(engine) else "app_config" if "app_config" in sc.tables(engine) else None
    if table is None:
        sc.fail(f"{sc.mask(args.db)} has neither users nor app_config", sc.EXIT_BAD_INPUT)
    with engine.connect() as c:
        rows = c.execute(text(f"select hashed_password from {table} where email = :e"), {"e": args.email}).all()
    if len(rows) != 1:
        sc.fail(f"{table} has {len(rows)} rows with email {args.email}", sc.EXIT_BAD_INPUT)
    stored = rows[0][0] or ""
    if not bcrypt.identify(stored):
        sc.fail(f"{table}.hashed_password of {args.email} is not a bcrypt hash passlib knows ({stored[:7]!r}…)", sc.EXIT_BAD_INPUT)
    if bcrypt.verify(args.password, stored):
        print(f"ok: the password verifies against {table}.hashed_password of {args.email} ({stored[:7]}…, passlib bcrypt)")
        return
    print(f"the password does NOT verify against {table}.hashed_password of {args.email}", file=sys.stderr)
    sys.exit(sc.EXIT_DIFFERENT)


if __name__ == "__main__":
    main()
