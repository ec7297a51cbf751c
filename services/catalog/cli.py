"""The catalog's command line (`python -m services.catalog`); nothing imports it.

python -m services.catalog import-ics FILE_OR_URL --city NAME [--timezone ZONE] [--category NAME]
python -m services.catalog refresh-demo
python -m services.catalog rebuild-search-index
"""

import argparse
import sys
from collections.abc import Sequence

from models.catalog import CATEGORIES, rebuild_search_index
from models.db import get_engine, session_scope
from models.schema import create_db_and_tables
from services import clock
from services.catalog.demo import refresh_demo_catalog
from services.catalog.ics import import_ics
from services.catalog.ics_feed import IcsImportError


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; bad input ends with one readable line on stderr, never a traceback."""
    args = _parser().parse_args(argv)
    try:
        create_db_and_tables()
        if args.command == 'rebuild-search-index':
            rebuilt = rebuild_search_index(get_engine())
            print(
                'Search index rebuilt' if rebuilt else 'Nothing to rebuild: this database keeps its text index itself'
            )
            return 0
        if args.command == 'refresh-demo':
            with session_scope() as session:
                print(refresh_demo_catalog(session=session, now=clock.now()))
            return 0
        try:
            with session_scope() as session:
                report = import_ics(
                    session=session,
                    source=args.source,
                    city_name=args.city,
                    timezone=args.timezone,
                    currency=args.currency,
                    default_category=args.category,
                    horizon_days=args.days,
                    now=clock.now(),
                )
        except IcsImportError as error:
            print(f'import-ics: {error}', file=sys.stderr)
            return 2
        print(report)
        return 0
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='python -m services.catalog', description='Manage the events catalog.')
    commands = parser.add_subparsers(dest='command', required=True)
    ics = commands.add_parser('import-ics', help='import an iCalendar file or http(s) URL into a city')
    ics.add_argument('source', metavar='FILE_OR_URL')
    ics.add_argument('--city', required=True, help='city to import into (created only with --timezone)')
    ics.add_argument('--timezone', help='IANA zone for a new city, e.g. Europe/Berlin')
    ics.add_argument('--currency', default='EUR', help='currency of a new city (default EUR)')
    ics.add_argument(
        '--category', default='music', choices=CATEGORIES, help='category when the feed names none we know'
    )
    ics.add_argument('--days', type=int, default=60, help='expand recurring events this many days ahead')
    commands.add_parser('refresh-demo', help='create or refresh the demo catalog (Berlin)')
    commands.add_parser('rebuild-search-index', help='re-read the SQLite text index from the events (after VACUUM)')
    return parser
