"""Question log, processed events and answer threads.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("leader_key", sa.String(64), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("channel_kind", sa.String(16), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("took_ms", sa.Integer(), nullable=False),
        sa.Column("question_text", sa.Text(), nullable=True),
        sa.Column("text_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("feedback", sa.String(8), nullable=True),
        sa.Column("feedback_reason", sa.Text(), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_question_log_reference", "question_log", ["reference"], unique=True)
    op.create_index("ix_question_log_leader_key", "question_log", ["leader_key"])
    op.create_index("ix_question_log_asked_at", "question_log", ["asked_at"])
    op.create_index("ix_question_log_text_expires_at", "question_log", ["text_expires_at"])
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(128), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_processed_event_received_at", "processed_event", ["received_at"])
    op.create_table(
        "answer_thread",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel_id", "thread_ts"),
    )


def downgrade() -> None:
    op.drop_table("answer_thread")
    op.drop_table("processed_event")
    op.drop_table("question_log")
