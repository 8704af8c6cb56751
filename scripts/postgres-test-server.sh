#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the tests and benchmarks of the PostgreSQL ledger.
#
#   scripts/postgres-test-server.sh start   # starts it (or finds it running, or restarts a halted one); prints its URL
#   scripts/postgres-test-server.sh halt    # stops it, keeping its data (tests of a server that goes away)
#   scripts/postgres-test-server.sh stop    # stops it and deletes its files
#
# It lives in $LLM_COST_PG_DIR (default /tmp/llm-cost-pg-$UID), listens on 127.0.0.1 on a free
# port, and has one superuser, `llmcost`, whose password is in "$LLM_COST_PG_DIR/password" (the
# tests read it from there, or from $LLM_COST_TEST_POSTGRES_PASSWORD). initdb refuses to run as
# root, so as root the server runs as the `postgres` user (runuser), which Debian's package creates.
set -euo pipefail

dir="${LLM_COST_PG_DIR:-/tmp/llm-cost-pg-$(id -u)}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bin" ] && command -v pg_ctl >/dev/null; then bin="$(dirname "$(command -v pg_ctl)")"; fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres-test-server: PostgreSQL's server is not installed (apt-get install postgresql)" >&2
    exit 1
fi

# The server outlives this script: it must not inherit the caller's descriptors beyond the
# standard three (a caller waiting for a pipe, or for every holder of a descriptor to exit, as
# Foundation's Process does on Linux, would wait for as long as the server runs). 255 is the
# descriptor bash reads this script from.
for descriptor in /proc/$$/fd/*; do
    number="${descriptor##*/}"
    if [ "$number" -gt 2 ] && [ "$number" != 255 ]; then eval "exec $number>&-" 2>/dev/null || true; fi
done

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url() { echo "postgres://llmcost@127.0.0.1:$(cat "$dir/port")/postgres"; }

case "${1:-}" in
start)
    if [ -f "$dir/port" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        url
        exit 0
    fi
    if [ -f "$dir/port" ] && [ -f "$dir/data/PG_VERSION" ]; then
        # Halted: the same server, data and port again.
        as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $(cat "$dir/port") -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
            || { cat "$dir/server.log" >&2; exit 1; }
        url
        exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    echo "$port" > "$dir/port"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/password"
    chmod 600 "$dir/password"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; chmod 700 "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U llmcost --pwfile="$dir/password" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # Unix socket in the server's own folder; loopback TCP only; room for the concurrency tests.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    url
    ;;
halt)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|halt|stop" >&2
    exit 2
    ;;
esac
