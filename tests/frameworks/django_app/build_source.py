#!/usr/bin/env python
"""Build the source database of the Django framework test: an app database that went through
the project's whole migration history, with accounts, permissions, admin history, sessions and
a few hundred shop objects covering every field kind, edge values included. Deterministic: the
same arguments give the same rows (fixed seed, fixed password salts, fixed signing clock).

    build_source.py --db app.sqlite3           (a new file; an existing one is refused)
    build_source.py --db postgres://postgres@127.0.0.1/src   (an empty database)

History on purpose: it migrates `auth`, then `shop` to 0002 (which adds Coupon), then `admin`, writes
coupons and admin log entries about them, then migrates to the end (0004 deletes Coupon). The
stale content type `shop.coupon` and its four permissions stay, as they do in real projects,
and every content type and permission id differs from those a fresh `migrate` assigns.

Exit codes: 0 built; 2 the database exists / is not empty; 3 runtime error.
"""

import argparse
import datetime as dt
import random
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from unittest import mock

import ferry_django as fd
import seed

SEED = 20261201


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="a new SQLite file path, or an empty PostgreSQL database's URL")
    p.add_argument("--customers", type=int, default=60)
    p.add_argument("--products", type=int, default=120)
    p.add_argument("--orders", type=int, default=150)
    return p.parse_args()


def main():
    fd.fixed_hash_seed()
    args = parse_args()
    if not fd.is_url(args.db) and Path(args.db).exists():
        fd.fail(f"{args.db} exists; build_source.py writes a new file (delete it first)", fd.EXIT_BAD_INPUT)
    fd.setup(args.db)
    fd.connection_or_fail(args.db)
    if fd.table_names():
        fd.fail(f"{fd.mask(args.db)} already has tables; build_source.py needs an empty database", fd.EXIT_BAD_INPUT)
    rng = random.Random(SEED)
    # Session data and anything else signed carries a timestamp: freeze it.
    with mock.patch("django.core.signing.time.time", return_value=1764547200.0):
        build(args, rng)
    print(f"built {fd.mask(args.db)}: {summary()}")


def call(*args):
    from django.core.management import call_command

    call_command(*args, interactive=False, verbosity=0)


def when(rng, start=dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc), days=2500):
    """A random aware UTC datetime with microseconds."""
    return start + dt.timedelta(
        days=rng.randrange(days), seconds=rng.randrange(86400), microseconds=rng.randrange(1_000_000)
    )


def a_uuid(rng):
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def build(args, rng):
    from django.db import transaction

    # 1. Part of the history, app by app as a project grows: contenttypes and auth, shop up
    #    to 0002 (Coupon exists), then admin.
    call("migrate", "auth")
    call("migrate", "shop", "0002")
    call("migrate", "admin")
    with transaction.atomic():
        users = make_accounts(rng)
        coupons = make_coupons_and_their_history(rng, users)
    # 2. The rest: sessions, shop 0003 (new fields) and 0004 (Coupon deleted).
    call("migrate")
    with transaction.atomic():
        make_groups_and_permissions(users)
        make_shop(args, rng, users)
        make_log_entries(rng, users)
        make_sessions(rng, users)
    del coupons


def make_accounts(rng):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    users = {}
    for i, (username, email, password, staff, superuser, active) in enumerate(seed.ACCOUNTS):
        u = User(
            username=username, email=email, is_staff=staff, is_superuser=superuser, is_active=active,
            first_name=username.capitalize(), last_name="Test" if i % 2 else "",
            date_joined=when(rng, days=400), last_login=None if i == 3 else when(rng),
        )
        # set_password() with a fixed salt, so the hash is the same on every build.
        u.password = make_password(password, salt=f"ferrysalt{i:04d}x")
        u.save()
        users[username] = u
    for i in range(30):
        u = User(username=f"user{i:03d}", email=f"user{i:03d}@example.org", date_joined=when(rng))
        u.set_unusable_password()
        u.password = "!" + "ferryunusable" + f"{i:03d}" * 8  # deterministic too
        u.save()
        users[u.username] = u
    return users


def make_coupons_and_their_history(rng, users):
    """Coupons exist only between migrations 0002 and 0004; their admin history outlives them."""
    from django.apps import apps as global_apps
    from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    ct = ContentType.objects.get(app_label="shop", model="coupon")
    # The Coupon model exists only in the migration state, not in models.py: raw SQL.
    with connection.cursor() as c:
        for i in range(1, 6):
            c.execute(
                "INSERT INTO shop_coupon (code, percent_off, valid_until, customer_id) VALUES (%s, %s, %s, NULL)",
                [f"WELCOME{i}", Decimal("10.00") + i, when(rng)],
            )
    entries = []
    for i in range(1, 6):
        for flag in (ADDITION, CHANGE):
            entries.append(LogEntry(
                user=users["admin"], content_type=ct, object_id=str(i), object_repr=f"WELCOME{i}",
                action_flag=flag, change_message="[]" if flag == ADDITION else '[{"changed": {"fields": ["Percent off"]}}]',
                action_time=when(rng, start=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), days=30),
            ))
    LogEntry.objects.bulk_create(entries)
    del global_apps
    return 5


def make_groups_and_permissions(users):
    from django.contrib.auth.models import Group, Permission

    def perms(*pairs):
        return [Permission.objects.get(content_type__app_label=app, codename=code) for app, code in pairs]

    editors = Group.objects.create(name="editors")
    editors.permissions.set(perms(("shop", "add_product"), ("shop", "change_product"), ("shop", "view_product"),
                                  ("shop", "add_tag"), ("shop", "change_tag")))
    support = Group.objects.create(name="support")
    support.permissions.set(perms(("shop", "view_order"), ("shop", "change_order"), ("shop", "view_customer"),
                                  ("auth", "view_user")))
    marketing = Group.objects.create(name="marketing – ünïcode")
    # A permission of the deleted Coupon model: it exists only in databases with the history.
    marketing.permissions.set(perms(("shop", "add_coupon"), ("shop", "view_coupon"), ("shop", "view_customer")))
    Group.objects.create(name="empty group")

    users["maria"].groups.set([editors, support])
    users["alice"].groups.set([support])
    users["bob"].groups.set([marketing, editors])
    users["zoë"].groups.set([marketing])
    users["alice"].user_permissions.set(perms(("shop", "delete_tag"), ("admin", "view_logentry")))
    users["bob"].user_permissions.set(perms(("shop", "delete_coupon"), ("sessions", "view_session"),
                                            ("contenttypes", "view_contenttype")))
    for i in range(0, 30, 3):
        users[f"user{i:03d}"].groups.add(support)


def make_shop(args, rng, users):
    from shop.models import Customer, Order, OrderLine, Product, Tag

    def pick(values, i):
        return values[i % len(values)]

    tags = [Tag.objects.create(name=n) for n in
            ["red", "blue", "green", "sale", "new", "ünïcode-tag", "日本", "🚀", "a b", "x'y", "long-" + "t" * 40,
             "eco", "kids", "home", "garden", "tools", "books", "music", "films", "games"]]

    people = [u for name, u in users.items()]
    customers = []
    for i in range(args.customers):
        user = people[i] if i < len(people) and i % 2 == 0 else None
        customers.append(Customer(
            id=a_uuid(rng), user=user, name=pick(seed.TEXTS[1:], i)[:200] if i < 7 else f"Customer {i}",
            email=f"customer{i}@example.com", vip=i % 4 == 0,
            notes=None if i % 3 == 0 else pick(seed.TEXTS, i),
            born_on=None if i % 5 == 0 else (pick(seed.DATES, i) if i < 8 else dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)),
            created_at=pick(seed.DATETIMES, i) if i < len(seed.DATETIMES) else when(rng),
            balance=pick(seed.DECIMALS_12_2, i) if i < 14 else Decimal(rng.randrange(-10**6, 10**8)) / 100,
            rating=pick(seed.FLOATS, i) if i < len(seed.FLOATS) * 2 else rng.random() * 5,
            avatar=None if i % 4 == 1 else pick(seed.BINARIES, i) if i < 10 else rng.randbytes(rng.randrange(1, 64)),
            preferences=None if i % 7 == 6 else pick(seed.JSON_DOCUMENTS, i) if i < 32 else
            {"theme": pick(["dark", "light"], i), "n": i, "ratio": rng.random()},
        ))
    Customer.objects.bulk_create(customers)

    products = []
    for i in range(args.products):
        products.append(Product(
            sku=f"SKU-{i:05d}", name=f"Product {i} – {pick(['mug', 'chair', 'lamp', 'ünïcode ✓', 'book'], i)}",
            price=Decimal(rng.randrange(1, 10**7)) / 100 if i >= 7 else pick(seed.DECIMALS_12_2[:2] + [Decimal("99999999.99"), Decimal("0.01"), Decimal("1.00"), Decimal("19.99"), Decimal("5.50")], i),
            weight_kg=pick(seed.FLOATS, i) if i < len(seed.FLOATS) else rng.uniform(0.01, 80.0),
            active=i % 6 != 0,
            attributes=pick(seed.JSON_DOCUMENTS, i) if i < 40 else {"color": pick(["red", "blue", "green"], i), "size": i % 5},
            created_at=pick(seed.DATETIMES, i) if i < len(seed.DATETIMES) else when(rng),
            discontinued_on=pick(seed.DATES, i) if i % 9 == 0 else None,
            thumbnail=pick(seed.BINARIES, i),
            ship_window=None if i % 8 == 7 else pick(seed.DURATIONS, i) if i < 20 else dt.timedelta(hours=rng.randrange(1, 500)),
            restock_at=None if i % 3 == 2 else pick(seed.TIMES, i),
        ))
    Product.objects.bulk_create(products)
    products = list(Product.objects.order_by("pk"))
    for i, p in enumerate(products):
        if i % 4 != 3:
            p.tags.set(rng.sample(tags, 1 + i % 4))

    staff = [users["admin"], users["maria"]]
    orders, lines = [], []
    for i in range(args.orders):
        o = Order(
            id=a_uuid(rng), customer=customers[(i * 7) % len(customers)],
            placed_at=pick(seed.DATETIMES, i) if i < len(seed.DATETIMES) else when(rng),
            paid=i % 3 != 0, total=Decimal(0), note=None if i % 2 else pick(seed.TEXTS, i),
            metadata=None if i % 5 == 4 else pick(seed.JSON_DOCUMENTS, i + 3),
            handled_by=None if i % 4 == 0 else staff[i % 2],
        )
        total = Decimal(0)
        for p in rng.sample(products, 1 + i % 4):
            q = 1 + rng.randrange(9)
            lines.append(OrderLine(order=o, product=p, quantity=q, unit_price=p.price,
                                   discount=pick([0.0, 0.1, 0.25, 1 / 3, 0.1 + 0.2], len(lines))))
            total += p.price * q
        o.total = pick(seed.DECIMALS_14_4, i) if i < len(seed.DECIMALS_14_4) else total
        orders.append(o)
    Order.objects.bulk_create(orders)
    OrderLine.objects.bulk_create(lines)


def make_log_entries(rng, users):
    from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
    from django.contrib.auth.models import Group, User
    from django.contrib.contenttypes.models import ContentType
    from shop.models import Customer, Order, Product

    entries = []
    targets = (list(Product.objects.order_by("pk")[:15]) + list(Order.objects.order_by("pk")[:10])
               + list(Customer.objects.order_by("pk")[:5]) + list(User.objects.order_by("pk")[:5])
               + list(Group.objects.order_by("pk")[:2]))
    for i, obj in enumerate(targets):
        entries.append(LogEntry(
            user=users["admin"] if i % 3 else users["maria"],
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk), object_repr=str(obj)[:200],
            action_flag=[ADDITION, CHANGE, CHANGE][i % 3],
            change_message="[]" if i % 3 == 0 else '[{"changed": {"fields": ["Name", "Price"]}}]',
            action_time=when(rng),
        ))
    entries.append(LogEntry(user=users["admin"], content_type=ContentType.objects.get_for_model(Product),
                            object_id="999999", object_repr="a product deleted long ago",
                            action_flag=DELETION, change_message="", action_time=when(rng)))
    LogEntry.objects.bulk_create(entries)


def make_sessions(rng, users):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    store = SessionStore()
    sessions = []
    for i, name in enumerate(["admin", "maria", "alice", "bob", "zoë"]):
        u = users[name]
        data = {"_auth_user_id": str(u.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": u.get_session_auth_hash(), "cart": [i, "ünïcode", {"qty": i + 1}]}
        sessions.append(Session(session_key=f"ferrysession{i:020d}", session_data=store.encode(data),
                                expire_date=dt.datetime(2030, 1, 1 + i, 12, 0, 0, i, tzinfo=dt.timezone.utc)))
    sessions.append(Session(session_key="ferrysessionanonymous00000000000", session_data=store.encode({"seen": True}),
                            expire_date=dt.datetime(2020, 6, 1, tzinfo=dt.timezone.utc)))
    Session.objects.bulk_create(sessions)
    del rng


def summary():
    from django.apps import apps

    parts = []
    for m in apps.get_models(include_auto_created=True):
        n = m.objects.count() if hasattr(m, "objects") else m._default_manager.count()
        if n:
            parts.append(f"{m._meta.db_table}={n}")
    return ", ".join(parts)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - one clear line, the traceback after it
        import traceback

        traceback.print_exc()
        fd.fail(f"building the source failed: {type(e).__name__}: {e}")
