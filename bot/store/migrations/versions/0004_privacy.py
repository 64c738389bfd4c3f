"""Privacy: activity rows keep the register as it was, free text apart from the person, wider ids.

- question_log and reflection_session get person, unit, level (stamped at insert from then on;
  existing rows are attributed once, from the register as it is at this upgrade);
  question_log gets owner_key, reflection_session its channel.
- unanswered_question and feedback_note hold texts without a key that joins to a person; existing
  texts move there and leave question_log. The asker tag of a moved text is a hash under a random
  salt that is thrown away, so old texts are counted per person but can no longer be linked.
- Teams conversation ids (~100 characters with ;messageid=…) fit group_session.channel_id,
  answer_thread.channel_id and reflection_schedule.address; shared_as holds a display name.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _week(when: datetime) -> str:
    year, week, _ = when.isocalendar()
    return f"{year}-U{week:02d}"


def upgrade() -> None:
    with op.batch_alter_table("question_log") as batch:
        batch.add_column(sa.Column("owner_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("person", sa.String(80), nullable=True))
        batch.add_column(sa.Column("unit", sa.String(200), nullable=True))
        batch.add_column(sa.Column("level", sa.String(100), nullable=True))
        batch.create_index("ix_question_log_owner_key", ["owner_key"])
        batch.create_index("ix_question_log_person", ["person"])
    with op.batch_alter_table("reflection_session") as batch:
        batch.add_column(sa.Column("person", sa.String(80), nullable=True))
        batch.add_column(sa.Column("unit", sa.String(200), nullable=True))
        batch.add_column(sa.Column("level", sa.String(100), nullable=True))
        batch.add_column(sa.Column("channel", sa.String(16), nullable=True))
        batch.create_index("ix_reflection_session_person", ["person"])
    with op.batch_alter_table("reflection_answer") as batch:
        batch.alter_column("shared_as", type_=sa.String(200), existing_nullable=True)
    with op.batch_alter_table("group_session") as batch:
        batch.alter_column("channel_id", type_=sa.String(255), existing_nullable=False)
        batch.alter_column("thread_ts", type_=sa.String(64), existing_nullable=True)
    with op.batch_alter_table("answer_thread") as batch:
        batch.alter_column("channel_id", type_=sa.String(255), existing_nullable=False)
        batch.alter_column("thread_ts", type_=sa.String(64), existing_nullable=False)
    with op.batch_alter_table("reflection_schedule") as batch:
        batch.alter_column("address", type_=sa.String(255), existing_nullable=False)
    with op.batch_alter_table("leader_identity") as batch:
        batch.add_column(sa.Column("key_id", sa.String(16), nullable=True))
    op.create_table(
        "unanswered_question",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asker_tag", sa.String(64), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_unanswered_question_asker_tag", "unanswered_question", ["asker_tag"])
    op.create_index("ix_unanswered_question_expires_at", "unanswered_question", ["expires_at"])
    op.create_table(
        "feedback_note",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("document", sa.String(200), nullable=True),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feedback_note_expires_at", "feedback_note", ["expires_at"])
    op.create_table(
        "leader_membership",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("leader_id", sa.Integer(), sa.ForeignKey("leader.id", ondelete="CASCADE"), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("level", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_leader_membership_leader_id", "leader_membership", ["leader_id"])
    op.create_index("ix_leader_membership_valid_from", "leader_membership", ["valid_from"])
    _backfill()


def _backfill() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    members = sa.Table("leader_membership", meta, autoload_with=bind)
    leaders = sa.Table("leader", meta, autoload_with=bind)
    # What the register says now is all that is known of its past.
    for entry in bind.execute(sa.select(leaders.c.id, leaders.c.unit, leaders.c.level, leaders.c.active)).all():
        bind.execute(
            sa.insert(members).values(
                leader_id=entry.id,
                unit=entry.unit,
                level=entry.level,
                active=entry.active,
                valid_from=datetime(2000, 1, 1, tzinfo=UTC),
            )
        )
    question = sa.Table("question_log", meta, autoload_with=bind)
    session = sa.Table("reflection_session", meta, autoload_with=bind)
    identity = sa.Table("leader_identity", meta, autoload_with=bind)
    leader = sa.Table("leader", meta, autoload_with=bind)
    unanswered = sa.Table("unanswered_question", meta, autoload_with=bind)
    notes = sa.Table("feedback_note", meta, autoload_with=bind)
    register = bind.execute(
        sa.select(
            identity.c.leader_key, identity.c.owner_key, identity.c.channel, leader.c.id, leader.c.unit, leader.c.level
        ).join(leader, leader.c.id == identity.c.leader_id)
    ).all()
    by_leader = {r.leader_key: r for r in register}
    by_owner = {r.owner_key: r for r in register}
    for row in bind.execute(sa.select(question.c.id, question.c.leader_key)).all():
        found = by_leader.get(row.leader_key)
        values = (
            {"person": f"p{found.id}", "unit": found.unit, "level": found.level}
            if found
            else {"person": row.leader_key}
        )
        bind.execute(sa.update(question).where(question.c.id == row.id).values(**values))
    for row in bind.execute(sa.select(session.c.id, session.c.owner_key)).all():
        found = by_owner.get(row.owner_key)
        values = (
            {"person": f"p{found.id}", "unit": found.unit, "level": found.level, "channel": found.channel}
            if found
            else {"person": row.owner_key}
        )
        bind.execute(sa.update(session).where(session.c.id == row.id).values(**values))
    salt = secrets.token_bytes(32)  # forgotten when this function returns
    now = datetime.now(UTC)
    for text_row in bind.execute(
        sa.select(
            question.c.id,
            question.c.leader_key,
            question.c.asked_at,
            question.c.question_text,
            question.c.text_expires_at,
            question.c.feedback_reason,
            question.c.sources,
        ).where(sa.or_(question.c.question_text.is_not(None), question.c.feedback_reason.is_not(None)))
    ).all():
        # SQLite may hand JSON back as text here.
        raw = text_row.sources
        sources = json.loads(raw or "[]") if isinstance(raw, str) else raw or []
        asked = text_row.asked_at if text_row.asked_at.tzinfo else text_row.asked_at.replace(tzinfo=UTC)
        if text_row.question_text:
            expires = text_row.text_expires_at or now + timedelta(days=90)
            bind.execute(
                sa.insert(unanswered).values(
                    id=secrets.token_hex(16),
                    text=text_row.question_text,
                    asker_tag=hmac.new(salt, text_row.leader_key.encode(), hashlib.sha256).hexdigest(),
                    week=_week(asked),
                    expires_at=expires,
                )
            )
        if text_row.feedback_reason:
            bind.execute(
                sa.insert(notes).values(
                    id=secrets.token_hex(16),
                    reason=text_row.feedback_reason,
                    document=(sources[0].get("document") if sources else None),
                    week=_week(asked),
                    expires_at=text_row.text_expires_at or asked + timedelta(days=90),
                )
            )
        bind.execute(
            sa.update(question)
            .where(question.c.id == text_row.id)
            .values(question_text=None, feedback_reason=None, text_expires_at=None)
        )


def downgrade() -> None:
    op.drop_table("leader_membership")
    op.drop_table("feedback_note")
    op.drop_table("unanswered_question")
    with op.batch_alter_table("leader_identity") as batch:
        batch.drop_column("key_id")
    with op.batch_alter_table("reflection_session") as batch:
        batch.drop_index("ix_reflection_session_person")
        for column in ("person", "unit", "level", "channel"):
            batch.drop_column(column)
    with op.batch_alter_table("question_log") as batch:
        batch.drop_index("ix_question_log_person")
        batch.drop_index("ix_question_log_owner_key")
        for column in ("owner_key", "person", "unit", "level"):
            batch.drop_column(column)
