"""secret tokens (browser sessions, API tokens, reset links, calendar feeds), rate limits,
steadiness in logs, and the device's id of a log written offline

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "secret_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("athlete_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_index("ix_secret_tokens_user_id", "secret_tokens", ["user_id"])
    op.create_index("ix_secret_tokens_athlete_id", "secret_tokens", ["athlete_id"])
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start"),
    )
    with op.batch_alter_table("session_logs") as batch:
        batch.add_column(sa.Column("stumbles", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("falls", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("steadiness", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("client_ref", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_session_logs_client_ref", ["athlete_id", "client_ref"])
    with op.batch_alter_table("planned_sessions") as batch:
        batch.add_column(sa.Column("backward_s", sa.Integer(), nullable=False, server_default="0"))
    _fill_backward_seconds()
    # Pages read a window (a week of a plan, half a year of history), not everything.
    op.create_index("ix_session_logs_athlete_date", "session_logs", ["athlete_id", "date"])
    op.create_index("ix_activities_athlete_start_date", "activities", ["athlete_id", "start_date"])
    op.create_index("ix_planned_sessions_plan_week", "planned_sessions", ["plan_id", "week"])
    op.create_index("ix_planned_sessions_plan_date", "planned_sessions", ["plan_id", "date"])


def _fill_backward_seconds() -> None:
    """Each stored workout's backward seconds, as `Workout.backward_s` sums them."""
    bind = op.get_bind()
    sessions = sa.table(
        "planned_sessions",
        sa.column("id", sa.Integer()),
        sa.column("workout", sa.JSON()),
        sa.column("backward_s", sa.Integer()),
    )
    for session_id, workout in bind.execute(sa.select(sessions.c.id, sessions.c.workout)):
        seconds = sum(
            step.get("duration_s") or 0
            for step in workout["steps"]
            if step["direction"] == "backward"
        )
        bind.execute(
            sa.update(sessions).where(sessions.c.id == session_id).values(backward_s=seconds)
        )


def downgrade() -> None:
    with op.batch_alter_table("planned_sessions") as batch:
        batch.drop_column("backward_s")
    op.drop_index("ix_planned_sessions_plan_date", table_name="planned_sessions")
    op.drop_index("ix_planned_sessions_plan_week", table_name="planned_sessions")
    op.drop_index("ix_activities_athlete_start_date", table_name="activities")
    op.drop_index("ix_session_logs_athlete_date", table_name="session_logs")
    with op.batch_alter_table("session_logs") as batch:
        batch.drop_constraint("uq_session_logs_client_ref", type_="unique")
        batch.drop_column("client_ref")
        batch.drop_column("steadiness")
        batch.drop_column("falls")
        batch.drop_column("stumbles")
    op.drop_table("rate_limits")
    op.drop_index("ix_secret_tokens_athlete_id", table_name="secret_tokens")
    op.drop_index("ix_secret_tokens_user_id", table_name="secret_tokens")
    op.drop_table("secret_tokens")
