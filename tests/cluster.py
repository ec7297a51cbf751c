"""Two app processes on one Postgres and one Redis behind Debian's nginx, all on loopback ports; or web
instances (`ROLE=web`) behind nginx with worker instances (`python -m services.worker`) beside them.

nginx runs deploy/nginx-cluster.conf (the file docs/DEPLOY.md tells you to deploy) with this test's
ports put in, under a main config of its own in a temp folder: never the system service. Missing nginx,
Postgres or Redis FAILS the test with what to do (`make services`), it is never skipped.
"""

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.databases import REDIS_URL
from tests.server import AppServer, free_port, wait_healthy, worker

ROOT = Path(__file__).resolve().parent.parent
NGINX_SITE = ROOT / 'deploy' / 'nginx-cluster.conf'
NGINX = shutil.which('nginx') or '/usr/sbin/nginx'
MAIN_CONFIG = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""


def require_services() -> None:
    problems = []
    if not Path(NGINX).exists():
        problems.append(f'nginx not found ({NGINX})')
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as error:  # unreachable, refused, wrong URL: all mean "no Redis"
        problems.append(f'Redis not reachable at {REDIS_URL} ({error})')
    if problems:
        pytest.fail(
            '; '.join(problems) + '. Run `make services` (Debian packages postgresql, redis-server, nginx).',
            pytrace=False,
        )


class Cluster:
    def __init__(
        self, tmp: Path, database_url: str, *, instances: int = 2, workers: int = 0, **settings: str | int | float
    ) -> None:
        require_services()
        self.tmp = tmp
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        shared = {
            'database_url': database_url,
            'redis_url': REDIS_URL,
            'nicegui_redis_key_prefix': f'tb-test-{uuid.uuid4().hex[:8]}:',  # this test's keys only
            'storage_secret': 'cluster-secret',  # the same on every instance, or sessions do not carry over
            'planner': 'offline',
            **settings,
        }
        # With workers, the instances behind nginx only serve (ROLE=web) and the workers plan.
        roles = {'role': 'web'} if workers else {}
        self.instances = [AppServer(tmp / f'instance-{n}', **shared, **roles) for n in range(1, instances + 1)]
        self._shared = shared
        self.workers = [worker(tmp / f'worker-{n}', **shared) for n in range(1, workers + 1)]
        self.nginx: subprocess.Popen | None = None

    def start(self) -> 'Cluster':
        for instance in [*self.instances, *self.workers]:
            instance.start()
        lines = NGINX_SITE.read_text().splitlines(keepends=True)
        # The file's upstream lists two servers: one line per instance here, in the place of those two.
        upstream = [line for line in lines if line.strip().startswith('server 127.0.0.1:808')]
        ours = [upstream[0].replace('127.0.0.1:8081', f'127.0.0.1:{i.port}') for i in self.instances]
        kept: list[str] = []
        for line in lines:
            if line == upstream[0]:
                kept.extend(ours)
            elif line not in upstream:
                kept.append(line)
        site = ''.join(kept)
        site = site.replace('listen 80;', f'listen 127.0.0.1:{self.port};')
        (self.tmp / 'site.conf').write_text(site)
        (self.tmp / 'nginx.conf').write_text(MAIN_CONFIG.format(tmp=self.tmp))
        log = (self.tmp / 'nginx.out').open('wb')
        self.nginx = subprocess.Popen(
            [NGINX, '-c', str(self.tmp / 'nginx.conf'), '-p', str(self.tmp)], stdout=log, stderr=subprocess.STDOUT
        )
        if wait_healthy(self.url, 10):
            return self
        raise TimeoutError(f'nginx did not start: {(self.tmp / "error.log").read_text()[-2000:]}')

    def instance_at(self, upstream: str) -> AppServer:
        """The instance nginx named in X-Upstream (e.g. '127.0.0.1:40123')."""
        port = int(upstream.split(',')[-1].strip().rsplit(':', 1)[1])
        return next(i for i in self.instances if i.port == port)

    def other(self, instance: AppServer) -> AppServer:
        return next(i for i in self.instances if i is not instance)

    def add_worker(self) -> AppServer:
        started = worker(self.tmp / f'worker-{len(self.workers) + 1}', **self._shared).start()
        self.workers.append(started)
        return started

    def log_text(self) -> str:
        return '\n'.join(instance.log_text() for instance in [*self.instances, *self.workers])

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(10)
        for instance in [*self.instances, *self.workers]:
            instance.stop()
