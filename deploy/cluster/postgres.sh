#!/bin/sh
# PostgreSQL primary and streaming replica on loopback, with Debian's own tools: the reference
# topology's database on one machine (tests, `make cluster`). On several machines the same
# steps run on two hosts (docs/deployment.md, "A streaming replica").
#
#   deploy/cluster/postgres.sh start    create (once) and start both clusters
#   deploy/cluster/postgres.sh stop     stop both
#   deploy/cluster/postgres.sh stop-replica | start-replica
#   deploy/cluster/postgres.sh destroy  drop both clusters and their data
#
# The primary is the cluster "okryu_primary" on 127.0.0.1:${OKRYU_PRIMARY_PORT:-5434}, the
# replica "okryu_replica" on 127.0.0.1:${OKRYU_REPLICA_PORT:-5433}, made by pg_basebackup and
# kept up to date by streaming replication. Both trust loopback connections: test clusters only.
set -eu

PRIMARY=okryu_primary
REPLICA=okryu_replica
PRIMARY_PORT=${OKRYU_PRIMARY_PORT:-5434}
REPLICA_PORT=${OKRYU_REPLICA_PORT:-5433}

if ! command -v pg_createcluster >/dev/null 2>&1; then
    echo "installing PostgreSQL (Debian's postgresql package)"
    apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q postgresql; }
fi
VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)

exists() { pg_lsclusters -h | awk '{print $1 "/" $2}' | grep -qx "$VERSION/$1"; }
running() { pg_lsclusters -h | awk -v c="$1" -v v="$VERSION" '$1 == v && $2 == c {print $4}' | grep -q online; }
port_of() { pg_lsclusters -h | awk -v c="$1" -v v="$VERSION" '$1 == v && $2 == c {print $3}'; }
as_postgres() { runuser -u postgres -- "$@"; }

# Clusters made earlier on other ports (another OKRYU_PRIMARY_PORT or OKRYU_REPLICA_PORT) are
# made again on the ports asked for: they hold test data only, and the replica's link to the
# primary names the primary's port.
drop_if_moved() {
    if { exists "$PRIMARY" && [ "$(port_of "$PRIMARY")" != "$PRIMARY_PORT" ]; } ||
        { exists "$REPLICA" && [ "$(port_of "$REPLICA")" != "$REPLICA_PORT" ]; }; then
        echo "making the PostgreSQL clusters again on ports $PRIMARY_PORT and $REPLICA_PORT"
        for cluster in "$REPLICA" "$PRIMARY"; do
            if exists "$cluster"; then pg_dropcluster --stop "$VERSION" "$cluster"; fi
        done
    fi
}

configure() {  # cluster
    # Debian's postgresql.conf includes conf.d/.
    cat > "/etc/postgresql/$VERSION/$1/conf.d/okryu.conf" <<CONF
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 5
hot_standby = on
shared_buffers = 64MB
max_connections = 200
CONF
    cat > "/etc/postgresql/$VERSION/$1/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
HBA
}

start_primary() {
    if ! exists "$PRIMARY"; then
        pg_createcluster "$VERSION" "$PRIMARY" -p "$PRIMARY_PORT" >/dev/null
        configure "$PRIMARY"
    fi
    running "$PRIMARY" || pg_ctlcluster "$VERSION" "$PRIMARY" start
}

start_replica() {
    if ! exists "$REPLICA"; then
        pg_createcluster "$VERSION" "$REPLICA" -p "$REPLICA_PORT" >/dev/null
        configure "$REPLICA"
        data="/var/lib/postgresql/$VERSION/$REPLICA"
        find "$data" -mindepth 1 -delete
        # -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
        as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$data" -R -X stream -c fast
    fi
    running "$REPLICA" || pg_ctlcluster "$VERSION" "$REPLICA" start
}

case "${1:-start}" in
start)
    drop_if_moved
    start_primary
    start_replica
    echo "PostgreSQL primary on 127.0.0.1:$PRIMARY_PORT, streaming replica on 127.0.0.1:$REPLICA_PORT"
    ;;
stop)
    for cluster in "$REPLICA" "$PRIMARY"; do
        if exists "$cluster" && running "$cluster"; then pg_ctlcluster "$VERSION" "$cluster" stop -m fast; fi
    done
    ;;
stop-replica)
    running "$REPLICA" && pg_ctlcluster "$VERSION" "$REPLICA" stop -m fast
    ;;
start-replica)
    start_replica
    ;;
destroy)
    for cluster in "$REPLICA" "$PRIMARY"; do
        if exists "$cluster"; then pg_dropcluster --stop "$VERSION" "$cluster"; fi
    done
    ;;
*)
    echo "usage: $0 start|stop|stop-replica|start-replica|destroy" >&2
    exit 2
    ;;
esac
