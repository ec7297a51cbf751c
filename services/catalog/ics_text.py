"""Splits an iCalendar file into its events and zones as text, before any parser sees it.

Real feeds break whole-file parsers for things that are none of their events: a VTODO or VFREEBUSY that
does not parse, several VCALENDARs in one file, a file cut short before `END:VCALENDAR`, a VTIMEZONE with
two TZID lines. So the file is read line by line here: each VEVENT and VTIMEZONE becomes its own text (to
be parsed on its own by `ics_feed`), other components are left out, unclosed ones are closed, and TZIDs that
no parser knows (Outlook's display names, `services.catalog.ics_zones`) are rewritten to IANA names or given
a fixed-offset VTIMEZONE. Nothing here raises for a malformed event: that is the event's own skip.
"""

import re
from dataclasses import dataclass, field

from services.catalog.ics_zones import (
    describe_offset,
    fixed_offset_vtimezone,
    iana_for_display_name,
    known_zone,
    offset_in_name,
)

KEPT = ('VEVENT', 'VTIMEZONE')
_TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.I)
_HEADER = ('X-WR-CALNAME', 'X-WR-TIMEZONE')


@dataclass
class FeedText:
    """The parts of a feed worth parsing, each a complete component text."""

    events: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)  # X-WR-CALNAME, X-WR-TIMEZONE of the first calendar
    calendars: int = 0
    truncated: bool = False  # the file ends inside a calendar: what follows may be missing
    notes: list[str] = field(default_factory=list)  # what was read differently from how it was written


def split_feed(raw: bytes) -> FeedText:
    """The events and zones of every VCALENDAR in the file; `calendars` is 0 when there is none."""
    feed = FeedText()
    stack: list[str] = []
    current: list[str] = []
    ignored: dict[str, int] = {}
    for line in _unfolded_lines(_decode(raw)):
        name, _, value = line.partition(':')
        upper = name.upper()
        if upper == 'BEGIN':
            kind = value.strip().upper()
            if kind == 'VCALENDAR':  # a new calendar; one left open before it ends here
                feed.truncated = feed.truncated or bool(stack)
                _flush(feed, stack, current)
                stack, current = [], []
                feed.calendars += 1
            elif len(stack) == 1 and kind not in KEPT:
                ignored[kind] = ignored.get(kind, 0) + 1
            stack.append(kind)
        elif upper == 'END':
            kind = value.strip().upper()
            if kind not in stack:
                continue  # a stray END: nothing to close
            while stack[-1] != kind:  # close what a broken feed left open inside
                inner = stack.pop()
                if len(stack) >= 2 and stack[1] in KEPT:
                    current.append(f'END:{inner}')
            inside_kept = len(stack) >= 2 and stack[1] in KEPT
            stack.pop()
            if inside_kept:
                current.append(line)
            if len(stack) == 1 and kind in KEPT:
                _keep(feed, kind, current)
                current = []
            continue
        elif len(stack) == 1 and upper.split(';')[0] in _HEADER and feed.calendars == 1:
            feed.header.setdefault(upper.split(';')[0], _unescape(value.strip()))
        if len(stack) >= 2 and stack[1] in KEPT:
            current.append(line)
    _flush(feed, stack, current)
    if stack:
        feed.truncated = True
        feed.notes.append('the file ends before END:VCALENDAR: what is there was read, nothing withdrawn')
    feed.notes += [f'{count} {kind} component(s) left out (not events)' for kind, count in sorted(ignored.items())]
    if feed.calendars > 1:
        feed.notes.append(f'{feed.calendars} calendars in one file: all read')
    _resolve_zone_names(feed)
    return feed


def _flush(feed: FeedText, stack: list[str], current: list[str]) -> None:
    """Keeps a component the file left open (cut short inside its last event), closed."""
    if len(stack) >= 2 and stack[1] in KEPT and current:
        _keep(feed, stack[1], current + [f'END:{kind}' for kind in reversed(stack[1:])])


def _keep(feed: FeedText, kind: str, lines: list[str]) -> None:
    if kind == 'VTIMEZONE':
        tzids = [i for i, line in enumerate(lines) if line.upper().startswith('TZID')]
        # A second TZID line makes icalendar raise AttributeError: the first one names the zone.
        lines = [line for i, line in enumerate(lines) if i not in tzids[1:]]
        feed.zones.append('\r\n'.join(lines))
    else:
        feed.events.append('\r\n'.join(lines))


def _resolve_zone_names(feed: FeedText) -> None:
    """Rewrites TZIDs that neither the feed nor icalendar defines: a display name's IANA zone, else a
    fixed offset read from the name. Names with neither stay (the event is then read in the feed's zone)."""
    defined = {_zone_tzid(zone) for zone in feed.zones}
    used = {_param_value(m.group(1)) for text in feed.events for m in _TZID_PARAM.finditer(text)}
    renames: dict[str, str] = {}
    for tzid in sorted(used - defined):
        if not tzid or known_zone(tzid):
            continue
        zone = iana_for_display_name(tzid)
        offset = offset_in_name(tzid)
        if zone:
            renames[tzid] = zone
            feed.notes.append(f'time zone {tzid!r} read as {zone}')
        elif offset is not None:
            feed.zones.append(fixed_offset_vtimezone(_safe_tzid(tzid), offset))
            renames[tzid] = _safe_tzid(tzid)
            feed.notes.append(f'time zone {tzid!r} read as a fixed {describe_offset(offset)} (no daylight saving)')
        else:
            feed.notes.append(f"time zone {tzid!r} is defined nowhere: its times read in the feed's zone")
    if renames:
        feed.events = [_rename_tzids(text, renames) for text in feed.events]


def _rename_tzids(text: str, renames: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        value = _param_value(match.group(1))
        return f';TZID={_quoted(renames[value])}' if value in renames else match.group(0)

    return _TZID_PARAM.sub(replace, text)


def _zone_tzid(zone: str) -> str:
    for line in zone.split('\r\n'):
        if line.upper().startswith('TZID'):
            return _unescape(line.partition(':')[2].strip())
    return ''


def _param_value(value: str) -> str:
    return value.strip().strip('"')


def _safe_tzid(tzid: str) -> str:
    return re.sub(r'[";:,]', ' ', tzid).strip() or 'Unnamed zone'


def _quoted(value: str) -> str:
    return f'"{value}"' if re.search(r'[;:,]', value) else value


def _unescape(value: str) -> str:
    return value.replace('\\,', ',').replace('\\;', ';').replace('\\n', ' ').replace('\\N', ' ').replace('\\\\', '\\')


def _decode(raw: bytes) -> str:
    raw = raw.removeprefix(b'\xef\xbb\xbf')
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError:
        return raw.decode('cp1252', errors='replace')


def _unfolded_lines(text: str) -> list[str]:
    text = re.sub(r'\r\n|\r|\n', '\n', text)
    text = re.sub(r'\n[ \t]', '', text)
    return [line for line in text.split('\n') if line.strip()]
