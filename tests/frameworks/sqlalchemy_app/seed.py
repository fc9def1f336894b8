"""Deterministic rows of the task app, shared by build_source.py and build_multi.py."""

import datetime as dt
import random
from decimal import Decimal

FLOATS = [0.1 + 0.2, 1 / 3, 2 / 3, 0.0, 1.0, 5e-324, 1.7976931348623157e308, 0.15625, 99.99999999999999]
ESTIMATES = [None, Decimal("0.25"), Decimal("1.50"), Decimal("9999.99"), Decimal("0.01"), Decimal("12.00"), Decimal("-1.00")]
JSON_DOCS = [None, [], ["work"], ["health", "year-2019"], ["deep-work", 42], {"k": "v", "n": [1, 2.5]}, 42, "tag",
             ["ünïcode ✓", "日本", "🚀"], [True, False, None]]
EDGE_TIMES = [
    dt.datetime(1970, 1, 1, 0, 0, 0),
    dt.datetime(1999, 12, 31, 23, 59, 59, 999999),
    dt.datetime(2000, 2, 29, 12, 0, 0, 1),
    dt.datetime(2025, 11, 18, 15, 30, 45),
    dt.datetime(2025, 11, 18, 15, 30, 45, 123000),
]


def goals_and_tasks(seed, n_goals, n_tasks, start=dt.datetime(2019, 1, 3, 8, 0, 0)):
    """Yields ('goal', dict) and ('task', dict) rows with naive datetimes (the app's own clock)."""
    rng = random.Random(seed)

    def when(i):
        if i < len(EDGE_TIMES):
            return EDGE_TIMES[i]
        return start + dt.timedelta(days=rng.randrange(2500), seconds=rng.randrange(86400),
                                    microseconds=rng.choice([0, 0, rng.randrange(1_000_000)]))

    goals = []
    for i in range(1, n_goals + 1):
        created = when(i - 1)
        goals.append({
            "id": i, "title": f"Goal {i}: " + ["run a marathon", "learn Rust", "ship the app", "read 20 books — “quoted”"][i % 4],
            "description": None if i % 5 == 0 else f"Why: {i} reasons, ümlauts, a 'quote'\nand a second line",
            "archived": i % 7 == 0, "progress": FLOATS[i % len(FLOATS)] if i <= 18 else rng.random(),
            "tags": JSON_DOCS[i % len(JSON_DOCS)], "created_at": created,
            "updated_at": None if i % 4 == 0 else created + dt.timedelta(days=i % 30, microseconds=i),
        })
    tasks = []
    for i in range(1, n_tasks + 1):
        created = when(i - 1)
        tasks.append({
            "id": i, "goal_id": None if i % 10 == 0 else (i - 1) % n_goals + 1, "title": f"Task {i}",
            "notes": "note with a ' quote and a newline\nsecond line" if i % 6 == 0 else None,
            "done": i % 3 == 0, "priority": 1 + i % 3, "estimate_hours": ESTIMATES[i % len(ESTIMATES)],
            "labels": JSON_DOCS[(i * 3) % len(JSON_DOCS)],
            "due_date": (created + dt.timedelta(days=14)).date() if i % 2 == 0 else None,
            "created_at": created, "updated_at": None if i % 4 == 0 else created + dt.timedelta(hours=i % 48),
            "completed_at": created + dt.timedelta(days=3, seconds=i) if i % 3 == 0 else None,
        })
    return goals, tasks
