"""`python -m services.catalog check-feeds DIR` over the fixture feeds: the corpus figures docs/SOURCES.md quotes."""

from pathlib import Path

from services.catalog import check_feeds, cli
from tests.feeds import FEEDS


def test_the_fixture_corpus_imports_without_a_crash_a_refusal_or_a_lost_position(capsys) -> None:
    assert cli.main(['check-feeds', str(FEEDS)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ['file', 'kind', 'clock', '(UTC)']
    files = sorted(p.name for p in FEEDS.iterdir() if p.suffix in ('.ics', '.html', '.json'))
    assert [line.split()[0] for line in lines[2 : 2 + len(files)]] == files
    summary = next(line for line in lines if line.startswith(f'{len(files)} files: '))
    assert ' 0 refused, 0 crashed, 0 of ' in summary and summary.endswith('positions lost')
    assert int(summary.split(' 0 of ')[1].split()[0]) > 20  # positions were there to lose
    for line in (line for line in lines if ': skipped ' in line):
        reason = line.split(': skipped ', 1)[1]
        assert ': ' in reason and reason.split(': ', 1)[1].strip(), line  # every skip names its reason
    # Each file ran at the day before its first event: the Outlook file's events are from October 2020.
    assert next(line for line in lines if line.startswith('outlook-display-zone.ics')).split()[2] == '2020-10-27'


def test_a_refusal_and_a_crash_are_told_apart(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / 'notes.ics').write_text('just some notes\n')
    (tmp_path / 'feed.ics').write_bytes((FEEDS / 'no-end.ics').read_bytes())

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError('a bug in an importer')

    results = check_feeds.check_folder(tmp_path)
    assert [(r.name, r.refused[:26], r.crashed) for r in results] == [
        ('feed.ics', '', ''),
        ('notes.ics', 'not a valid iCalendar file', ''),
    ]
    monkeypatch.setattr(check_feeds, 'import_ics', broken)  # stands for a bug: the tool must name it, not die
    assert cli.main(['check-feeds', str(tmp_path)]) == 1
    assert 'feed.ics: CRASHED: RuntimeError: a bug in an importer' in capsys.readouterr().out
