"""The planner factory app.py gives the runner: a planner name (`offline` or `openai`) -> a new planner."""

from services.planners.base import Planner


def get_planner(name: str) -> Planner:
    # Imported lazily: the openai SDK is only loaded when the OpenAI planner is actually used.
    if name == 'offline':
        from services.planners.offline import OfflinePlanner

        return OfflinePlanner()
    if name == 'openai':
        from services.planners.openai import OpenAIPlanner

        return OpenAIPlanner()
    raise ValueError(f'unknown planner {name!r}')
