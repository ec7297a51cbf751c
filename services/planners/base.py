"""What every planner is: preferences + a resolved window in, bundles out, progress reported on the way."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from models.generation import Bundle, Preferences, TimeWindow


@dataclass(frozen=True)
class Refinement:
    """Remake `bundles[bundle_index]` as instructed (or with `replace_event_id` swapped); keep the others."""

    bundles: list[Bundle]
    bundle_index: int
    instruction: str = ''
    replace_event_id: str | None = None
    replacement_event_id: str | None = None  # the person's pick among the alternatives; None: the planner picks

    @property
    def others(self) -> list[Bundle]:
        return [b for i, b in enumerate(self.bundles) if i != self.bundle_index]

    @property
    def target(self) -> Bundle:
        return self.bundles[self.bundle_index]


@dataclass(frozen=True)
class PlanRequest:
    generation_id: str
    preferences: Preferences
    window: TimeWindow
    city: str
    # What this planner saved during an earlier attempt (a restart resumes from it), or None.
    saved_state: dict[str, Any] | None = None
    # Bundles already stored by an earlier attempt (kept on a restart): make only the rest, with other events.
    saved_bundles: list[Bundle] = field(default_factory=list)
    # Set for a refinement: then the planner returns the one new bundle, and the runner puts it in place.
    refinement: Refinement | None = None


class PlanContext(Protocol):
    """Given by the runner; each call writes to the generation's row at once."""

    async def report(self, message: str) -> None:
        """Appends a progress message a person can read ("Searched 38 events: techno, Fri 5 - Sun 7 Dec")."""

    async def save_state(self, state: dict[str, Any]) -> None:
        """Keeps what a resumed attempt needs to continue instead of starting over."""

    async def save_wish(self, wish: dict[str, Any]) -> None:
        """Stores what the planner read in the request and its notes (the API's understood, notUnderstood,
        notes), so the person sees them while the plans are made."""

    async def add_usage(self, usage: dict[str, int]) -> None:
        """Adds token counts (input_tokens, output_tokens...) to the generation's totals."""

    async def add_bundle(self, bundle: Bundle) -> list[str]:
        """Checks one finished bundle against the grounding rule and the bundles stored before it, and stores
        it at once (shown while planning) when it breaks no rule; returns the violations, empty when stored."""


class Planner(Protocol):
    name: str

    async def plan(self, request: PlanRequest, context: PlanContext) -> list[Bundle]: ...


class PlannerError(Exception):
    """A planning failure whose message is safe and useful to show the person who asked."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message
