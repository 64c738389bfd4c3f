"""Leader register, leader identities and the HR audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leader",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("level", sa.String(100), nullable=False),
        sa.Column("manager_email", sa.String(320), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_leader_unit", "leader", ["unit"])
    op.create_index("ix_leader_level", "leader", ["level"])
    op.create_table(
        "leader_identity",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("leader_id", sa.Integer(), sa.ForeignKey("leader.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("leader_key", sa.String(64), nullable=False),
        sa.Column("owner_key", sa.String(64), nullable=False),
        sa.UniqueConstraint("leader_key"),
    )
    op.create_index("ix_leader_identity_leader_id", "leader_identity", ["leader_id"])
    op.create_index("ix_leader_identity_owner_key", "leader_identity", ["owner_key"])
    op.create_table(
        "hr_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
    )
    op.create_index("ix_hr_audit_at", "hr_audit", ["at"])


def downgrade() -> None:
    op.drop_table("hr_audit")
    op.drop_table("leader_identity")
    op.drop_table("leader")
