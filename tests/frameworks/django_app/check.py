#!/usr/bin/env python
"""The oracle of the Django framework test: does Django itself see the target as the same
application database as the source?

    check.py --source app.sqlite3 --target postgres://postgres@127.0.0.1:5432/target
    check.py --source postgres://... --target migrated.sqlite3

Each side is read by Django in its own process (one database per process, as the app would
run), which prints its findings as JSON; this process compares them. Asserted:

  rows        every model of every app (auto-created M2M tables included), every row by primary
              key, every concrete field as the ORM reads it: floats bit for bit, datetimes to the
              microsecond (normalized to UTC), decimals, UUIDs, bytes, durations, JSON documents
              with their types (42 is not "42", 1 is not true or 1.0)
  dumpdata    Django's own `dumpdata` (all apps, ordered by pk), parsed, equal
  relations   every FK and one-to-one resolves, through a query on the stored key, to the same
              object (named by its natural key: content types by app_label+model, permissions by
              codename+app_label+model, users by username, ...), every M2M set is the same;
              each user's effective permissions (get_all_permissions) and each admin LogEntry's
              edited object are the same
  lookups     every row is found again by an exact filter on each of its own values (pk and
              every field but JSON and binary): a value stored in another form than Django
              writes (a UUID with hyphens, a datetime with 'T' or '+00:00') is not; filters on JSON keys, datetimes, decimals, floats,
              booleans and joins count the same rows; orderings by datetime/decimal/float agree
  sessions    every session decodes to the same data and its cookie opens /admin/ the same way
              (logged in while the user's password hash is unchanged)
  migrations  django_migrations holds the same rows, and the target has no unapplied migration
  passwords   authenticate() accepts every known account's old password on both sides, and
              refuses a wrong one
  writes      (target only, rolled back) a new object of every model can be created, integer
              keys come out above the existing maximum (sequences are right), a new user can log
              in, an old one can log in through the test client (session and last_login written)

Exit codes: 0 equal; 1 differences (printed, first ones per table); 2 bad arguments;
3 a side could not be read (its error is printed).
"""

import argparse
import datetime as dt
import decimal
import io
import json
import subprocess
import sys
import uuid

import ferry_django as fd
import seed

MAX_SHOWN = 8


# ---------------------------------------------------------------------------------------------
# One side: what Django sees (runs in a child process)
# ---------------------------------------------------------------------------------------------

def norm(value, field=None):
    """A JSON-able, type-tagged, exact form of a value the ORM returned."""
    from django.db import models

    if value is None:
        return None
    if field is not None and isinstance(field, models.JSONField):
        return "json:" + json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return "naive-datetime:" + value.isoformat()
        return "datetime:" + value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, dt.date):
        return "date:" + value.isoformat()
    if isinstance(value, dt.time):
        return "time:" + value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"timedelta:{value.days}d{value.seconds}s{value.microseconds}us"
    if isinstance(value, decimal.Decimal):
        return "decimal:" + str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes:" + bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return "uuid:" + str(value)
    if isinstance(value, float):
        return "float:" + repr(value)
    if isinstance(value, bool):
        return "bool:" + str(value)
    if isinstance(value, int):
        return "int:" + str(value)
    if isinstance(value, str):
        return value
    return f"{type(value).__name__}:{value!r}"


def identity(obj):
    """How a related object is named: its natural key when its model has one."""
    if obj is None:
        return None
    if hasattr(obj, "natural_key"):
        try:
            return [obj._meta.label] + [norm(v) for v in obj.natural_key()]
        except Exception:  # noqa: BLE001 - e.g. a permission whose content type is gone
            pass
    return [obj._meta.label, norm(obj.pk), str(obj)[:80]]


def all_models():
    from django.apps import apps

    return sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label)


def collect_rows():
    rows = {}
    for model in all_models():
        table = {}
        fields = model._meta.concrete_fields
        for obj in model._default_manager.order_by("pk"):
            table[str(norm(obj.pk))] = {f.attname: norm(f.value_from_object(obj), f) for f in fields}
        rows[model._meta.label] = table
    return rows


def collect_dumpdata():
    from django.core.management import call_command

    out = io.StringIO()
    call_command("dumpdata", format="json", stdout=out, verbosity=0)
    m2m = {}
    for model in all_models():
        m2m[model._meta.label_lower] = {f.name for f in model._meta.many_to_many}
    parsed = {}
    for item in json.loads(out.getvalue()):
        fields = item["fields"]
        for name in m2m.get(item["model"], ()):  # M2M lists come in no defined order
            fields[name] = sorted(fields[name], key=repr)
        parsed.setdefault(item["model"], {})[json.dumps(item["pk"])] = fields
    return parsed


def collect_relations():
    rel = {}
    for model in all_models():
        forward = [f for f in model._meta.concrete_fields if f.is_relation]
        m2m = list(model._meta.many_to_many)
        if not forward and not m2m:
            continue
        table = {}
        for obj in model._default_manager.order_by("pk"):
            entry = {}
            for f in forward:
                if getattr(obj, f.attname) is None:
                    entry[f.name] = None
                    continue
                try:
                    entry[f.name] = identity(getattr(obj, f.name))
                except f.related_model.DoesNotExist:
                    entry[f.name] = ["DOES NOT RESOLVE", norm(getattr(obj, f.attname))]
            for f in m2m:
                entry[f.name] = sorted((identity(o) for o in getattr(obj, f.name).all()), key=json.dumps)
            table[str(norm(obj.pk))] = entry
        rel[model._meta.label] = table

    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import User

    rel["effective permissions (User.get_all_permissions)"] = {
        u.username: sorted(u.get_all_permissions()) for u in User.objects.order_by("pk")
    }
    edited = {}
    for e in LogEntry.objects.order_by("pk"):
        try:
            obj = e.get_edited_object()
            edited[str(e.pk)] = identity(obj)
        except Exception as ex:  # noqa: BLE001 - stale content type, deleted object
            edited[str(e.pk)] = f"{type(ex).__name__}"
    rel["LogEntry.get_edited_object()"] = edited
    return rel


def collect_lookups():
    from django.db.models import F, Q
    from shop.models import Customer, Order, OrderLine, Product

    from django.db import models

    out = {}
    missing = {}
    # Every stored value must be found again by an exact filter on it: the database compares
    # the stored form with the form Django writes, so a UUID with hyphens where Django writes
    # 32 hex digits, a datetime with 'T' or '+00:00' where Django writes 'YYYY-MM-DD HH:MM:SS',
    # or trailing fraction zeros are found out here even when the ORM reads them back equal.
    for model in all_models():
        manager = model._default_manager
        fields = [f for f in model._meta.concrete_fields
                  if not isinstance(f, (models.JSONField, models.BinaryField))]
        for f in fields:
            not_found = []
            for pk, value in manager.order_by("pk").values_list("pk", f.attname):
                lookup = {f"{f.attname}__isnull": True} if value is None else {f.attname: value}
                if not manager.filter(pk=pk, **lookup).exists():
                    not_found.append(str(norm(pk)))
            if not_found:
                missing[f"{model._meta.label}.{f.attname}"] = not_found
    out["rows not found by filter(pk=…, field=value)"] = missing

    t0 = dt.datetime(2021, 6, 1, tzinfo=dt.timezone.utc)
    counts = {
        "Product attributes__color='red'": Product.objects.filter(attributes__color="red").count(),
        "Product attributes__has_key='nested'": Product.objects.filter(attributes__has_key="nested").count(),
        "Product attributes__size__gte=2": Product.objects.filter(attributes__size__gte=2).count(),
        "Customer preferences=42 (a bare JSON number)": Customer.objects.filter(preferences=42).count(),
        "Customer preferences='just a string'": Customer.objects.filter(preferences="just a string").count(),
        "Customer preferences__theme='dark'": Customer.objects.filter(preferences__theme="dark").count(),
        "Customer preferences__isnull=True (SQL NULL)": Customer.objects.filter(preferences__isnull=True).count(),
        "Order placed_at >= 2021-06-01Z": Order.objects.filter(placed_at__gte=t0).count(),
        "Order placed_at__year=2025": Order.objects.filter(placed_at__year=2025).count(),
        "Order placed_at__date=2025-10-26": Order.objects.filter(placed_at__date=dt.date(2025, 10, 26)).count(),
        "Product created_at >= 2021-06-01Z": Product.objects.filter(created_at__gte=t0).count(),
        "Order paid=True": Order.objects.filter(paid=True).count(),
        "Order total > 1000": Order.objects.filter(total__gt=decimal.Decimal("1000")).count(),
        "Order customer__vip=True (join)": Order.objects.filter(customer__vip=True).count(),
        "Order handled_by__username='maria' (join)": Order.objects.filter(handled_by__username="maria").count(),
        "Product price > 100.00": Product.objects.filter(price__gt=decimal.Decimal("100.00")).count(),
        "Product price = 19.99": Product.objects.filter(price=decimal.Decimal("19.99")).count(),
        "Product active=False": Product.objects.filter(active=False).count(),
        "Product tags__name='red' (M2M join)": Product.objects.filter(tags__name="red").count(),
        "Product ship_window > 1 day": Product.objects.filter(ship_window__gt=dt.timedelta(days=1)).count(),
        "Product restock_at < 12:00": Product.objects.filter(restock_at__lt=dt.time(12)).count(),
        "Customer rating > 2.5": Customer.objects.filter(rating__gt=2.5).count(),
        "Customer born_on < 1960-01-01 or null": Customer.objects.filter(Q(born_on__lt=dt.date(1960, 1, 1)) | Q(born_on__isnull=True)).count(),
        "OrderLine discount = 0.1 + 0.2": OrderLine.objects.filter(discount=0.1 + 0.2).count(),
    }
    out["filter counts"] = counts
    out["orderings"] = {
        "Order by placed_at, pk": [str(p) for p in Order.objects.order_by("placed_at", "pk").values_list("pk", flat=True)],
        "Product by created_at, pk": list(Product.objects.order_by("created_at", "pk").values_list("pk", flat=True)),
        "Product by price, pk": list(Product.objects.order_by("price", "pk").values_list("pk", flat=True)),
        "Customer by rating, pk": [str(p) for p in Customer.objects.order_by("rating", "pk").values_list("pk", flat=True)],
        "Product by ship_window, pk (nulls first)": list(Product.objects.order_by(
            F("ship_window").asc(nulls_first=True), "pk").values_list("pk", flat=True)),
    }
    return out


def in_rollback(fn):
    """Runs fn() inside a transaction that is always rolled back."""
    from django.db import transaction

    result = {}
    with transaction.atomic():
        result = fn()
        transaction.set_rollback(True)
    return result


def collect_sessions():
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session
    from django.test import Client

    def run():
        out = {}
        for s in Session.objects.order_by("pk"):
            data = s.get_decoded()
            uid = data.get("_auth_user_id")
            user = User.objects.filter(pk=uid).values_list("username", flat=True).first() if uid else None
            client = Client()
            client.cookies["sessionid"] = s.session_key
            status = client.get("/admin/").status_code
            out[s.session_key] = {"data": json.dumps(data, sort_keys=True, ensure_ascii=False),
                                  "user": user, "GET /admin/ status": status}
        return out

    return in_rollback(run)


def collect_migrations():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    rows = [[r.id, r.app, r.name, norm(r.applied)] for r in recorder.migration_qs.order_by("id")]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"django_migrations rows": rows, "unapplied": [f"{m.app_label}.{m.name}" for m, _ in plan]}


def collect_passwords():
    from django.contrib.auth import authenticate

    def run():
        out = {}
        # Each check costs one PBKDF2 (Django 5.2: 1,000,000 iterations): a wrong password is
        # tried on the first account only.
        for i, (username, _email, password, *_rest, active) in enumerate(seed.ACCOUNTS):
            ok = authenticate(username=username, password=password)
            wrong = authenticate(username=username, password=password + "x") if i == 0 else None
            out[username] = {"old password accepted": ok is not None and ok.username == username,
                             "wrong password refused": wrong is None, "active": active}
        return out

    return in_rollback(run)


def probe_writes():
    """Creates one new object of every model (and every M2M link) on this side, rolled back."""
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.auth import authenticate
    from django.contrib.auth.models import Group, Permission, User
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import models, transaction
    from django.test import Client
    from shop.models import Customer, Order, OrderLine, Product, Tag

    created, failures, sequence = {}, {}, {}
    before = {}
    for model in all_models():
        pk = model._meta.pk
        if isinstance(pk, (models.AutoField, models.BigAutoField, models.SmallAutoField)):
            before[model._meta.label] = model._default_manager.aggregate(m=models.Max("pk"))["m"]

    def step(label, fn, needs=()):
        if any(n is None for n in needs):
            failures[label] = "not tried: an object it needs could not be created (above)"
            return None
        try:
            with transaction.atomic():
                obj = fn()
        except Exception as e:  # noqa: BLE001 - every failure is a finding
            failures[label] = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
            return None
        created[label] = str(obj.pk) if obj is not None and hasattr(obj, "pk") else "ok"
        if label in before and obj is not None:
            top = before[label]
            if top is not None and obj.pk <= top:
                sequence[label] = f"new id {obj.pk} is not above the existing maximum {top}: the sequence is behind"
        return obj

    def through(model_field_owner, field_name):
        return getattr(model_field_owner, field_name).through

    def link(owner, field_name, other):
        thr = through(type(owner), field_name)
        getattr(owner, field_name).add(other)
        return thr._default_manager.order_by("-pk").first()

    def run():
        ct = step("contenttypes.ContentType", lambda: ContentType.objects.create(app_label="ferry_probe", model="probe"))
        perm = step("auth.Permission", lambda: Permission.objects.create(name="Can probe", codename="probe_probe", content_type=ct), [ct])
        group = step("auth.Group", lambda: Group.objects.create(name="ferry probe group"))
        step("auth.Group_permissions", lambda: link(group, "permissions", perm), [group, perm])
        user = step("auth.User", lambda: User.objects.create_user("ferry-probe", "probe@example.com", "probe-password ✓"))
        step("auth.User_groups", lambda: link(user, "groups", group), [user, group])
        step("auth.User_user_permissions", lambda: link(user, "user_permissions", perm), [user, perm])
        step("admin.LogEntry", lambda: LogEntry.objects.create(user=user, content_type=ct, object_id="1",
                                                               object_repr="probe", action_flag=ADDITION), [user, ct])

        def new_session():
            s = SessionStore()
            s["probe"] = True
            s.create()
            from django.contrib.sessions.models import Session
            return Session.objects.get(pk=s.session_key)

        step("sessions.Session", new_session)
        tag = step("shop.Tag", lambda: Tag.objects.create(name="ferry-probe-tag"))
        cust = step("shop.Customer", lambda: Customer.objects.create(
            name="Probe", email="probe-customer@example.com", created_at=dt.datetime.now(dt.timezone.utc),
            balance=decimal.Decimal("1.23"), rating=0.1 + 0.2, preferences={"probe": 42}))
        prod = step("shop.Product", lambda: Product.objects.create(
            sku="SKU-PROBE", name="Probe", price=decimal.Decimal("9.99"), weight_kg=1.5,
            created_at=dt.datetime.now(dt.timezone.utc), ship_window=dt.timedelta(days=2)))
        step("shop.Product_tags", lambda: link(prod, "tags", tag), [prod, tag])
        order = step("shop.Order", lambda: Order.objects.create(
            customer=cust, placed_at=dt.datetime.now(dt.timezone.utc), total=decimal.Decimal("9.9900")), [cust])
        step("shop.OrderLine", lambda: OrderLine.objects.create(order=order, product=prod, quantity=1,
                                                                 unit_price=decimal.Decimal("9.99")), [order, prod])
        if user is not None:
            step("login: a new user authenticates", lambda: authenticate(username="ferry-probe", password="probe-password ✓")
                 or (_ for _ in ()).throw(AssertionError("authenticate() returned None")))
        username, _e, password, *_ = seed.ACTIVE_ACCOUNTS[0]

        def client_login():
            c = Client()
            if not c.login(username=username, password=password):
                raise AssertionError(f"Client.login({username!r}) returned False")
            status = c.get("/admin/").status_code
            if status != 200:
                raise AssertionError(f"GET /admin/ after login gave {status}")
            return None

        step(f"login: {username} logs in through the test client, /admin/ opens", client_login)
        return {}

    in_rollback(run)
    labels = [m._meta.label for m in all_models()]
    unprobed = [label for label in labels if label not in created and label not in failures]
    return {"created": created, "failures": failures, "sequence behind": sequence,
            "models without a probe": unprobed}


def collect(db, probe):
    fd.setup(db)
    fd.connection_or_fail(db)
    if "django_migrations" not in fd.table_names():
        fd.fail(f"{fd.mask(db)} has no django_migrations table: not a migrated Django database", fd.EXIT_BAD_INPUT)
    facts = {
        "rows": collect_rows(),
        "dumpdata": collect_dumpdata(),
        "relations": collect_relations(),
        "lookups": collect_lookups(),
        "sessions": collect_sessions(),
        "migrations": collect_migrations(),
        "passwords": collect_passwords(),
    }
    if probe:
        facts["writes"] = probe_writes()
    json.dump(facts, sys.stdout, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Comparing the two sides
# ---------------------------------------------------------------------------------------------

def short(v, n=120):
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else repr(v)
    return s if len(s) <= n else s[: n - 1] + "…"


class Report:
    def __init__(self):
        self.failed = []

    def section(self, name, problems, ok_text):
        if problems:
            self.failed.append(name)
            print(f"FAIL {name}")
            for line in problems:
                print(f"     {line}")
        else:
            print(f"ok   {name}: {ok_text}")


def diff_tables(src, tgt, what):
    """Per table: keys missing/extra on the target, and differing entries field by field."""
    problems = []
    for table in sorted(set(src) | set(tgt)):
        a, b = src.get(table), tgt.get(table)
        if a is None or b is None:
            problems.append(f"{table}: only on the {'target' if a is None else 'source'}")
            continue
        missing = [k for k in a if k not in b]
        extra = [k for k in b if k not in a]
        changed = [k for k in a if k in b and a[k] != b[k]]
        if missing:
            problems.append(f"{table}: {len(missing)} {what} missing on the target, e.g. {', '.join(missing[:MAX_SHOWN])}")
        if extra:
            problems.append(f"{table}: {len(extra)} {what} only on the target, e.g. {', '.join(extra[:MAX_SHOWN])}")
        for k in changed[:MAX_SHOWN]:
            va, vb = a[k], b[k]
            if isinstance(va, list) and isinstance(vb, list) and all(isinstance(x, str) for x in va + vb):
                gone = [x for x in va if x not in vb]
                new = [x for x in vb if x not in va]
                problems.append(f"{table} {k}: missing on the target {short(gone)}, only on the target {short(new)}")
            elif isinstance(va, dict) and isinstance(vb, dict):
                for f in sorted(set(va) | set(vb)):
                    if va.get(f, "<absent>") != vb.get(f, "<absent>"):
                        problems.append(f"{table} {k} .{f}: source {short(va.get(f, '<absent>'))} != target {short(vb.get(f, '<absent>'))}")
            else:
                problems.append(f"{table} {k}: source {short(va)} != target {short(vb)}")
        if len(changed) > MAX_SHOWN:
            problems.append(f"{table}: … and {len(changed) - MAX_SHOWN} more differing {what}")
    return problems


def compare(src, tgt):
    r = Report()
    nrows = sum(len(t) for t in src["rows"].values())
    r.section("rows (every model, every field, exact)", diff_tables(src["rows"], tgt["rows"], "rows"),
              f"{len(src['rows'])} models, {nrows} rows equal")
    r.section("dumpdata (Django's serializer, all apps)", diff_tables(src["dumpdata"], tgt["dumpdata"], "objects"),
              f"{sum(len(t) for t in src['dumpdata'].values())} objects equal")
    r.section("relations (FK, one-to-one, M2M, permissions, admin log)",
              diff_tables(src["relations"], tgt["relations"], "objects"),
              f"{sum(len(t) for t in src['relations'].values())} objects resolve alike")

    problems = []
    src_missing = src["lookups"]["rows not found by filter(pk=…, field=value)"]
    for column, keys in tgt["lookups"]["rows not found by filter(pk=…, field=value)"].items():
        keys = [k for k in keys if k not in set(src_missing.get(column, []))]
        if keys:
            problems.append(f"{column}: {len(keys)} rows are not found by an exact filter on their own value "
                            f"(stored in another form than Django writes), e.g. {', '.join(keys[:MAX_SHOWN])}")
    for name, n in src["lookups"]["filter counts"].items():
        m = tgt["lookups"]["filter counts"].get(name)
        if n != m:
            problems.append(f"filter {name}: source {n} rows, target {m}")
    for name, seq in src["lookups"]["orderings"].items():
        other = tgt["lookups"]["orderings"].get(name)
        if seq != other:
            i = next((i for i, (x, y) in enumerate(zip(seq, other or [])) if x != y), min(len(seq), len(other or [])))
            problems.append(f"order {name}: differs from position {i} (source {short(seq[i:i + 3])}, target {short((other or [])[i:i + 3])})")
    r.section("lookups (pk, JSON, datetime, decimal, float, joins, orderings)", problems,
              f"{len(src['lookups']['filter counts'])} filters and {len(src['lookups']['orderings'])} orderings agree")

    r.section("sessions (decode, user, /admin/ with the cookie)",
              diff_tables({"django_session": src["sessions"]}, {"django_session": tgt["sessions"]}, "sessions"),
              f"{len(src['sessions'])} sessions alike")

    problems = diff_tables({"django_migrations": {str(x[0]): x for x in src["migrations"]["django_migrations rows"]}},
                           {"django_migrations": {str(x[0]): x for x in tgt["migrations"]["django_migrations rows"]}}, "rows")
    if tgt["migrations"]["unapplied"]:
        problems.append(f"the target has unapplied migrations: {', '.join(tgt['migrations']['unapplied'])}")
    r.section("migrations (django_migrations rows, nothing to apply)", problems,
              f"{len(src['migrations']['django_migrations rows'])} rows equal, nothing to apply")

    problems = []
    for side, facts in (("source", src), ("target", tgt)):
        for user, res in facts["passwords"].items():
            if res["old password accepted"] != res["active"]:
                problems.append(f"{side}: authenticate({user!r}, old password) "
                                f"{'refused' if res['active'] else 'accepted'} an {'active' if res['active'] else 'inactive'} account")
            if not res["wrong password refused"]:
                problems.append(f"{side}: authenticate({user!r}) accepted a wrong password")
    r.section("passwords (authenticate() with the old passwords)", problems,
              f"{len(seed.ACTIVE_ACCOUNTS)} accounts log in on both sides, wrong passwords refused")

    if "writes" in tgt:
        w = tgt["writes"]
        problems = [f"creating {k} failed: {v}" for k, v in w["failures"].items()]
        problems += [f"{k}: {v}" for k, v in w["sequence behind"].items()]
        problems += [f"no write probe for model {k} (add one to check.py)" for k in w["models without a probe"]]
        r.section("writes on the target (rolled back)", problems,
                  f"{len(w['created'])} new objects and logins, keys above the existing ones")
    return r


def gather(db, probe):
    cmd = [sys.executable, __file__, "--facts", db] + (["--probe"] if probe else [])
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        fd.fail(f"reading {fd.mask(db)} through Django failed (exit {proc.returncode})",
                proc.returncode if proc.returncode in (fd.EXIT_BAD_INPUT, fd.EXIT_RUNTIME) else fd.EXIT_RUNTIME)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(proc.stderr)
        fd.fail(f"reading {fd.mask(db)}: the child printed no JSON")


def main():
    p = argparse.ArgumentParser(description="Compare two databases of the Django test project through Django itself.")
    p.add_argument("--source", help="the database the migration read (SQLite path or PostgreSQL URL)")
    p.add_argument("--target", help="the database it wrote")
    p.add_argument("--no-writes", action="store_true", help="skip the rolled-back write probe on the target")
    p.add_argument("--facts", metavar="DB", help=argparse.SUPPRESS)
    p.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.facts:
        collect(args.facts, args.probe)
        return
    if not args.source or not args.target:
        p.error("--source and --target are required")
    print(f"source: {fd.mask(args.source)}\ntarget: {fd.mask(args.target)}")
    src = gather(args.source, probe=False)
    tgt = gather(args.target, probe=not args.no_writes)
    report = compare(src, tgt)
    if report.failed:
        print(f"\nFAILED: {len(report.failed)} of the checks differ: {', '.join(report.failed)}")
        sys.exit(fd.EXIT_DIFFERENT)
    print("\nPASSED: Django sees the same application in the target")


if __name__ == "__main__":
    main()
