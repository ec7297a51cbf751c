"""Worker processes: they claim and plan generations and run the scheduled imports, off the web process.

`process` is one worker's life (its own event loop, database engine and runner), `pool` the supervisor
the web process uses for `ROLE=all`, `health` a worker's /healthz and /metrics, `imports` the budgeted
child processes of the source imports. Run a worker alone with `python -m services.worker` (ROLE=worker).
"""
