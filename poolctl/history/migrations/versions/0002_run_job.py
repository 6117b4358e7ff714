"""The CI job a run ran in (`runs.job`): flips between jobs of one commit (a matrix's legs) are
not flakiness; and the digest of a triage's inputs (`runs.inputs_digest`): a log triaged again
is not recorded again.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("job", sa.String(255), nullable=True))
    op.add_column("runs", sa.Column("inputs_digest", sa.String(64), nullable=True))
    op.create_index("ix_runs_inputs_digest", "runs", ["inputs_digest"])
