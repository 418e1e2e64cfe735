#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suites, in a temporary directory, on 127.0.0.1 and a
# free port, as a non-root user (PostgreSQL refuses to run as root).
#
#   eval "$(bash .ci/postgres.sh start)"   # prints: export TEST_DATABASE_URL=… PG_TMPDIR=…
#   python -m pytest                       # the storage, study and e2e suites also run on it
#   bash .ci/postgres.sh stop              # stops it and deletes its directory ($PG_TMPDIR)
set -euo pipefail

find_bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$found" && -x "$found/initdb" ]]; then
        echo "$found"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    else
        echo "no PostgreSQL server binaries (initdb, pg_ctl): install PostgreSQL 15" >&2
        exit 1
    fi
}

as_owner() {
    # Run a command as the server's owner: ourselves, or (as root) an unprivileged user.
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u "$PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

owner() {
    if [[ "$(id -u)" != 0 ]]; then
        id -un
    elif id postgres >/dev/null 2>&1; then
        echo postgres
    elif id nobody >/dev/null 2>&1; then
        echo nobody
    else
        echo "running as root and neither 'postgres' nor 'nobody' exists to run the server" >&2
        exit 1
    fi
}

start() {
    local bin port dir
    bin=$(find_bin)
    PG_OWNER=$(owner)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/study-bot-pg.XXXXXX")
    chmod 755 "$dir"
    [[ "$(id -u)" == 0 ]] && chown "$PG_OWNER" "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync off: a test server loses nothing worth keeping in a crash, and the suites run faster.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "export PG_TMPDIR=$dir PG_BIN=$bin PG_OWNER=$PG_OWNER"
    echo "export TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$port/postgres"
}

stop() {
    local dir="${PG_TMPDIR:?PG_TMPDIR is not set: eval the output of start first}"
    local bin="${PG_BIN:-$(find_bin)}"
    PG_OWNER="${PG_OWNER:-$(owner)}"
    if [[ -d "$dir/data" ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
