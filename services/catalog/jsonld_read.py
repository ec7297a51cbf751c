"""Finds the schema.org items of a web page: JSON-LD, microdata and RDFa, all through extruct.

Each JSON-LD block is decoded on its own, so one broken block is skipped and reported instead of losing the
page (extruct's own extract() drops every block when one is broken). Microdata comes in extruct's uniform
(JSON-LD-like) shape; RDFa comes expanded (full IRIs, node references), and is compacted here to the same
shape. Items may be single objects, lists or `@graph` containers, and places may list their `event`s.
Events are recognised by every type of schema.org's Event tree (Festival, MusicEvent, EventSeries...).
"""

from typing import Any

import extruct
from extruct.jsonld import JsonLdExtractor
from extruct.utils import parse_html

from services.catalog.importing import ImportFailure
from services.catalog.jsonld_values import as_list, plain_type

# schema.org's Event and every type below it (https://schema.org/Event, "More specific Types").
EVENT_TYPES = frozenset(
    {
        'Event', 'BusinessEvent', 'ChildrensEvent', 'ComedyEvent', 'CourseInstance', 'DanceEvent', 'DeliveryEvent',
        'EducationEvent', 'EventSeries', 'ExhibitionEvent', 'Festival', 'FoodEvent', 'Hackathon', 'LiteraryEvent',
        'MusicEvent', 'PublicationEvent', 'BroadcastEvent', 'OnDemandEvent', 'SaleEvent', 'ScreeningEvent',
        'SocialEvent', 'SportsEvent', 'TheaterEvent', 'VisualArtsEvent', 'UserInteraction', 'UserBlocks',
        'UserCheckins', 'UserComments', 'UserDownloads', 'UserLikes', 'UserPageVisits', 'UserPlays', 'UserPlusOnes',
        'UserTweets',
    }
)  # fmt: skip
# Events of the tree that are not somewhere to go: read, then skipped with this reason.
NOT_ATTENDED = {
    'BroadcastEvent': 'a broadcast, nowhere to go',
    'OnDemandEvent': 'on demand, nowhere to go',
    'PublicationEvent': 'a publication, nowhere to go',
    'DeliveryEvent': 'a delivery, nowhere to go',
}
MAX_DEPTH = 6


def page_items(html: bytes, base: str) -> tuple[list[dict], list[str]]:
    """Every schema.org object of the page (lists and @graph flattened), and 'what: reason' per broken part."""
    if not html.strip():
        raise ImportFailure('the page is empty')
    try:
        tree = parse_html(html, encoding='utf-8')
    except Exception:  # lxml raises several types for unparsable documents; its message may quote the file
        raise ImportFailure('not an HTML page') from None
    items, skipped = _json_ld(tree)
    try:
        found = extruct.extract(html, base_url=base or None, syntaxes=['microdata', 'rdfa'], uniform=True)
    except Exception as error:  # a page whose microdata or RDFa extruct cannot read keeps its JSON-LD
        skipped.append(f'microdata/RDFa: not readable ({type(error).__name__})')
        found = {}
    items += _flatten(found.get('microdata') or [])
    items += _flatten(_compact_rdfa(found.get('rdfa') or []))
    return items, skipped


def _json_ld(tree: Any) -> tuple[list[dict], list[str]]:
    extractor = JsonLdExtractor()
    items: list[dict] = []
    skipped: list[str] = []
    for number, node in enumerate(extractor._xp_jsonld(tree), start=1):  # pinned extruct: block by block
        try:
            block = list(extractor._extract_items(node))
        except ValueError as error:
            skipped.append(f'JSON-LD block {number}: not valid JSON ({str(error).splitlines()[0][:120]})')
            continue
        items += _flatten(block)
    return items, skipped


def is_event(item: dict) -> bool:
    return any(t in EVENT_TYPES or t.endswith('Event') for t in types_of(item))


def types_of(item: dict) -> list[str]:
    return [plain_type(str(t)) for t in as_list(item.get('@type'))]


def _flatten(values: list) -> list[dict]:
    found: list[dict] = []
    for value in values:
        if isinstance(value, list):
            found += _flatten(value)
        elif isinstance(value, dict):
            if '@graph' in value:
                found += _flatten(as_list(value['@graph']))
            if '@type' in value:
                found.append(value)
                if not is_event(value):  # a Place or Organization listing its events
                    found += _flatten(as_list(value.get('event')) + as_list(value.get('events')))
                elif 'subEvent' in value or 'subEvents' in value:  # a festival's own programme
                    found += _flatten(as_list(value.get('subEvent')) + as_list(value.get('subEvents')))
    return found


def _compact_rdfa(nodes: list) -> list[dict]:
    """extruct's expanded RDFa (full IRIs, [{'@value'}], node references) as plain schema.org objects."""
    by_id = {node.get('@id'): node for node in nodes if isinstance(node, dict)}
    referenced = {
        ref.get('@id')
        for node in by_id.values()
        for key, values in node.items()
        if not key.startswith('@')
        for ref in as_list(values)
        if isinstance(ref, dict) and '@id' in ref
    }
    tops = [n for i, n in by_id.items() if '@type' in n and i not in referenced]
    return [_compact(node, by_id, 0) for node in tops]


def _compact(node: dict, by_id: dict, depth: int) -> dict:
    result: dict[str, Any] = {'@type': [plain_type(str(t)) for t in as_list(node.get('@type'))]}
    for key, values in node.items():
        if key.startswith('@'):
            continue
        read = [_value(v, by_id, depth) for v in as_list(values)]
        read = [v for v in read if v not in (None, '')]
        if read:
            result[plain_type(key)] = read[0] if len(read) == 1 else read
    return result


def _value(value: Any, by_id: dict, depth: int) -> Any:
    if not isinstance(value, dict):
        return value
    if '@value' in value:
        return value['@value']
    target = by_id.get(value.get('@id'))
    if target is not None and depth < MAX_DEPTH:
        return _compact(target, by_id, depth + 1)
    return value.get('@id')
