#!/usr/bin/env bash
# Serve the demo: the background-task worker (imports) and the web server, stopped together.
set -euo pipefail
cd "$(dirname "$0")/.."
export HAVENBEELD_ENV="${HAVENBEELD_ENV:-demo}"
export HAVENBEELD_EMAIL_BACKEND="${HAVENBEELD_EMAIL_BACKEND:-file}"
.venv/bin/havenbeeld db_worker --no-reload --no-startup-delay &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
.venv/bin/havenbeeld runserver "${HAVENBEELD_ADDRESS:-127.0.0.1:8000}"
