"""Venue.opening_hours (OpenStreetMap syntax, '' when unknown) and Venue.step_free (NULL when unknown).

Revision ID: 0004
Revises: 0003
Created: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opening_hours', sa.String(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('step_free', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.drop_column('step_free')
        batch_op.drop_column('opening_hours')
