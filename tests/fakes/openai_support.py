"""Test helpers for the LLM planner: a recording PlanContext, a small Berlin catalog, a plan request, a plan run."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from models.db import session_scope
from models.generation import Bundle, Preferences, TimeWindow
from services.planners.base import PlanRequest
from services.planners.llm.planner import LLMPlanner
from settings import settings
from tests import factories
from tests.fakes.responses_server import FakeResponsesServer
from tests.fakes.responses_steps import answer, bundle

BERLIN = ZoneInfo('Europe/Berlin')
# Fri 5 Dec 17:00 to Sun 7 Dec 23:59, as "This weekend" resolves on a Friday afternoon.
WINDOW = TimeWindow(
    start=datetime(2025, 12, 5, 17, 0, tzinfo=BERLIN),
    end=datetime(2025, 12, 7, 23, 59, tzinfo=BERLIN),
    timezone='Europe/Berlin',
    label='Fri 5 - Sun 7 Dec',
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 12, day, hour, minute, tzinfo=BERLIN)


@dataclass
class RecordingContext:
    """A PlanContext that keeps what the planner reports, saves and spends."""

    reports: list[str] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    usage: list[dict[str, int]] = field(default_factory=list)
    bundles: list[Bundle] = field(default_factory=list)

    async def report(self, message: str) -> None:
        self.reports.append(message)

    async def save_state(self, state: dict[str, Any]) -> None:
        self.states.append(json.loads(json.dumps(state)))  # must survive a JSON column

    async def save_wish(self, wish: dict[str, Any]) -> None:
        self.wish = json.loads(json.dumps(wish))  # must survive a JSON column

    async def add_usage(self, usage: dict[str, int]) -> None:
        self.usage.append(usage)

    async def add_bundle(self, bundle: Bundle) -> list[str]:
        """Like the runner: refuses an event an earlier submitted bundle uses, else keeps the bundle."""
        used = {e.event_id for b in self.bundles for e in b.key_events}
        problems = [
            f'{e.title} ({e.event_id}) is already used in another bundle'
            for e in bundle.key_events
            if e.event_id in used
        ]
        if not problems:
            self.bundles.append(bundle)
        return problems

    def total(self, key: str) -> int:
        return sum(u.get(key, 0) for u in self.usage)


def build_catalog() -> dict[str, str]:
    """A weekend in Berlin; returns event ids by a short name."""
    with session_scope() as session:
        city = factories.add_city(session)
        ost = factories.add_venue(session, city, 'Club Ost', 'Friedrichshain', tags=['underground', 'techno'])
        hall = factories.add_venue(session, city, 'Kraftwerk Hall', 'Mitte', tags=['warehouse'])
        market = factories.add_venue(session, city, 'Markthalle', 'Kreuzberg', tags=['street food'])
        gallery = factories.add_venue(session, city, 'Gallery Nord', 'Wedding', tags=['contemporary'])

        def add(name: str, venue, **kwargs: Any) -> tuple[str, str]:
            return name, factories.add_event(session, venue, **kwargs).id

        return dict(
            [
                add('fri_comedy', hall, title='Stand-up Friday', starts_at=at(5, 19), hours=2, category='comedy',
                    price=(8, 8)),
                add('fri_techno', ost, title='Techno Marathon', starts_at=at(5, 23), hours=7, tags=['techno'],
                    price=(15, 20)),
                add('sat_food', market, title='Street Food Saturday', starts_at=at(6, 17), hours=3,
                    category='food', price=(5, 10)),
                add('sat_jazz', hall, title='Late Jazz', starts_at=at(6, 20), hours=3, tags=['jazz'], price=(10, 10)),
                add('sat_house', hall, title='Deep House Night', starts_at=at(6, 22), hours=6, tags=['house'],
                    price=(12, 18)),
                add('sat_cancelled', ost, title='Cancelled Rave', starts_at=at(6, 21), tags=['techno'],
                    status='cancelled'),
                add('sun_art', gallery, title='Sunday Vernissage', starts_at=at(7, 14), hours=3, category='art',
                    price=(0, 0)),
                add('sun_gala', hall, title='Gala Dinner', starts_at=at(7, 19), hours=3, category='food',
                    price=(95, 120)),
                add('mon_outside', ost, title='Monday Techno', starts_at=at(8, 20), tags=['techno'], price=(10, 10)),
            ]
        )  # fmt: skip


def plan_request(budget: float | None = 60, saved_state: dict[str, Any] | None = None) -> PlanRequest:
    preferences = Preferences(
        interests=['music', 'nightlife', 'food'],
        music_profile='Techno, House',
        timeframe='This weekend',
        other_preferences='underground venues',
        city='Berlin',
        budget=budget,
    )
    return PlanRequest(
        generation_id='gen-1', preferences=preferences, window=WINDOW, city='Berlin', saved_state=saved_state
    )


def point_openai_at(server: FakeResponsesServer | str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real SDK talks to the fake (a server or its URL): base URL, a test key, fast failure settings."""
    url = server if isinstance(server, str) else server.url
    encrypted = True if isinstance(server, str) else server.expect_encrypted_reasoning
    for name in ('OPENAI_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(settings, 'openai_base_url', url)
    monkeypatch.setattr(settings, 'openai_api_key', SecretStr('test-key'))
    monkeypatch.setattr(settings, 'openai_model', 'fake-reasoner')
    monkeypatch.setattr(settings, 'openai_reasoning_effort', 'low')
    monkeypatch.setattr(settings, 'openai_encrypted_reasoning', encrypted)
    monkeypatch.setattr(settings, 'openai_timeout_s', 5)
    monkeypatch.setattr(settings, 'openai_max_retries', 0)
    monkeypatch.setattr(settings, 'openai_max_turns', 6)


def outputs_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in body['input'] if item.get('type') == 'function_call_output']


def user_messages(body: dict[str, Any]) -> list[str]:
    return [item['content'] for item in body['input'] if item.get('role') == 'user']


async def plan(context: RecordingContext, **request_options: Any) -> list[Bundle]:
    return await LLMPlanner().plan(plan_request(**request_options), context)


def good_answer(ids: dict[str, str]) -> dict[str, Any]:
    return answer(
        bundle('Techno Weekend', ids['fri_techno'], ids['sat_house'], tags=['Techno', 'late']),
        bundle('Taste and Jazz', ids['sat_food'], ids['sat_jazz']),
        bundle('Laughs and Art', ids['fri_comedy'], ids['sun_art']),
    )
