"""progression: timed 3-metre backward walks, the progression engine's decisions, each
athlete's pain limits, and red flags in logs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "walk_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("timed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_walk_tests_athlete_date", "walk_tests", ["athlete_id", "date"])
    op.create_table(
        "progression_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("rules_version", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_progression_decisions_athlete_made_on",
        "progression_decisions",
        ["athlete_id", "made_on"],
    )
    with op.batch_alter_table("athletes") as batch:
        batch.add_column(
            sa.Column("pain_ceiling", sa.Integer(), nullable=False, server_default="5")
        )
        batch.add_column(sa.Column("usual_pain", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        batch.drop_column("usual_pain")
        batch.drop_column("pain_ceiling")
    op.drop_index("ix_progression_decisions_athlete_made_on", "progression_decisions")
    op.drop_table("progression_decisions")
    op.drop_index("ix_walk_tests_athlete_date", "walk_tests")
    op.drop_table("walk_tests")
