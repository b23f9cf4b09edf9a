"""the caseload's indexes: imports by time, each client's latest decision, a coach's last look

The caseload reads every client of a coach with a fixed number of queries; these make the
per-client lookups inside them index lookups, not scans: imports since the coach last looked,
the latest decision, and when the coach last looked (the audit log).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_activities_athlete_created", "activities", ["athlete_id", "created_at"])
    op.create_index(
        "ix_progression_decisions_athlete_id", "progression_decisions", ["athlete_id", "id"]
    )
    op.create_index("ix_audit_log_actor_athlete_at", "audit_log", ["actor_id", "athlete_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor_athlete_at", "audit_log")
    op.drop_index("ix_progression_decisions_athlete_id", "progression_decisions")
    op.drop_index("ix_activities_athlete_created", "activities")
