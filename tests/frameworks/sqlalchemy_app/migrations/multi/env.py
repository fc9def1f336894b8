"""Alembic environment of one edition of the task app. The database comes from the
sqlalchemy.url main option (migrate_empty.py sets it) or from FERRY_SA_DB."""

import os
import sys
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import sa_common  # noqa: E402

url = context.config.get_main_option("sqlalchemy.url") or sa_common.sqlalchemy_url(os.environ.get("FERRY_SA_DB", ""))
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
