#!/usr/bin/env bash
# Proves the framework oracles can both pass and fail, without Ferry: every check.py is run on
# a correct copy (made with the framework itself by reference_copy.py: it must pass) and on a
# copy altered by hand (it must fail, exit 1). Needs the venv and a PostgreSQL server:
#
#   . scripts/lib/common.sh; . scripts/lib/frameworks_venv.sh; ensure_frameworks_venv
#   FERRY_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres bash tests/frameworks/selftest.sh
#
# FERRY_FRAMEWORKS_PYTHON (set by ensure_frameworks_venv) is the venv's python;
# FERRY_TEST_PG_URL is a maintenance database URL on a server where we may CREATE DATABASE.
# Every database and file it makes is removed at the end, also on failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PY=${FERRY_FRAMEWORKS_PYTHON:?run ensure_frameworks_venv first (scripts/lib/frameworks_venv.sh)}
ADMIN_URL=${FERRY_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BASE_URL=${ADMIN_URL%/*}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-fw-selftest.XXXXXX")
TAG="fwst_$$"

# newdb NAME: creates a database and prints its URL. Names go to a file, not a variable: it is
# called in $(…) subshells.
newdb() {
    local name="${TAG}_$1"
    echo "$name" >>"$WORK/databases"
    psql "$ADMIN_URL" -X -q -c "CREATE DATABASE $name" >/dev/null
    echo "$BASE_URL/$name"
}
cleanup() {
    local db
    if [ -f "$WORK/databases" ]; then
        while read -r db; do
            psql "$ADMIN_URL" -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
        done <"$WORK/databases"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

expect() { # expect EXIT_CODE DESCRIPTION COMMAND...
    local want=$1 what=$2 got=0
    shift 2
    "$@" >"$WORK/out" 2>&1 || got=$?
    if [ "$got" -ne "$want" ]; then
        cat "$WORK/out"
        echo "SELFTEST FAILED: $what: exit $got, expected $want" >&2
        exit 1
    fi
    echo "ok: $what (exit $got)"
}

saw() { # saw TEXT: the last command's output names the difference it should
    grep -qF -- "$1" "$WORK/out" || { cat "$WORK/out"; echo "SELFTEST FAILED: the output does not say: $1" >&2; exit 1; }
}

echo "== Django"
( cd django_app
  expect 0 "build the source (SQLite, with history)" "$PY" build_source.py --db "$WORK/dj_src.sqlite3"
  expect 0 "the source against itself passes" "$PY" check.py --source "$WORK/dj_src.sqlite3" --target "$WORK/dj_src.sqlite3" --no-writes
  PG=$(newdb dj)
  expect 0 "migrate an empty PostgreSQL target" "$PY" migrate_empty.py --db "$PG"
  expect 1 "a freshly migrated target (seeded rows only) fails" "$PY" check.py --source "$WORK/dj_src.sqlite3" --target "$PG" --no-writes
  expect 0 "reference copy SQLite → PostgreSQL" "$PY" reference_copy.py --from "$WORK/dj_src.sqlite3" --to "$PG"
  expect 0 "a correct copy passes (with the write probe)" "$PY" check.py --source "$WORK/dj_src.sqlite3" --target "$PG"
  expect 0 "migrate an empty SQLite target" "$PY" migrate_empty.py --db "$WORK/dj_tgt.sqlite3"
  expect 0 "reference copy PostgreSQL → SQLite (the way back)" "$PY" reference_copy.py --from "$PG" --to "$WORK/dj_tgt.sqlite3"
  expect 0 "the round trip passes against the original source" "$PY" check.py --source "$WORK/dj_src.sqlite3" --target "$WORK/dj_tgt.sqlite3"
  psql "$PG" -X -q -c "UPDATE shop_customer SET rating = 0.3 WHERE rating = 0.30000000000000004" \
      -c "DELETE FROM auth_user_user_permissions WHERE id = (SELECT min(id) FROM auth_user_user_permissions)" \
      -c "SELECT setval('shop_product_id_seq', 5)" >/dev/null
  expect 1 "one float, one permission link and a sequence changed by hand fail" "$PY" check.py --source "$WORK/dj_src.sqlite3" --target "$PG"
  saw "float:0.30000000000000004' != target 'float:0.3'"
  saw 'missing on the target ["admin.view_logentry"]'
  saw "creating shop.Product failed: IntegrityError"
  sqlite3 "$WORK/dj_tgt.sqlite3" "PRAGMA foreign_keys=OFF; UPDATE shop_order SET id = substr(id,1,8)||'-'||substr(id,9,4)||'-'||substr(id,13,4)||'-'||substr(id,17,4)||'-'||substr(id,21) WHERE rowid % 50 = 0; UPDATE shop_product SET created_at = replace(created_at, ' ', 'T') WHERE id BETWEEN 10 AND 14;"
  expect 1 "hyphenated UUIDs and 'T' datetimes (read back equal by the ORM) fail" "$PY" check.py --source "$WORK/dj_src.sqlite3" --target "$WORK/dj_tgt.sqlite3" --no-writes
  saw "shop.Product.created_at: 5 rows are not found"
  saw "shop.Order.id: 3 rows are not found"
)

echo "== SQLAlchemy + Alembic"
( cd sqlalchemy_app
  expect 0 "build the single-user source" "$PY" build_source.py --db "$WORK/sa_src.sqlite3"
  MULTI=$(newdb sa_multi)
  expect 0 "alembic upgrade head: the multi-user target" "$PY" migrate_empty.py --edition multi --db "$MULTI"
  expect 0 "reference Promote" "$PY" reference_copy.py --job promote --from "$WORK/sa_src.sqlite3" --to "$MULTI" --source-timezone Europe/Berlin --admin-password 'temporary-Password-1'
  expect 0 "Promote check passes" "$PY" check.py --source "$WORK/sa_src.sqlite3" --target "$MULTI" --source-timezone Europe/Berlin --admin-email admin@example.com
  expect 1 "… read in the wrong zone, it fails" "$PY" check.py --source "$WORK/sa_src.sqlite3" --target "$MULTI" --source-timezone UTC --no-writes
  expect 0 "the admin's password verifies" "$PY" verify_password.py --db "$MULTI" --email admin@example.com --password 'temporary-Password-1'
  expect 1 "a wrong password does not" "$PY" verify_password.py --db "$MULTI" --email admin@example.com --password wrong
  psql "$MULTI" -X -q -c "UPDATE tasks SET estimate_hours = 1.49 WHERE id = 3" -c "SELECT setval(pg_get_serial_sequence('tasks','id'), 10)" >/dev/null
  expect 1 "a changed decimal and a sequence behind fail" "$PY" check.py --source "$WORK/sa_src.sqlite3" --target "$MULTI" --source-timezone Europe/Berlin
  saw "tasks id=3 .estimate_hours: source 'decimal:9999.99' != target 'decimal:1.49'"
  saw 'duplicate key value violates unique constraint "tasks_pkey"'
  MSRC=$(newdb sa_msrc)
  expect 0 "build a multi-user source" "$PY" build_multi.py --db "$MSRC"
  expect 0 "alembic upgrade head: the desktop target" "$PY" migrate_empty.py --edition desktop --db "$WORK/sa_desk.sqlite3"
  expect 0 "reference Extract" "$PY" reference_copy.py --job extract --from "$MSRC" --to "$WORK/sa_desk.sqlite3" --email bob@example.com
  expect 0 "Extract check passes" "$PY" check.py --source "$MSRC" --target "$WORK/sa_desk.sqlite3" --email bob@example.com
  expect 0 "bob's old password verifies on the desktop file" "$PY" verify_password.py --db "$WORK/sa_desk.sqlite3" --email bob@example.com --password 'correct horse battery staple'
  expect 1 "… checked as another user, it fails" "$PY" check.py --source "$MSRC" --target "$WORK/sa_desk.sqlite3" --email alice@example.com --no-writes
  sqlite3 "$WORK/sa_desk.sqlite3" "UPDATE tasks SET created_at = '2025-11-18 14:30:45+01:00' WHERE id = (SELECT min(id) FROM tasks); UPDATE app_config SET app_version = '1.0.0'"
  expect 1 "an offset datetime and a clobbered desktop setting fail" "$PY" check.py --source "$MSRC" --target "$WORK/sa_desk.sqlite3" --email bob@example.com
  saw "desktop-only columns changed: app_version='1.0.0'"
  saw ".created_at: source 'datetime:"
)

echo "== fixtures load"
for f in fixtures/*_sqlite.sql; do sqlite3 "$WORK/fx.sqlite3" <"$f"; rm -f "$WORK/fx.sqlite3"; echo "ok: $f loads into SQLite"; done
for f in fixtures/*_pg.sql; do PG=$(newdb "fx$(basename "$f" .sql | tr -cd 'a-z')"); psql "$PG" -X -q -v ON_ERROR_STOP=1 -f "$f" >/dev/null; echo "ok: $f loads into PostgreSQL"; done

echo "selftest passed"
