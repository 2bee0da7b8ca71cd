#!/bin/sh
# The load run of issue 12 (`make load`): gunicorn with the production settings of
# docs/operations.md (4 workers, a real secret key, CSRF on, rate limits in Redis when one
# answers on 127.0.0.1:6379), a file SQLite database in WAL mode (DB=pg: PostgreSQL on
# 127.0.0.1, a database of its own), wrk from Debian on loopback, logged-in sessions, and a
# minimal Flask "hello" served by the same gunicorn settings in the same run.
#
#   bench/load/run.sh            # DURATION=20s CONNECTIONS="16 50" DB=sqlite|pg
#                                # MODES="hello sheet results save" (a subset to look at one)
#
# Prints one JSON line per (page, connections) and then the Markdown table for
# bench/RESULTS.md (bench/load/report.py). Runs separately from the test suite.
set -eu
cd "$(dirname "$0")/../.."
BIN=.venv/bin
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16 50}
DB=${DB:-sqlite}
MODES=${MODES:-hello sheet results save}
WORKERS=${WORKERS:-4}
APP_PORT=${APP_PORT:-8765}
HELLO_PORT=${HELLO_PORT:-8766}
WORK=$(mktemp -d /tmp/selector-load-XXXXXX)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk (or make load)"; exit 2; }

export SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export SELECTOR_REPORT_CACHE_DIR="$WORK/reports" SELECTOR_QUEUE_URL="sqlite:///$WORK/queue.db"
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  export SELECTOR_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379
fi
if [ "$DB" = pg ]; then
  NAME="selector_load_$$"
  createdb -h 127.0.0.1 -U postgres "$NAME"
  export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$NAME"
else
  export DATABASE_URL="sqlite:///$WORK/selector.db"
fi

PIDS=""
cleanup() {
  for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$DB" = pg ]; then dropdb -h 127.0.0.1 -U postgres --if-exists "$NAME" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

$BIN/python bench/load/setup_db.py "$WORK/facts.json"

$BIN/gunicorn --workers "$WORKERS" --bind "127.0.0.1:$APP_PORT" --log-level warning \
  'selector:create_app()' &
PIDS="$PIDS $!"
$BIN/gunicorn --workers "$WORKERS" --bind "127.0.0.1:$HELLO_PORT" --log-level warning \
  --chdir bench/load 'hello:app' &
PIDS="$PIDS $!"
for port in "$APP_PORT" "$HELLO_PORT"; do
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/" && break || sleep 0.2
  done
done

$BIN/python bench/load/sessions.py "$WORK/facts.json" "http://127.0.0.1:$APP_PORT" \
  "$WORK/sessions.lua"
export SESSIONS="$WORK/sessions.lua"

: > "$WORK/runs.jsonl"
# Warm every worker up first (imports, compiled templates, the demo tender's result); not
# the saves, whose sheets' versions the measured run starts from.
for mode in hello sheet results; do
  url="http://127.0.0.1:$APP_PORT"
  [ "$mode" = hello ] && url="http://127.0.0.1:$HELLO_PORT"
  wrk -t 8 -c 8 -d "${WARMUP:-5s}" -s bench/load/load.lua "$url" -- "$mode" >/dev/null
done
for c in $CONNECTIONS; do
  for mode in $MODES; do
    url="http://127.0.0.1:$APP_PORT"
    [ "$mode" = hello ] && url="http://127.0.0.1:$HELLO_PORT"
    if [ "$mode" = save ]; then  # the sheets' versions as they are now (earlier saves moved them)
      $BIN/python bench/load/sessions.py "$WORK/facts.json" "http://127.0.0.1:$APP_PORT" \
        "$WORK/sessions.lua"
    fi
    LABEL="$mode $c" wrk -t "$c" -c "$c" -d "$DURATION" --timeout 30s \
      -s bench/load/load.lua "$url" -- "$mode" | grep '^{' | tee -a "$WORK/runs.jsonl"
  done
done
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
$BIN/python bench/load/report.py "$WORK/runs.jsonl" "$DB"
