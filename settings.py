"""The one settings object of the app, read from the environment and `.env` (docs/ARCHITECTURE.md, settings).

Bad values stop any entry point (the server, the catalog CLI) with one line naming the setting,
instead of a stack trace.
"""

import ipaddress
import os
import secrets
import sys
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file='.env', env_file_encoding='utf-8', extra='ignore')

    host: str = '127.0.0.1'
    port: int = Field(default=8080, ge=1, le=65535)
    data_dir: Path = Path('data')
    database_url: str = ''  # empty: sqlite:///<DATA_DIR>/trip_bundles.db
    # Browser storage ("My plans", the resume banner) in Redis instead of files under DATA_DIR, so every
    # instance behind a proxy sees it (app.py hands it to NiceGUI as NICEGUI_REDIS_URL). Empty: files.
    redis_url: str = ''

    planner: Literal['auto', 'openai', 'offline'] = 'auto'
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = 'gpt-5.1'
    openai_reasoning_effort: Literal['none', 'minimal', 'low', 'medium', 'high'] = 'medium'
    # Other Responses-compatible servers (vLLM, Ollama...) may not support encrypted reasoning items.
    openai_encrypted_reasoning: bool = True
    openai_timeout_s: float = Field(default=120, gt=0)
    openai_max_retries: int = Field(default=2, ge=0, le=10)
    openai_max_turns: int = Field(default=12, ge=2, le=50)

    storage_secret: SecretStr | None = None
    poll_interval_s: float = Field(default=2, gt=0, le=60)
    generation_timeout_s: float = Field(default=600, gt=0)
    max_concurrent_generations: int = Field(default=8, ge=1, le=1000)
    generation_ttl_hours: float = Field(default=24, gt=0)
    rate_limit_per_hour: int = Field(default=30, ge=0)

    # Durability knobs: how long a claim lives without renewal, how often crashed work is looked for,
    # and how many times one generation may be started before it is failed for good.
    lease_seconds: float = Field(default=30, ge=1)
    recovery_interval_s: float = Field(default=15, ge=1)
    max_attempts: int = Field(default=3, ge=1, le=20)
    # Slows each offline planning step; lets demos show the loading page and tests kill a server mid-run.
    offline_step_delay_s: float = Field(default=0, ge=0, le=60)
    demo_catalog: bool = True
    # Real events (services.catalog): the Discovery API key and server, and the file listing the sources
    # the scheduler refreshes (none: no scheduled imports).
    ticketmaster_api_key: SecretStr | None = None
    ticketmaster_base_url: str = 'https://app.ticketmaster.com'
    sources_file: Path | None = None
    # Limits of one import (services.catalog): occurrences of one recurring series, events of one import, and
    # seconds spent expanding a feed; what is cut is reported as capped. Imports refuse loopback, private and
    # link-local addresses (also after redirects) unless IMPORT_ALLOW_PRIVATE is set.
    import_max_occurrences: int = Field(default=500, ge=1, le=100_000)
    import_max_events: int = Field(default=20_000, ge=1, le=1_000_000)
    import_time_budget_s: float = Field(default=60, gt=0, le=3600)
    import_allow_private: bool = False
    # Bundle maps: any {z}/{x}/{y} tile URL template (a self-hosted or commercial server for real traffic:
    # OpenStreetMap's own tiles are for light use only) and the credit its licence asks for; 'off' hides maps.
    map_tiles_url: str = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
    map_tiles_attribution: str = (
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    )

    # --- Hardening (docs/SECURITY.md) ---
    # Reverse proxies whose X-Forwarded-For (the client's address, for the rate limit) and X-Forwarded-Proto
    # (https: cookies marked Secure) are believed: comma-separated addresses or networks. Empty: none, the
    # peer's own address is the client's (uvicorn would otherwise believe 127.0.0.1).
    trusted_proxies: str = ''

    @field_validator('trusted_proxies')
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(',') if entry.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f'{entry!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)') from None
        return ','.join(entries)

    # --- Where planning runs (docs/ARCHITECTURE.md, roles) ---
    # `web` serves pages and the API and never plans; `worker` (`python -m services.worker`) claims and plans
    # generations and runs the scheduled imports, serving only /healthz and /metrics on HOST:PORT; `all`
    # serves and supervises PLANNER_PROCESSES worker child processes (0: plans in this process's threads).
    role: Literal['web', 'worker', 'all'] = 'all'
    planner_processes: int = Field(default_factory=lambda: usable_cores(), ge=0, le=64)
    # Worker processes lower their CPU priority by this much, so a web process on the same machine is served
    # first when the CPU is short (0: the same priority as everything else).
    planner_niceness: int = Field(default=10, ge=0, le=19)
    # How often an idle worker looks for new generations: the wait between a POST and its planning start.
    worker_poll_interval_s: float = Field(default=0.3, gt=0, le=10)
    # A scheduled import runs in a child process of a worker, stopped past this time or memory.
    import_timeout_s: float = Field(default=900, gt=0)
    import_memory_mb: int = Field(default=2048, ge=64)
    # --- end of where planning runs ---

    @field_validator('map_tiles_url')
    @classmethod
    def _tile_template(cls, url: str) -> str:
        if url.strip().lower() in ('', 'off'):
            return 'off'
        if not url.startswith(('http://', 'https://')) or not all(p in url for p in ('{z}', '{x}', '{y}')):
            raise ValueError("must be 'off' or an http(s) URL template with {z}, {x} and {y}")
        return url

    @model_validator(mode='after')
    def _complete(self) -> 'Settings':
        if not self.database_url:
            self.database_url = f'sqlite:///{self.data_dir}/trip_bundles.db'
        if self.planner == 'openai' and not self.openai_api_key:
            raise ValueError('OPENAI_API_KEY is required when PLANNER=openai (any value for a server that needs none)')
        return self

    def maps_enabled(self) -> bool:
        return self.map_tiles_url != 'off'

    def resolved_planner(self) -> Literal['openai', 'offline']:
        if self.planner == 'auto':
            return 'openai' if self.openai_api_key else 'offline'
        return self.planner

    def storage_secret_value(self) -> str:
        """The given secret, or one generated on first start and kept under `data_dir`."""
        if self.storage_secret:
            return self.storage_secret.get_secret_value()
        path = self.data_dir / 'storage_secret'
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def describe_error(error: ValidationError) -> str:
    first = error.errors()[0]
    if not first['loc']:  # a rule across settings names its settings itself
        return f'Invalid settings: {first["msg"].removeprefix("Value error, ")}'
    return f'Invalid setting {str(first["loc"][0]).upper()}: {first["msg"]} (got {first.get("input")!r})'


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        print(describe_error(error), file=sys.stderr)
        raise SystemExit(2) from None


settings = load_settings()
