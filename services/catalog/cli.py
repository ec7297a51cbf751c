"""The catalog's command line (`python -m services.catalog`); nothing imports it.

python -m services.catalog import-ics FILE_OR_URL --city NAME [--timezone ZONE] [--category NAME] [--days N]
python -m services.catalog import-jsonld FILE_OR_URL --city NAME [--timezone ZONE] [--category NAME]
python -m services.catalog import-ticketmaster --city NAME [--timezone ZONE] [--days N]
python -m services.catalog sources [--run]
python -m services.catalog check-feeds DIR
python -m services.catalog refresh-demo
python -m services.catalog rebuild-search-index

Bad input ends with one line on stderr and exit code 2; an import is one transaction, so a fatal error
leaves the catalog as it was.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from models.catalog import CATEGORIES, rebuild_search_index
from models.db import get_engine, session_scope
from models.schema import create_db_and_tables
from services import clock
from services.catalog import check_feeds, sources
from services.catalog.demo import refresh_demo_catalog
from services.catalog.ics import import_ics
from services.catalog.importing import ImportFailure
from services.catalog.jsonld import import_jsonld
from services.catalog.ticketmaster import import_ticketmaster


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage too: one line is the house rule
        print(f'{self.prog}: {message}', file=sys.stderr)
        raise SystemExit(2)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; bad input ends with one readable line on stderr, never a traceback."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == 'check-feeds':  # scratch databases of its own: the app's is not touched
            return _check_feeds(Path(args.folder))
        create_db_and_tables()
        return _run(args)
    except ImportFailure as error:
        print(f'{args.command}: {error}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    if args.command == 'rebuild-search-index':
        rebuilt = rebuild_search_index(get_engine())
        print('Search index rebuilt' if rebuilt else 'Nothing to rebuild: this database keeps its text index itself')
        return 0
    if args.command == 'sources':
        if args.run:
            for run in sources.run_due_sources(now=clock.now()):
                print(sources.describe(run))
        with session_scope() as session:
            last = sources.last_runs(session=session)
            names = [s.name for s in sources.load_sources()] or sorted(last)
            for name in names:
                print(sources.describe(last[name]) if name in last else f'{name}: never run')
        return 0
    with session_scope() as session:
        report = _import(args, session)
    print(report)
    return 0


def _check_feeds(folder: Path) -> int:
    if not folder.is_dir():
        raise ImportFailure(f'no such folder: {folder}')
    results = check_feeds.check_folder(folder)
    print(check_feeds.table(results))
    return 1 if any(r.crashed for r in results) else 0


def _import(args: argparse.Namespace, session: Session) -> object:
    if args.command == 'refresh-demo':  # the demo city has no --city: it is always Berlin
        return refresh_demo_catalog(session=session, now=clock.now())
    common = {
        'session': session, 'city_name': args.city, 'timezone': args.timezone, 'now': clock.now(), 'fill': args.fill,
    }  # fmt: skip
    if args.command == 'import-ics':
        return import_ics(
            source=args.source, currency=args.currency, default_category=args.category, horizon_days=args.days, **common
        )
    if args.command == 'import-jsonld':
        return import_jsonld(source=args.source, currency=args.currency, default_category=args.category, **common)
    return import_ticketmaster(currency=args.currency, days=args.days, **common)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog='python -m services.catalog', description='Manage the events catalog.')
    commands = parser.add_subparsers(dest='command', required=True, parser_class=_Parser)
    ics = commands.add_parser('import-ics', help='import an iCalendar file or http(s) URL into a city')
    jsonld = commands.add_parser('import-jsonld', help='import schema.org events from an HTML page (file or URL)')
    tm = commands.add_parser('import-ticketmaster', help="import a city's coming events from Ticketmaster")
    for command in (ics, jsonld):
        command.add_argument('source', metavar='FILE_OR_URL')
        command.add_argument(
            '--category', default='music', choices=CATEGORIES, help='category when the source names none we know'
        )
    for command in (ics, jsonld, tm):
        command.add_argument('--city', required=True, help='city to import into (created only with --timezone)')
        command.add_argument('--timezone', help='IANA zone for a new city, e.g. Europe/Berlin')
        command.add_argument('--currency', default='EUR', help='currency of a new city (default EUR)')
        command.add_argument(
            '--fill', action='store_true', help="let this source fill empty fields of another source's same event"
        )
    ics.add_argument('--days', type=int, default=60, help='expand recurring events this many days ahead')
    tm.add_argument('--days', type=int, default=30, help='import events this many days ahead (default 30)')
    runs = commands.add_parser('sources', help='list the last run of each source in SOURCES_FILE')
    runs.add_argument('--run', action='store_true', help='first import the sources that are due')
    check = commands.add_parser(
        'check-feeds', help='import every feed file of a folder into scratch databases and tabulate how it went'
    )
    check.add_argument('folder', metavar='DIR')
    commands.add_parser('refresh-demo', help='create or refresh the demo catalog (Berlin)')
    commands.add_parser('rebuild-search-index', help='re-read the SQLite text index from the events (after VACUUM)')
    return parser
