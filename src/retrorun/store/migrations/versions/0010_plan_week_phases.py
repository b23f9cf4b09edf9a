"""each plan's week phases as a short text column, and an index of the active plans: the
caseload reads where every client is in their plan from these (reading the weeks out of each
plan's `json` summary was a fifth of the caseload's time, and finding the active plans of 300
clients scanned the whole plans table)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

plans = sa.table(
    "plans",
    sa.column("id", sa.Integer()),
    sa.column("summary", sa.JSON()),
    sa.column("week_phases", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("week_phases", sa.Text(), nullable=True))
    bind = op.get_bind()
    for plan_id, summary in bind.execute(sa.select(plans.c.id, plans.c.summary)).all():
        bind.execute(
            plans.update().where(plans.c.id == plan_id).values(week_phases=phases(summary))
        )
    with op.batch_alter_table("plans") as batch:
        batch.alter_column("week_phases", existing_type=sa.Text(), nullable=False)
    op.create_index(
        "ix_plans_active_athlete",
        "plans",
        ["athlete_id", "id"],
        postgresql_where=sa.text("active"),
        sqlite_where=sa.text("active"),
    )


def phases(summary: dict[str, Any]) -> str:
    """The phase of each week in order, as `core.serialize.week_phases` writes them."""
    return ",".join(str(week["phase"]) for week in summary.get("weeks") or [])


def downgrade() -> None:
    op.drop_index("ix_plans_active_athlete", "plans")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("week_phases")
