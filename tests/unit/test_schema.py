"""schema.create_db_and_tables brings a database made by an older version up to date without losing rows."""

from datetime import UTC, datetime

from sqlalchemy import inspect
from sqlmodel import Session

from models import db, schema
from models.catalog import Event
from tests.factories import add_city, add_event, add_venue


def test_an_event_table_from_before_feeds_were_recorded_gains_the_column(session: Session) -> None:
    venue = add_venue(session, add_city(session))
    event = add_event(session, venue, starts_at=datetime(2025, 12, 5, 20, 0, tzinfo=UTC))
    with db.get_engine().begin() as connection:
        connection.exec_driver_sql('ALTER TABLE event DROP COLUMN feed')  # as an older version made it
    schema.create_db_and_tables()
    schema.create_db_and_tables()  # and a second start finds nothing left to add
    assert 'feed' in {c['name'] for c in inspect(db.get_engine()).get_columns('event')}
    session.expire_all()
    assert session.get(Event, event.id).feed == ''
