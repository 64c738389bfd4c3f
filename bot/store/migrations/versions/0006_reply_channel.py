"""Plans and group sessions know their channel and where to reply: prompts, reminders and deadlines
go out through the channel they were made in (a Teams-only deployment sends them too).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("reflection_schedule", "group_session")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            # Everything before this revision was made in Slack: the only channel that sent them.
            batch.add_column(sa.Column("channel", sa.String(16), nullable=False, server_default="slack"))
            # Teams: the service URL of the conversation (the Bot Framework sends proactive messages there).
            batch.add_column(sa.Column("reply_to", sa.String(500), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("reply_to")
            batch.drop_column("channel")
