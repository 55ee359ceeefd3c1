#!/usr/bin/env bash
# Services the test suite talks to, all on this machine: a PostgreSQL server on 127.0.0.1 (the
# result-store tests) and a Chromium browser (the leaderboard test, driven by Playwright with
# the system browser; no browser is downloaded). Idempotent: safe to run again.
#
# The store tests read DYNAMIC_VISION_TEST_POSTGRES_URL; its default is the server started here:
#   postgresql+psycopg://postgres@127.0.0.1:54329/dynamic_vision_test
set -euo pipefail

PG_PORT="${DYNAMIC_VISION_TEST_POSTGRES_PORT:-54329}"
PG_DATA="${DYNAMIC_VISION_TEST_POSTGRES_DATA:-/tmp/dynamic-vision-postgres}"
PG_DATABASE=dynamic_vision_test

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v chromium >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends postgresql chromium
fi
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

# initdb refuses to run as root: the cluster belongs to the postgres user.
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$PG_DATA"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DATA"; fi
    as_postgres "$PG_BIN/initdb" --pgdata="$PG_DATA" --username=postgres --auth=trust \
        --encoding=UTF8 >/dev/null
fi
if ! as_postgres "$PG_BIN/pg_ctl" --pgdata="$PG_DATA" status >/dev/null 2>&1; then
    as_postgres "$PG_BIN/pg_ctl" --pgdata="$PG_DATA" --log="$PG_DATA/server.log" --wait \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA" start >/dev/null
fi
if ! as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" | grep -q 1; then
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DATABASE"
fi

echo "PostgreSQL: postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/$PG_DATABASE"
echo "Chromium: $(command -v chromium)"
