"""Time zone names as calendar programs write them, turned into IANA zones.

icalendar knows IANA names and Windows ids ("AUS Eastern Standard Time", its WINDOWS_TO_OLSON table).
Outlook also writes its display names ("(GMT+10:00) Canberra, Melbourne, Sydney", "(UTC-05:00) Eastern Time
(US & Canada)") and "Customized Time Zone", often without a VTIMEZONE to define them. Those are read here:
a display name by the cities it lists (below), else by the UTC offset it states (a fixed offset, no daylight
saving: the import report says so), else not at all (the caller then uses X-WR-TIMEZONE or the city's zone
and says so).
"""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

# The cities of Windows display names (what follows "(UTC+hh:mm) "), lower case; the first that the name
# contains wins, so longer, more specific entries come first.
DISPLAY_NAMES: tuple[tuple[str, str], ...] = (
    ('canberra, melbourne, sydney', 'Australia/Sydney'),
    ('brisbane', 'Australia/Brisbane'),
    ('adelaide', 'Australia/Adelaide'),
    ('darwin', 'Australia/Darwin'),
    ('hobart', 'Australia/Hobart'),
    ('perth', 'Australia/Perth'),
    ('auckland, wellington', 'Pacific/Auckland'),
    ('eastern time (us & canada)', 'America/New_York'),
    ('central time (us & canada)', 'America/Chicago'),
    ('mountain time (us & canada)', 'America/Denver'),
    ('pacific time (us & canada)', 'America/Los_Angeles'),
    ('arizona', 'America/Phoenix'),
    ('alaska', 'America/Anchorage'),
    ('hawaii', 'Pacific/Honolulu'),
    ('atlantic time (canada)', 'America/Halifax'),
    ('newfoundland', 'America/St_Johns'),
    ('saskatchewan', 'America/Regina'),
    ('guadalajara, mexico city, monterrey', 'America/Mexico_City'),
    ('bogota, lima, quito', 'America/Bogota'),
    ('brasilia', 'America/Sao_Paulo'),
    ('buenos aires', 'America/Argentina/Buenos_Aires'),
    ('santiago', 'America/Santiago'),
    ('dublin, edinburgh, lisbon, london', 'Europe/London'),
    ('monrovia, reykjavik', 'Atlantic/Reykjavik'),
    ('casablanca', 'Africa/Casablanca'),
    ('amsterdam, berlin, bern, rome, stockholm, vienna', 'Europe/Berlin'),
    ('belgrade, bratislava, budapest, ljubljana, prague', 'Europe/Budapest'),
    ('brussels, copenhagen, madrid, paris', 'Europe/Paris'),
    ('sarajevo, skopje, warsaw, zagreb', 'Europe/Warsaw'),
    ('west central africa', 'Africa/Lagos'),
    ('athens, bucharest', 'Europe/Bucharest'),
    ('helsinki, kyiv', 'Europe/Helsinki'),
    ('helsinki, kiev', 'Europe/Helsinki'),
    ('jerusalem', 'Asia/Jerusalem'),
    ('cairo', 'Africa/Cairo'),
    ('harare, pretoria', 'Africa/Johannesburg'),
    ('istanbul', 'Europe/Istanbul'),
    ('moscow, st. petersburg', 'Europe/Moscow'),
    ('nairobi', 'Africa/Nairobi'),
    ('tehran', 'Asia/Tehran'),
    ('abu dhabi, muscat', 'Asia/Dubai'),
    ('kabul', 'Asia/Kabul'),
    ('islamabad, karachi', 'Asia/Karachi'),
    ('chennai, kolkata, mumbai, new delhi', 'Asia/Kolkata'),
    ('kathmandu', 'Asia/Kathmandu'),
    ('bangkok, hanoi, jakarta', 'Asia/Bangkok'),
    ('beijing, chongqing, hong kong, urumqi', 'Asia/Shanghai'),
    ('kuala lumpur, singapore', 'Asia/Singapore'),
    ('taipei', 'Asia/Taipei'),
    ('osaka, sapporo, tokyo', 'Asia/Tokyo'),
    ('seoul', 'Asia/Seoul'),
    ('coordinated universal time', 'UTC'),
    ('universal coordinated time', 'UTC'),
)
_OFFSET = re.compile(r'\((?:GMT|UTC)\s*(?:([+-])(\d{1,2}):?(\d{2}))?\)', re.I)


def known_zone(name: str) -> bool:
    """Whether icalendar resolves this TZID by itself (an IANA name or a Windows id)."""
    cleaned = name.strip().strip('/')
    if cleaned in WINDOWS_TO_OLSON:
        return True
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def iana_for_display_name(name: str) -> str | None:
    """The IANA zone of an Outlook display name, by the cities it lists."""
    lowered = ' '.join(name.lower().split())
    return next((zone for cities, zone in DISPLAY_NAMES if cities in lowered), None)


def offset_in_name(name: str) -> timedelta | None:
    """'(GMT+10:00) ...' -> 10 h; '(UTC) ...' -> 0; None when the name states no offset."""
    match = _OFFSET.search(name)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    if sign is None:
        return timedelta(0)
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    return -offset if sign == '-' else offset


def fixed_offset_vtimezone(tzid: str, offset: timedelta) -> str:
    """A VTIMEZONE text defining `tzid` as a fixed UTC offset (no daylight saving)."""
    total = int(offset.total_seconds()) // 60
    text = f'{"-" if total < 0 else "+"}{abs(total) // 60:02d}{abs(total) % 60:02d}'
    return '\r\n'.join(
        [
            'BEGIN:VTIMEZONE',
            f'TZID:{tzid}',
            'BEGIN:STANDARD',
            'DTSTART:19700101T000000',
            f'TZOFFSETFROM:{text}',
            f'TZOFFSETTO:{text}',
            'END:STANDARD',
            'END:VTIMEZONE',
        ]
    )


def describe_offset(offset: timedelta) -> str:
    total = int(offset.total_seconds()) // 60
    return f'UTC{"-" if total < 0 else "+"}{abs(total) // 60:02d}:{abs(total) % 60:02d}'
