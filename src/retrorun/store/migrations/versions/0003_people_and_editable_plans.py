"""users, coach links, editable planned sessions with versions, one completed session

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("athlete_id"),
    )
    op.create_table(
        "coach_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["coach_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_sha256"),
    )
    op.create_index("ix_coach_links_coach_id", "coach_links", ["coach_id"])
    op.create_index(
        "ix_coach_links_athlete_coach", "coach_links", ["athlete_id", "coach_id", "status"]
    )
    with op.batch_alter_table("planned_sessions") as batch:
        batch.add_column(sa.Column("timeline", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(length=10), nullable=False, server_default="planned")
        )
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("origin", sa.String(length=10), nullable=False, server_default="generated")
        )
        batch.add_column(sa.Column("rules_version", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("decision_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("edited_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key("fk_planned_sessions_edited_by", "users", ["edited_by"], ["id"])
    op.create_table(
        "planned_session_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planned_session_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("workout", sa.JSON(), nullable=False),
        sa.Column("timeline", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("rules_version", sa.String(length=40), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("edited_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["planned_session_id"], ["planned_sessions.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["edited_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("planned_session_id", "version", name="uq_session_versions_version"),
    )
    op.create_index(
        "ix_planned_session_versions_planned_session_id",
        "planned_session_versions",
        ["planned_session_id"],
    )
    with op.batch_alter_table("session_logs") as batch:
        batch.add_column(sa.Column("activity_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            "fk_session_logs_activity_id",
            "activities",
            ["activity_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint("uq_session_logs_activity_id", ["activity_id"])
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("energy_inputs", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("energy_inputs")
    with op.batch_alter_table("session_logs") as batch:
        batch.drop_constraint("uq_session_logs_activity_id", type_="unique")
        batch.drop_constraint("fk_session_logs_activity_id", type_="foreignkey")
        batch.drop_column("updated_at")
        batch.drop_column("activity_id")
    op.drop_table("planned_session_versions")
    with op.batch_alter_table("planned_sessions") as batch:
        batch.drop_constraint("fk_planned_sessions_edited_by", type_="foreignkey")
        for column in (
            "updated_at",
            "reason",
            "edited_by",
            "decision_id",
            "rules_version",
            "origin",
            "version",
            "status",
            "timeline",
        ):
            batch.drop_column(column)
    op.drop_table("coach_links")
    op.drop_table("users")
