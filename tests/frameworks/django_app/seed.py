"""The source database's known contents that check.py needs as well: the accounts and their
passwords (authenticate() must accept them on the target), and the edge values."""

import datetime as dt
from decimal import Decimal

UTC = dt.timezone.utc

# username, email, password, is_staff, is_superuser, is_active
ACCOUNTS = [
    ("admin", "admin@example.com", "Admin-pa55!word", True, True, True),
    ("maria", "maria@example.com", "correct horse battery staple", True, False, True),
    ("alice", "alice@example.com", "alice-secret-1", False, False, True),
    ("bob", "bob@example.com", "hunter2 but longer", False, False, True),
    ("zoë", "zoe@example.com", "pässwörd-ünïcode-✓", False, False, True),
    ("carol", "carol@example.com", "carol-is-inactive", False, False, False),
]
# Accounts that can log in (authenticate() refuses inactive users, on both sides).
ACTIVE_ACCOUNTS = [a for a in ACCOUNTS if a[5]]

# Floats whose exact value needs all 17 significant digits, and other hard doubles.
FLOATS = [
    0.1 + 0.2,                 # 0.30000000000000004
    1 / 3,
    2 / 3,
    3.141592653589793,
    2.718281828459045,
    1e-300,
    5e-324,                    # the smallest subnormal
    2.2250738585072014e-308,   # the smallest normal
    1.7976931348623157e308,    # the largest double
    -2.5e-10,
    123456789.12345679,
    9007199254740993.0,        # 2**53 + 1 rounds to 2**53: integral, stored on disk as an integer by SQLite
    0.0,
    1e16,
    -1.0000000000000002,
]

DECIMALS_12_2 = [
    Decimal("0.00"), Decimal("-0.01"), Decimal("9999999999.99"), Decimal("-9999999999.99"),
    Decimal("12345678.90"), Decimal("100.00"), Decimal("0.10"),
]
DECIMALS_14_4 = [
    Decimal("1234567890.1234"), Decimal("0.0001"), Decimal("-0.0001"), Decimal("42.0000"),
    Decimal("99999.9999"),
]

DATETIMES = [
    dt.datetime(1970, 1, 1, 0, 0, 0, tzinfo=UTC),
    dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    dt.datetime(2000, 2, 29, 12, 0, 0, 1, tzinfo=UTC),
    dt.datetime(2038, 1, 19, 3, 14, 8, 500000, tzinfo=UTC),
    # 02:30 in Paris on this day never happened (spring forward); 01:30 UTC did.
    dt.datetime(2025, 3, 30, 1, 30, 0, 123456, tzinfo=UTC),
    # The fall-back fold: 00:30 and 01:30 UTC are both 02:30 in Paris.
    dt.datetime(2025, 10, 26, 0, 30, 0, tzinfo=UTC),
    dt.datetime(2025, 10, 26, 1, 30, 0, tzinfo=UTC),
    # Near the end of time, but not past it in Paris (TIME_ZONE): __date lookups convert.
    dt.datetime(9999, 12, 31, 20, 59, 59, 999999, tzinfo=UTC),
    dt.datetime(1900, 1, 1, 0, 0, 0, 10, tzinfo=UTC),
]

DATES = [dt.date(1, 1, 1), dt.date(1900, 2, 28), dt.date(2000, 2, 29), dt.date(9999, 12, 31)]

TIMES = [dt.time(0, 0, 0), dt.time(23, 59, 59, 999999), dt.time(12, 30, 0, 500000), dt.time(7, 5, 3)]

DURATIONS = [
    dt.timedelta(0),
    dt.timedelta(microseconds=1),
    dt.timedelta(days=3, hours=4, minutes=5, seconds=6, microseconds=7),
    dt.timedelta(days=-1, seconds=5),
    dt.timedelta(days=-3, microseconds=-1),
    dt.timedelta(days=999999),
]

# JSON documents, including bare scalars (a number, a string, true) as whole documents.
JSON_DOCUMENTS = [
    42,
    "just a string",
    True,
    3.25,
    0.30000000000000004,
    12345678901234567890,
    [],
    {},
    [1, "two", 3.5, None, False],
    {"nested": {"deeper": {"deepest": [1, 2, {"k": "v"}]}}, "n": 1},
    {"unicode": "ünïcødé – 日本語 – עברית – 🚀", "emoji🔑": "värde"},
    {"quote": "she said \"hi\"", "backslash": "C:\\path\\to", "newline": "a\nb", "tab": "\t"},
    {"b": 1, "a": 2, "aa": 3},
    "",
    -0.5,
    # Floats jsonb keeps: PostgreSQL's jsonb stores numbers as numeric and prints them without
    # an exponent, so Python's "5e-324" comes back as "0.000…05" (still a float), but an
    # exponent with no fraction digits ("1e+300") would come back as an integer: not here.
    {"tiny": 5e-324, "small": 1e-7, "pi": 3.141592653589793},
]

BINARIES = [b"", b"\x00", bytes(range(256)), b"\xff\xfe\xfd", "utf-8 text as bytes ✓".encode()]

TEXTS = [
    "",
    "plain",
    "it's \"quoted\"",
    "line one\nline two\r\nline three",
    "ünïcødé ✓ 日本 🚀",
    "x" * 5000,
    "trailing spaces   ",
    "%s %(name)s {} \\N",
]
