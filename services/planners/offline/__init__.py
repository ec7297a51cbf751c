"""The offline planner: deterministic, catalog-grounded bundles with no API key (docs/ARCHITECTURE.md, planners).

taste (what was asked) -> scoring (how well each event answers it) -> itinerary (themes and events that fit
together) -> writing (titles, descriptions, "why" lines), run off the event loop by planner.OfflinePlanner.
"""

from services.planners.offline.planner import OfflinePlanner

__all__ = ['OfflinePlanner']
