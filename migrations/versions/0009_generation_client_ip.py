"""Generation.client_ip: the address a generation was asked from, so the rate limit counts an IP across the
API and the form (the form's client_id is the browser). Existing API rows ('ip:<address>') are filled in.

Revision ID: 0009
Revises: 0007
Created: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_ip', sa.String(), nullable=True))
        batch_op.create_index(batch_op.f('ix_generation_client_ip'), ['client_ip'], unique=False)
    op.execute("UPDATE generation SET client_ip = substr(client_id, 4) WHERE client_id LIKE 'ip:%'")


def downgrade() -> None:
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generation_client_ip'))
        batch_op.drop_column('client_ip')
