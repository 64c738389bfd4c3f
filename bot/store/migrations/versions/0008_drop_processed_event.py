"""The processed_event table goes: the inbox (inbox_event, revision 0005) is the duplicate check for
every channel's deliveries, and nothing has written an event id here since.

Its rows held event ids only (no person), kept two days: nothing is lost that anyone reads.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_processed_event_received_at", table_name="processed_event")
    op.drop_table("processed_event")


def downgrade() -> None:
    # As revision 0001 made it, empty: the inbox kept the duplicate check meanwhile.
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(128), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_processed_event_received_at", "processed_event", ["received_at"])
