"""deploy/prometheus/rules.yml is valid and its unit tests pass (`promtool`, Debian's `prometheus` package).

Fails, never skips, without promtool: untested alerts are found out when they should have paged.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

RULES_DIR = Path(__file__).resolve().parent.parent.parent / 'deploy' / 'prometheus'


def promtool(*args: str) -> str:
    path = shutil.which('promtool')
    if path is None:
        pytest.fail("promtool not found: run `make promtool` (installs Debian's prometheus package)")
    done = subprocess.run([path, *args], cwd=RULES_DIR, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f'promtool {" ".join(args)} failed:\n{done.stdout}\n{done.stderr}'
    return done.stdout


def test_rules_are_valid() -> None:
    assert 'SUCCESS' in promtool('check', 'rules', 'rules.yml')


def test_every_alert_fires_and_stays_quiet_in_its_unit_tests() -> None:
    assert 'SUCCESS' in promtool('test', 'rules', 'rules_test.yml')
