"""The task app's three schemas, as SQLAlchemy 2 declarative models.

single   the original single-user app: a SQLite file made by Base.metadata.create_all()
         (no Alembic), goals and tasks. This is what users have: the source of Promote.
multi    the multi-user PostgreSQL edition, made by `alembic upgrade head` in
         migrations/multi: a `users` table (email, username, hashed_password verified with
         passlib's bcrypt) and a NOT NULL `user_id` owner column, FK → users.id, on every table
         (the target of Promote, the source of Extract). timestamptz, jsonb.
desktop  the desktop edition's SQLite file, made by `alembic upgrade head` in
         migrations/desktop: no users, the account in a singleton `app_config` (id = 1, seeded
         by the migration with desktop-only settings), goals and tasks without owner columns
         (the target of Extract).

The column names follow what Ferry's Promote and Extract expect (crates/engine/tests/fixtures/
promote_app_schema.sql and extract_desktop.sql): users / email / username / hashed_password,
owner column user_id, singleton app_config.
"""

import datetime as dt
import decimal

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Integer, Numeric, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JsonB = JSON().with_variant(JSONB(), "postgresql")
BigId = BigInteger().with_variant(Integer(), "sqlite")


# --------------------------------------------------------------------------- single-user SQLite
class Single(DeclarativeBase):
    pass


class SingleGoal(Single):
    __tablename__ = "goals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    tags: Mapped[object | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    tasks: Mapped[list["SingleTask"]] = relationship(back_populates="goal")


class SingleTask(Single):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id"))
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=2)
    estimate_hours: Mapped[decimal.Decimal | None] = mapped_column(Numeric(6, 2))
    labels: Mapped[object | None] = mapped_column(JSON)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    goal: Mapped[SingleGoal | None] = relationship(back_populates="tasks")


# --------------------------------------------------------------------------- multi-user PostgreSQL
class Multi(DeclarativeBase):
    pass


class User(Multi):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    username: Mapped[str | None] = mapped_column(String(80), unique=True)
    hashed_password: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    timezone: Mapped[str] = mapped_column(Text, default="UTC", server_default="UTC")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Goal(Multi):
    __tablename__ = "goals"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    tags: Mapped[object | None] = mapped_column(JsonB)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Task(Multi):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(SmallInteger, default=2)
    estimate_hours: Mapped[decimal.Decimal | None] = mapped_column(Numeric(6, 2))
    labels: Mapped[object | None] = mapped_column(JsonB)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


# --------------------------------------------------------------------------- desktop SQLite
class Desktop(DeclarativeBase):
    pass


class AppConfig(Desktop):
    __tablename__ = "app_config"
    __table_args__ = (CheckConstraint("id = 1", name="app_config_singleton"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(80))
    hashed_password: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    app_version: Mapped[str] = mapped_column(Text, server_default="1.0.0")
    onboarding_done: Mapped[bool] = mapped_column(Boolean, server_default="0")


class DesktopGoal(Desktop):
    __tablename__ = "goals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    tags: Mapped[object | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class DesktopTask(Desktop):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(SmallInteger, default=2)
    estimate_hours: Mapped[decimal.Decimal | None] = mapped_column(Numeric(6, 2))
    labels: Mapped[object | None] = mapped_column(JSON)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


EDITIONS = {
    "single": (Single, SingleGoal, SingleTask),
    "multi": (Multi, Goal, Task),
    "desktop": (Desktop, DesktopGoal, DesktopTask),
}
