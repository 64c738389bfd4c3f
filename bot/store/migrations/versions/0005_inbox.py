"""The durable inbox: every channel event stored (id, payload, state) before it is acknowledged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_event",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_inbox_event_state_lease", "inbox_event", ["state", "lease_until"])
    op.create_index("ix_inbox_event_received_at", "inbox_event", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_event_received_at", table_name="inbox_event")
    op.drop_index("ix_inbox_event_state_lease", table_name="inbox_event")
    op.drop_table("inbox_event")
