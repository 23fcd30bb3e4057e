"""Inspections remember whether the image was unfamiliar (setup check).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite and PostgreSQL both have it): no table copy, so existing
    # rows, indexes and foreign keys stay as they are. '0' reads as false in both.
    op.add_column(
        "inspections",
        sa.Column("unfamiliar", sa.Boolean(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("inspections") as batch:
        batch.drop_column("unfamiliar")
