#!/usr/bin/env bash
# Consistent online backup of the SQLite database (safe while the app writes: uses SQLite's backup API).
# Usage: deploy/backup.sh [DB_FILE] [BACKUP_DIR]; run daily from cron or a systemd timer.
set -euo pipefail
db=${1:-/opt/trip-bundles/data/trip_bundles.db}
dir=${2:-/var/backups/trip-bundles}
mkdir -p "$dir"
target="$dir/trip_bundles-$(date -u +%Y%m%dT%H%M%SZ).db"
python3 - "$db" "$target" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
print(f'backed up {sys.argv[1]} -> {sys.argv[2]}')
PY
# Keep two weeks of daily copies.
find "$dir" -name 'trip_bundles-*.db' -mtime +14 -delete
