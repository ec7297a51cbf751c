"""Bad settings stop the start with one clear line naming the setting; the storage secret is kept."""

import os
import subprocess
import sys

import pytest

from settings import Settings, settings
from tests.server import ROOT


@pytest.mark.parametrize(
    ('name', 'value'),
    [
        ('PORT', 'eighty'),
        ('PORT', '70000'),
        ('PLANNER', 'magic'),
        ('MAX_CONCURRENT_GENERATIONS', '0'),
        ('POLL_INTERVAL_S', '-1'),
        ('RATE_LIMIT_PER_HOUR', 'lots'),
        ('MAP_TILES_URL', 'tiles.example.org/{z}/{x}/{y}.png'),
        ('MAP_TILES_URL', 'https://tiles.example.org/map.png'),
        ('TRUSTED_PROXIES', 'proxy.example.org'),
        ('TRUSTED_PROXIES', '127.0.0.1, *'),
        ('ROLE', 'planner'),
        ('PLANNER_PROCESSES', '-1'),
        ('WORKER_POLL_INTERVAL_S', '0'),
        ('IMPORT_MEMORY_MB', '10'),
    ],
)
def test_a_bad_setting_stops_the_app_with_one_line(name: str, value: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST_')} | {name: value}
    result = subprocess.run([sys.executable, 'app.py'], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f'Invalid setting {name}:')


def test_openai_planner_without_a_key_stops_the_app() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST_', 'OPENAI_'))} | {'PLANNER': 'openai'}
    result = subprocess.run([sys.executable, 'app.py'], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        'Invalid settings: OPENAI_API_KEY is required when PLANNER=openai (any value for a server that needs none)'
    )


def test_the_database_lives_in_the_data_dir_unless_named(tmp_path) -> None:
    assert Settings(data_dir=tmp_path).database_url == f'sqlite:///{tmp_path}/trip_bundles.db'
    assert Settings(data_dir=tmp_path, database_url='sqlite:///x.db').database_url == 'sqlite:///x.db'


def test_storage_secret_is_generated_once_and_kept() -> None:
    first = settings.storage_secret_value()
    assert len(first) >= 32
    assert settings.storage_secret_value() == first
    assert (settings.data_dir / 'storage_secret').read_text().strip() == first


def test_auto_planner_uses_openai_only_with_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, 'planner', 'auto')
    assert settings.resolved_planner() == 'offline'
    monkeypatch.setattr(settings, 'openai_api_key', 'sk-test')
    assert settings.resolved_planner() == 'openai'


def test_maps_are_on_by_default_and_off_means_off(tmp_path) -> None:
    assert Settings(data_dir=tmp_path).map_tiles_url == 'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
    assert Settings(data_dir=tmp_path).maps_enabled()
    for off in ('off', 'OFF', ''):
        assert not Settings(data_dir=tmp_path, map_tiles_url=off).maps_enabled()


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert Settings(trusted_proxies=' 127.0.0.1, 10.0.0.0/8 ,::1').trusted_proxies == '127.0.0.1,10.0.0.0/8,::1'
    assert Settings().trusted_proxies == ''  # none by default: no forwarded header is believed
