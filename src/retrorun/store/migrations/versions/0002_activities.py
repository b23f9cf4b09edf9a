"""imported activities and their laps

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_path", sa.String(length=1000), nullable=False),
        sa.Column("source_format", sa.String(length=10), nullable=False),
        sa.Column("sport", sa.String(length=40), nullable=True),
        sa.Column("sub_sport", sa.String(length=40), nullable=True),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("elapsed_s", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=True),
        sa.Column("direction_source", sa.String(length=10), nullable=True),
        sa.Column("backward_s", sa.Float(), nullable=False),
        sa.Column("kcal", sa.Float(), nullable=True),
        sa.Column("energy_model", sa.String(length=200), nullable=True),
        sa.Column("device_kcal", sa.Float(), nullable=True),
        sa.Column("avg_heart_rate_bpm", sa.Float(), nullable=True),
        sa.Column("max_heart_rate_bpm", sa.Float(), nullable=True),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("lap_count", sa.Integer(), nullable=False),
        sa.Column("planned_session_id", sa.Integer(), nullable=True),
        sa.Column("streams", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"]),
        sa.ForeignKeyConstraint(
            ["planned_session_id"], ["planned_sessions.id"], ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("athlete_id", "content_sha256", name="uq_activities_athlete_content"),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activities_athlete_id"), ["athlete_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_start_date"), ["start_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_activities_planned_session_id"), ["planned_session_id"], unique=False
        )

    op.create_table(
        "activity_laps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("lap_index", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("workout_step_index", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", "lap_index", name="uq_activity_laps_activity_lap"),
    )
    with op.batch_alter_table("activity_laps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_laps_activity_id"), ["activity_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("activity_laps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_laps_activity_id"))
    op.drop_table("activity_laps")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_planned_session_id"))
        batch_op.drop_index(batch_op.f("ix_activities_start_date"))
        batch_op.drop_index(batch_op.f("ix_activities_athlete_id"))
    op.drop_table("activities")
