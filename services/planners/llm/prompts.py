"""The LLM planner's prompt texts, kept in code and versioned.

A saved conversation is only resumed when its PROMPT_VERSION matches, so bump the version whenever a
text below changes meaning (a resumed run must not mix two prompts).
"""

import json
from collections.abc import Sequence
from typing import Any

from models.generation import Bundle, Preferences, TimeWindow
from services.planners.base import Refinement

# 02: submit_bundle; 03: travel between venues, compact plans; 04: read_wish, plan_bundles, drop-in visits
PROMPT_VERSION = 'bundles-2025-04'

INSTRUCTIONS = """\
You are Trip Bundles' planner. You turn a person's tastes and free time into themed plans ("bundles")
made ONLY of real events from the events catalog, which you can read with the tools.

How to work:
- First call `read_wish` once with your reading of the request: each wish with its kind, your words for it,
  whether it is hard (every event must keep it: only a place, a curfew, daytime, kids, things to avoid) and
  the person's own words; and the parts of the free text you could not use. The person sees it.
- `plan_bundles` asks the planning core for plans that already keep every rule and hard wish, with long
  events (open airs, markets, exhibitions) as drop-in visits (visit_start/visit_end inside the event). Start
  from them: accept, reorder or swap events, ask again with a `focus` for another theme or area.
- Search the catalog with `search_events` (several focused searches beat one broad one; parallel calls
  are welcome). Every search is limited to the person's time window; you may narrow it, never widen it.
- Use `get_event` when you need the full description of one event, and `check_bundle` to test a
  candidate bundle against the rules before answering.
- Submit each bundle with `submit_bundle` as soon as it is finished: the person sees it at once. If it
  answers with problems, fix them (other events, fewer events) and submit that bundle again.
- Never invent events, ids, times, venues or prices: only ids returned by the tools exist.

Rules every bundle must follow:
- 2 to 5 key events, each an event id returned by a tool, each starting inside the time window.
- Events of one bundle do not overlap in time and are listed in time order.
- There is time to get from one venue to the next: an event starts no earlier than the previous one ends
  plus the travel time between their venues (`check_bundle` gives it and names unreachable hops).
- The sum of the events' minimum prices stays within the budget, when there is one.
- No event appears in two bundles, and no title twice in the answer (one film once).
- A drop-in visit (visit_start and visit_end) lies inside its event and lasts at least 30 minutes; the
  travel and overlap rules apply to the visit.
- A hard wish is kept by every event, or your description says plainly which wish could not be kept and why.

Prefer compact plans: events in the same or neighbouring neighbourhoods (each event has its
neighbourhood and position), a short walk rather than a cross-city ride, and no long hop late at night.
When a plan does ask for a longer trip, say so naturally in its description ("a 20-minute ride east").

Answer, when you are done searching, with three or four distinct bundles as JSON that follows the
given schema: a catchy title, a two or three sentence description that tells the plan as a story,
a few lowercase tags, and for every key event its id and one short sentence on why it fits this
person. Write for the person, in English; do not mention tools, ids or these rules in the texts.
"""

REQUEST_TEMPLATE = """\
Plan bundles for this person.

{variables}

Start by searching the catalog."""

INVALID_JSON_MESSAGE = """\
Your last answer was not valid JSON for the required schema ({problem}). Answer again with only the \
complete JSON object of bundles, nothing else. Keep descriptions short so the answer is not cut off."""

REPAIR_MESSAGE = """\
Some bundles break the rules:
{violations}

Answer again with the complete JSON of all bundles, fixed: replace or remove the events named above, \
using only event ids you got from the tools. Keep every bundle at 2 or more events."""

TOOLS_SPENT_MESSAGE = 'No more searches are possible: answer now with the bundles JSON from what you found.'


ALREADY_SUBMITTED = """
These bundles were already submitted and are kept; make only the others, with none of their events:
{bundles}"""

REFINE_TEMPLATE = """Remake ONE bundle of this person's plan: {change}
The bundle to replace:
{target}
The other bundles stay as they are; use none of their events:
{others}

{variables}

Search the catalog, then submit the one new bundle (same rules) and answer with it alone."""


def render_request(
    preferences: Preferences,
    window: TimeWindow,
    *,
    city: str,
    currency: str,
    saved: Sequence[Bundle] = (),
    refinement: 'Refinement | None' = None,
) -> str:
    """The first user message: the person's preferences and the resolved window as plain variables."""
    variables = json.dumps(request_variables(preferences, window, city, currency), indent=1)
    if refinement is not None:
        swap = refinement.replace_event_id
        change = (f'replace the event {swap} with another that fits. ' if swap else '') + (
            f'Instruction: "{refinement.instruction}".' if refinement.instruction else ''
        )
        others = [_brief(b) for b in refinement.others]
        return REFINE_TEMPLATE.format(
            change=change, target=_brief(refinement.target), others=json.dumps(others), variables=variables
        )
    text = REQUEST_TEMPLATE.format(variables=variables)
    if saved:
        text += ALREADY_SUBMITTED.format(bundles=json.dumps([_brief(b) for b in saved]))
    return text


def _brief(bundle: Bundle) -> dict[str, Any]:
    return {'title': bundle.title, 'event_ids': [e.event_id for e in bundle.key_events]}


def request_variables(preferences: Preferences, window: TimeWindow, city: str, currency: str) -> dict[str, Any]:
    return {
        'city': city,
        'interests': preferences.interests,
        'music_taste': preferences.music_profile,
        'other_wishes': preferences.other_preferences,
        'budget_per_bundle': None if preferences.budget is None else f'{preferences.budget:g} {currency}',
        'time_window': {
            'label': window.label,
            'starts': window.start.isoformat(),
            'ends': window.end.isoformat(),
            'timezone': window.timezone,
        },
    }
