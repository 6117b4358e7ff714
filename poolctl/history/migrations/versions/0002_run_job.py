"""The CI job a run ran in (`runs.job`): flips between jobs of one commit (a matrix's legs) are
not flakiness.

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
