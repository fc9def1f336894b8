"""tasks.position: manual ordering within a goal (a column the single-user app never had)

Revision ID: 8c41e07a2d95
Revises: 3f2a9c1d7b4e
Create Date: 2026-11-20 16:03:10.554000
"""
from alembic import op
import sqlalchemy as sa

revision = "8c41e07a2d95"
down_revision = "3f2a9c1d7b4e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.create_index("ix_tasks_goal_id_position", "tasks", ["goal_id", "position"])


def downgrade() -> None:
    op.drop_index("ix_tasks_goal_id_position", table_name="tasks")
    op.drop_column("tasks", "position")
