"""Every test gets its own SQLite file and its own data folder; settings are restored afterwards."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from models import db, schema
from settings import settings


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(settings, 'data_dir', tmp_path / 'data')
    monkeypatch.setattr(settings, 'database_url', f'sqlite:///{tmp_path}/data/test.db')
    monkeypatch.setattr(settings, 'planner', 'offline')
    monkeypatch.setattr(settings, 'openai_api_key', None)
    monkeypatch.setattr(settings, 'offline_step_delay_s', 0)
    db.use_engine(db.build_engine(settings.database_url))
    schema.create_db_and_tables()
    yield
    db.use_engine(None)


@pytest.fixture
def session() -> Iterator[Session]:
    with db.session_scope() as session:
        yield session
