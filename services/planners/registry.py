"""The planner factory app.py gives the runner (a planner name, `offline` or `openai`, -> a planner), and
the start and stop of what a planner holds."""

from services.planners.base import Planner


def get_planner(name: str) -> Planner:
    # Imported lazily: the openai SDK is only loaded when the LLM planner is actually used.
    if name == 'offline':
        from services.planners.offline import OfflinePlanner

        return OfflinePlanner()
    if name == 'openai':
        from services.planners.llm.planner import LLMPlanner

        return LLMPlanner()
    raise ValueError(f'unknown planner {name!r}')


def start_planner(name: str) -> Planner:
    """At start-up: imports the planner now (a first import on the event loop blocks for seconds) and, for
    the LLM planner, starts its client (the AI service's connections and their thread)."""
    if name == 'openai':
        from services.planners.llm.client import start_client

        start_client()
    return get_planner(name)


async def stop_planner(name: str) -> None:
    """At shutdown, after the runner stopped: closes what `start_planner` started."""
    if name == 'openai':
        from services.planners.llm.client import close_client

        await close_client()
