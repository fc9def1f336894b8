"""app_config.onboarding_done: a desktop-only setting

Revision ID: 5b7f2e8c6a10
Revises: d1e5c0a9b3f2
Create Date: 2026-11-25 08:55:31.902000
"""
from alembic import op
import sqlalchemy as sa

revision = "5b7f2e8c6a10"
down_revision = "d1e5c0a9b3f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_config") as batch:
        batch.add_column(sa.Column("onboarding_done", sa.Boolean(), server_default=sa.text("0"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("app_config") as batch:
        batch.drop_column("onboarding_done")
