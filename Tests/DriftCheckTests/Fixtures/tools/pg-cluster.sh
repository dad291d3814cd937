#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the collector's tests and benchmark, made with Debian's own binaries (the newest
# /usr/lib/postgresql/*/bin; `postgresql` is installed with apt-get when there is none). It lives in DIR alone: its
# data in DIR/data, its log in DIR/log, its unix socket in DIR, its TCP port on 127.0.0.1 (a free one, chosen at the
# first start and kept in DIR/port). Trust authentication for local and 127.0.0.1, fsync on (the default). The
# system's default cluster (pg_ctlcluster's, which the package's postinst may create and start) is left alone.
# Run as root, the server runs as the `postgres` system user, and DIR is made its own.
#
#   bash pg-cluster.sh start DIR     # makes (first time) and starts the cluster; prints its URL, one line:
#                                    #   postgresql://postgres@127.0.0.1:PORT/driftcheck
#   bash pg-cluster.sh stop DIR      # fast stop (nothing to do when it is not running)
#   bash pg-cluster.sh restart DIR   # stop -m immediate (a crash: no checkpoint) then start on the same port
#   bash pg-cluster.sh url DIR       # the URL again
#
# Idempotent: start on a running cluster prints its URL, stop on a stopped one does nothing. Messages go to stderr.
set -euo pipefail
die() { echo "pg-cluster: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: pg-cluster.sh start|stop|restart|url DIR"
action=$1
dir=$(realpath -m "$2")
data=$dir/data

# The newest installed server's binaries, installing the package when none is.
pg_bin() {
    local found
    found=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$found" ]; then
        [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and installing it needs root"
        echo "pg-cluster: installing postgresql with apt-get" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 || die "apt-get update failed"
        apt-get install -y -qq --no-install-recommends postgresql >&2 || die "apt-get install postgresql failed"
        found=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)
        [ -n "$found" ] || die "no /usr/lib/postgresql/*/bin/initdb after installing postgresql"
    fi
    dirname "$found"
}

# Runs a command as the cluster's owner: `postgres` when we are root (the server refuses to run as root), else us.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A free TCP port on 127.0.0.1 (the kernel's choice; another process may take it before the server binds it, which
# start_server's retry covers).
free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    else
        echo $(( 20000 + RANDOM % 40000 ))
    fi
}

running() {
    [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

url() {
    [ -f "$dir/port" ] || die "no cluster in $dir (run: pg-cluster.sh start $dir)"
    echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/driftcheck"
}

set_port() {  # set_port PORT: kept in DIR/port and in the cluster's own configuration
    echo "$1" >"$dir/port"
    as_owner sed -i '/^port = /d' "$data/postgresql.conf"
    echo "port = $1" | as_owner tee -a "$data/postgresql.conf" >/dev/null
}

create() {
    [ "$(id -u)" -ne 0 ] || id postgres >/dev/null 2>&1 || die "no postgres system user (the postgresql package makes it)"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$dir"
        runuser -u postgres -- test -w "$dir" -a -x "$dir" \
            || die "$dir is not reachable by the postgres user (a parent directory is closed to it; use e.g. /tmp)"
    fi
    # the unix socket's path must fit in sun_path (107 bytes)
    [ ${#dir} -le 80 ] || die "$dir is too long a path for the server's unix socket (80 characters at most)"
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-instructions \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF
# pg-cluster.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = on
logging_collector = off
EOF
    set_port "$(free_port)"
}

start_server() {
    local tries=0
    until as_owner "$bin/pg_ctl" -D "$data" -l "$dir/log" -w -t 120 start >/dev/null 2>&1; do
        tries=$((tries + 1))
        # a port taken since it was chosen (only before the first successful start: then the port is the cluster's)
        if [ ! -f "$dir/started" ] && [ $tries -lt 10 ] && grep -q 'could not bind\|could not create any TCP/IP' "$dir/log"; then
            set_port "$(free_port)"
            continue
        fi
        tail -n 20 "$dir/log" >&2 || true
        die "the server in $data did not start (log: $dir/log)"
    done
    touch "$dir/started"
    local port
    port=$(cat "$dir/port")
    if [ -z "$(as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -XtAc \
            "SELECT 1 FROM pg_database WHERE datname = 'driftcheck'")" ]; then
        as_owner "$bin/createdb" -h "$dir" -p "$port" -U postgres driftcheck
    fi
}

case $action in
start)
    bin=$(pg_bin)
    [ -f "$data/PG_VERSION" ] || create
    running || start_server
    url
    ;;
stop)
    bin=$(pg_bin)
    if running; then as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 120 stop >/dev/null; fi
    ;;
restart)
    bin=$(pg_bin)
    [ -f "$data/PG_VERSION" ] || die "no cluster in $dir (run: pg-cluster.sh start $dir)"
    if running; then as_owner "$bin/pg_ctl" -D "$data" -m immediate -w -t 120 stop >/dev/null; fi
    start_server
    url
    ;;
url)
    url
    ;;
*)
    die "unknown action $action (start, stop, restart or url)"
    ;;
esac
