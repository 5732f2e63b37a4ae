"""Hub schema 2: the hub's audit trail (master imports) and provisional 個人番号 from terminals.

Frozen: this file never imports app code; later changes are new revisions.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "person_numbers", sa.Column("provisional_origin", sa.String(length=24), nullable=True)
    )
    op.add_column("person_numbers", sa.Column("updated_date", sa.String(length=10), nullable=True))
    op.add_column("person_numbers", sa.Column("updated_time", sa.String(length=8), nullable=True))
    op.add_column("person_numbers", sa.Column("updated_by", sa.String(length=32), nullable=True))
    op.create_table(
        "hub_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_audit")),
    )


def downgrade() -> None:
    raise NotImplementedError("the hub never downgrades; restore a backup instead")
