#!/usr/bin/env bash
# Runs the whole suite on SQLite and, where PostgreSQL answers, on PostgreSQL too.
# Extra arguments go to pytest (e.g. `scripts/test.sh -k sign_in`).
set -euo pipefail
cd "$(dirname "$0")/.."
export HAVENBEELD_ENV=test
PY=.venv/bin/python
PG_URL="${HAVENBEELD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/havenbeeld}"

echo "== ruff"
.venv/bin/ruff check .
echo "== migrations are committed"
DATABASE_URL="sqlite:///:memory:" .venv/bin/havenbeeld makemigrations --check --dry-run >/dev/null \
  || { echo "Model changes without a migration: run 'havenbeeld makemigrations'"; exit 1; }

echo "== tests on SQLite"
DATABASE_URL="sqlite:///$(pwd)/var/test.sqlite3" $PY -m pytest "$@"

if $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL does not answer ({exc.__class__.__name__}); skipping the PostgreSQL run.")
    sys.exit(1)
PYEOF
then
  echo "== tests on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" $PY -m pytest "$@"
fi
