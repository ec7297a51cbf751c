"""Starts the real app (`python app.py`, or a worker: `python -m services.worker`) as a subprocess on a free
port, for process-level tests. Both answer /healthz on PORT."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests import clocks

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, timeout: float, stopped: Callable[[], bool] = lambda: False) -> bool:
    """True once `url`/healthz answers 200; False after `timeout` seconds or as soon as `stopped()`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stopped():
        try:
            if httpx.get(f'{url}/healthz', timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


class AppServer:
    def __init__(
        self, data_dir: Path, *, command: tuple[str, ...] = ('app.py',), **settings: str | int | float
    ) -> None:
        self.command = command
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST_', 'OPENAI_'))}
        defaults = {'DATABASE_URL': f'sqlite:///{data_dir}/trip_bundles.db', 'RATE_LIMIT_PER_HOUR': '0'}
        self.env.update(defaults, PORT=str(self.port), DATA_DIR=str(data_dir), **clocks.server_env())
        self.env.update({k.upper(): str(v) for k, v in settings.items()})
        self.process: subprocess.Popen | None = None
        self.logs: list[Path] = []

    def start(self, timeout: float = 30) -> 'AppServer':
        log = self.data_dir / f'server-{len(self.logs)}.log'
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.logs.append(log)
        with log.open('wb') as out:  # the child keeps its own handle
            self.process = subprocess.Popen(
                [sys.executable, *self.command], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        if wait_healthy(self.url, timeout, stopped=lambda: self.process.poll() is not None):
            return self
        if self.process.poll() is not None:
            raise RuntimeError(f'server exited: {log.read_text()[-2000:]}')
        raise TimeoutError(f'server did not start: {log.read_text()[-2000:]}')

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, leases stay held until they expire."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log_text(self) -> str:
        return '\n'.join(path.read_text(errors='replace') for path in self.logs)


def worker(data_dir: Path, **settings: str | int | float) -> AppServer:
    """A `ROLE=worker` instance: plans what web instances on the same database write."""
    return AppServer(data_dir, command=('-m', 'services.worker'), role='worker', **settings)


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (its planner processes and multiprocessing's resource tracker)."""
    found = []
    for task in Path(f'/proc/{pid}/task').iterdir():
        found += [int(child) for child in (task / 'children').read_text().split()]
    return found
