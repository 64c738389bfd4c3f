"""Reflection: sessions, answers, group sessions and schedules.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_session",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=True),
        sa.Column("theme_id", sa.String(128), nullable=False),
        sa.Column("theme_version", sa.String(16), nullable=False),
        sa.Column("facilitator_key", sa.String(64), nullable=False),
        sa.Column("current_index", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_group_session_state", "group_session", ["state"])
    op.create_index("ix_group_session_deadline", "group_session", ["deadline"])
    op.create_table(
        "reflection_session",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("owner_key", sa.String(64), nullable=True),
        sa.Column("theme_id", sa.String(128), nullable=False),
        sa.Column("theme_version", sa.String(16), nullable=False),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("group_session.id", ondelete="SET NULL"), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("current_index", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_reflection_session_owner_key", "reflection_session", ["owner_key"])
    op.create_index("ix_reflection_session_theme_id", "reflection_session", ["theme_id"])
    op.create_index("ix_reflection_session_state", "reflection_session", ["state"])
    op.create_index("ix_reflection_session_started_at", "reflection_session", ["started_at"])
    op.create_table(
        "reflection_answer",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "session_id", sa.Integer(), sa.ForeignKey("reflection_session.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("owner_key", sa.String(64), nullable=False),
        sa.Column("theme_id", sa.String(128), nullable=False),
        sa.Column("question_id", sa.String(160), nullable=False),
        sa.Column("question_version", sa.String(16), nullable=False),
        sa.Column("question_text", sa.Text(), nullable=False),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("shared_as", sa.String(64), nullable=True),
        sa.Column("event_id", sa.String(128), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "question_id"),
    )
    op.create_index("ix_reflection_answer_session_id", "reflection_answer", ["session_id"])
    op.create_index("ix_reflection_answer_owner_key", "reflection_answer", ["owner_key"])
    op.create_table(
        "reflection_schedule",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("owner_key", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("local_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("next_theme", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_theme", sa.String(128), nullable=True),
        sa.Column("reminder_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reflection_schedule_owner_key", "reflection_schedule", ["owner_key"])
    op.create_index("ix_reflection_schedule_state", "reflection_schedule", ["state"])
    op.create_index("ix_reflection_schedule_next_run_at", "reflection_schedule", ["next_run_at"])
    op.create_index("ix_reflection_schedule_reminder_due_at", "reflection_schedule", ["reminder_due_at"])


def downgrade() -> None:
    op.drop_table("reflection_schedule")
    op.drop_table("reflection_answer")
    op.drop_table("reflection_session")
    op.drop_table("group_session")
