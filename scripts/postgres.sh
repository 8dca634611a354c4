#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks.
#
#   scripts/postgres.sh start DIR [--durable]   prints the cluster's URL on stdout
#   scripts/postgres.sh stop DIR
#
# `start` installs PostgreSQL from Debian's packages when it is missing, creates a
# cluster in DIR (which must be empty or absent) and starts it on a free loopback port,
# with its socket in DIR too, so it never meets a server that was already running.
# The server refuses to run as root, so as root the cluster belongs to the `postgres`
# user (which the Debian package creates). Without --durable, fsync is off: the tests
# need a fast server, not a crash-safe one; the benchmarks pass --durable.
set -euo pipefail

usage() {
    echo "usage: $0 start DIR [--durable] | stop DIR" >&2
    exit 2
}

[[ $# -ge 2 ]] || usage
command=$1
dir=$2
durable=false
[[ ${3:-} == --durable ]] && durable=true

find_bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n $found && -x $found/initdb ]] && echo "$found"
}

# Run a server binary as the cluster's owner.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

install_postgres() {
    echo "PostgreSQL is not installed; installing it from Debian's packages" >&2
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y --no-install-recommends postgresql >&2; then
        "${sudo[@]}" apt-get update >&2
        "${sudo[@]}" apt-get install -y --no-install-recommends postgresql >&2
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    local bin
    bin=$(find_bin) || { install_postgres; bin=$(find_bin); } || {
        echo "error: PostgreSQL could not be installed (no initdb under /usr/lib/postgresql)" >&2
        exit 1
    }
    mkdir -p "$dir"
    if [[ -n $(ls -A "$dir") ]]; then
        echo "error: $dir is not empty; give a new directory for the throwaway cluster" >&2
        exit 1
    fi
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || {
            echo "error: running as root but there is no 'postgres' user to own the cluster" >&2
            exit 1
        }
        chown postgres "$dir"
        # The owner must be able to reach DIR through its parents (mktemp makes them private).
        chmod o+x "$(dirname "$dir")" 2>/dev/null || true
    fi
    as_owner "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        echo "error: initdb failed in $dir" >&2
        exit 1
    }
    local port
    port=$(free_port)
    local options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300"
    if [[ $durable == false ]]; then
        options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
        --options="$options" start >/dev/null || {
        cat "$dir/server.log" >&2 2>/dev/null || true
        echo "error: PostgreSQL did not start in $dir" >&2
        exit 1
    }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
}

stop() {
    local bin
    bin=$(find_bin) || exit 0
    [[ -f $dir/data/postmaster.pid ]] || exit 0
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait stop >/dev/null
}

case $command in
start) start ;;
stop) stop ;;
*) usage ;;
esac
