"""History lists one product's inspections newest first: an index on (product_id,
inspected_at) reads the 200 rows shown instead of sorting all of the product's.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_inspections_product_time", "inspections",
                    ["product_id", "inspected_at"])


def downgrade() -> None:
    op.drop_index("ix_inspections_product_time", table_name="inspections")
