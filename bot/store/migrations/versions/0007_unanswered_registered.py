"""An unanswered question's text records whether its asker was in the register.

A registered leader's asker tag is one per person; an unregistered asker's is one per chat key,
so the same person on Slack and Teams (or after a key rotation) has several. The report counts
all unregistered tags of a group as at most one person.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unanswered_question") as batch:
        # Rows from before are taken as unregistered: counted as few people as they could be.
        batch.add_column(sa.Column("registered", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("unanswered_question") as batch:
        batch.drop_column("registered")
