"""Baseline: the schema of the last release made without migrations (create_all + the text index).

A database of that release is stamped with this revision instead of running it (models.schema).
Text search: SQLite gets an FTS5 index over event.search_text kept in step by triggers; Postgres a GIN
index over to_tsvector('simple', search_text), which it keeps current by itself.

Revision ID: 0001
Revises:
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'city',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('country', sa.String(), nullable=False),
        sa.Column('timezone', sa.String(), nullable=False),
        sa.Column('currency', sa.String(), nullable=False),
        sa.Column('is_demo', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('city', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_city_name'), ['name'], unique=True)

    op.create_table(
        'generation',
        sa.Column('id', sa.String(), nullable=False),
        sa.Column('status', sa.String(), nullable=False),
        sa.Column('preferences', sa.JSON(), nullable=False),
        sa.Column('bundles', sa.JSON(), nullable=True),
        sa.Column('error', sa.String(), nullable=True),
        sa.Column('progress', sa.JSON(), nullable=False),
        sa.Column('planner', sa.String(), nullable=False),
        sa.Column('window', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('deadline_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('lease_owner', sa.String(), nullable=True),
        sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('idempotency_key', sa.String(), nullable=True),
        sa.Column('client_id', sa.String(), nullable=False),
        sa.Column('planner_state', sa.JSON(), nullable=True),
        sa.Column('usage', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('client_id', 'idempotency_key'),
    )
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generation_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_generation_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_generation_lease_expires_at'), ['lease_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_generation_status'), ['status'], unique=False)

    op.create_table(
        'venue',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('city_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('neighborhood', sa.String(), nullable=False),
        sa.Column('address', sa.String(), nullable=False),
        sa.Column('tags', sa.JSON(), nullable=False),
        sa.Column('source', sa.String(), nullable=False),
        sa.Column('source_id', sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ['city_id'],
            ['city.id'],
        ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source', 'source_id'),
    )
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venue_city_id'), ['city_id'], unique=False)

    op.create_table(
        'event',
        sa.Column('id', sa.String(), nullable=False),
        sa.Column('city_id', sa.Integer(), nullable=False),
        sa.Column('venue_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(), nullable=False),
        sa.Column('description', sa.String(), nullable=False),
        sa.Column('category', sa.String(), nullable=False),
        sa.Column('tags', sa.JSON(), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('price_min', sa.Float(), nullable=True),
        sa.Column('price_max', sa.Float(), nullable=True),
        sa.Column('currency', sa.String(), nullable=False),
        sa.Column('ticket_url', sa.String(), nullable=False),
        sa.Column('image_url', sa.String(), nullable=False),
        sa.Column('status', sa.String(), nullable=False),
        sa.Column('source', sa.String(), nullable=False),
        sa.Column('source_id', sa.String(), nullable=False),
        sa.Column('feed', sa.String(), server_default='', nullable=False),
        sa.Column('search_text', sa.String(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['city_id'],
            ['city.id'],
        ),
        sa.ForeignKeyConstraint(
            ['venue_id'],
            ['venue.id'],
        ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source', 'source_id'),
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_category'), ['category'], unique=False)
        batch_op.create_index(
            'ix_event_city_category_page',
            ['city_id', 'category', 'starts_at', 'status', 'price_min', 'id'],
            unique=False,
        )
        batch_op.create_index(batch_op.f('ix_event_city_id'), ['city_id'], unique=False)
        batch_op.create_index('ix_event_city_starts', ['city_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_venue_id'), ['venue_id'], unique=False)

    create_text_index()


# Diacritics kept: the LIKE search tells 'kö' from 'ko', and both paths must find the same events.
SQLITE_FTS5 = (
    "CREATE VIRTUAL TABLE event_search USING fts5(search_text, content='event', content_rowid='rowid', "
    "tokenize='unicode61 remove_diacritics 0')",
    """CREATE TRIGGER event_search_insert AFTER INSERT ON event BEGIN
        INSERT INTO event_search(rowid, search_text) VALUES (new.rowid, new.search_text);
    END""",
    """CREATE TRIGGER event_search_delete AFTER DELETE ON event BEGIN
        INSERT INTO event_search(event_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    END""",
    """CREATE TRIGGER event_search_update AFTER UPDATE OF search_text ON event BEGIN
        INSERT INTO event_search(event_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
        INSERT INTO event_search(rowid, search_text) VALUES (new.rowid, new.search_text);
    END""",
    "INSERT INTO event_search(event_search) VALUES ('rebuild')",
)
POSTGRES_GIN = "CREATE INDEX ix_event_search_text_tsv ON event USING gin (to_tsvector('simple', search_text))"


def create_text_index() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute(POSTGRES_GIN)
    # A SQLite built without FTS5 searches with LIKE (services.catalog.queries); nothing to create.
    elif (
        bind.dialect.name == 'sqlite'
        and bind.exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").scalar()
    ):
        for statement in SQLITE_FTS5:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_event_search_text_tsv')
    elif bind.dialect.name == 'sqlite':
        for trigger in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER IF EXISTS event_search_{trigger}')
        op.execute('DROP TABLE IF EXISTS event_search')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_venue_id'))
        batch_op.drop_index(batch_op.f('ix_event_status'))
        batch_op.drop_index(batch_op.f('ix_event_starts_at'))
        batch_op.drop_index('ix_event_city_starts')
        batch_op.drop_index(batch_op.f('ix_event_city_id'))
        batch_op.drop_index('ix_event_city_category_page')
        batch_op.drop_index(batch_op.f('ix_event_category'))

    op.drop_table('event')
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venue_city_id'))

    op.drop_table('venue')
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generation_status'))
        batch_op.drop_index(batch_op.f('ix_generation_lease_expires_at'))
        batch_op.drop_index(batch_op.f('ix_generation_expires_at'))
        batch_op.drop_index(batch_op.f('ix_generation_client_id'))

    op.drop_table('generation')
    with op.batch_alter_table('city', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_city_name'))

    op.drop_table('city')
