#!/usr/bin/env bash
# The local provisioner's steps with nothing in between, as a person would script them: the floor
# that `replication-harness bench provision` compares the harness against.
# Usage: bare-pair.sh BINDIR TEMPLATE_DATA_DIR WORK_DIR OS_USER|- PRIMARY_PORT STANDBY_PORT
# Prints two numbers: milliseconds until the standby streams, then milliseconds to stop and remove both.
set -euo pipefail
bindir=$1 template=$2 work=$3 user=$4 p1=$5 p2=$6

as_server() { if [ "$user" = "-" ]; then "$@"; else runuser -u "$user" -- "$@"; fi; }
owned() { [ "$user" = "-" ] || chown "$user" "$@"; }
ms() { date +%s%N; }
wait_ready() {  # line 8 of postmaster.pid reads ready (or standby) once connections are accepted
  until [ -f "$1/postmaster.pid" ] && sed -n 8p "$1/postmaster.pid" | grep -Eq 'ready|standby'; do sleep 0.002; done
}
wait_gone() { while [ -f "$1/postmaster.pid" ]; do sleep 0.002; done; }

dir=$(mktemp -d "$work/bare.XXXXXX")
trap 'for d in primary standby; do [ -f "$dir/$d/postmaster.pid" ] && kill -QUIT "$(head -1 "$dir/$d/postmaster.pid")" 2>/dev/null; done; rm -rf "$dir"' EXIT
chmod 700 "$dir"; owned "$dir"
secret1=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'); secret2=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')

t0=$(ms)
cp -a "$template" "$dir/primary"
mkdir -m 700 "$dir/sp" "$dir/ss"; owned "$dir/sp" "$dir/ss"
cat > "$dir/primary/harness.conf" <<CONF
port = '$p1'
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sp'
wal_level = 'replica'
max_wal_senders = '10'
max_replication_slots = '10'
wal_keep_size = '64MB'
CONF
owned "$dir/primary/harness.conf"
as_server "$bindir/pg_ctl" start -D "$dir/primary" -l "$dir/primary.log" -W -s
wait_ready "$dir/primary"
psql -h "$dir/sp" -p "$p1" -U postgres -d postgres -Xq -v ON_ERROR_STOP=1 \
  -c "ALTER ROLE postgres PASSWORD '$secret1'" \
  -c "CREATE ROLE harness_replicator WITH REPLICATION LOGIN PASSWORD '$secret2'" \
  -c "SELECT pg_create_physical_replication_slot('bare_slot')" >/dev/null
echo "127.0.0.1:$p1:*:harness_replicator:$secret2" > "$dir/replication.pgpass"
chmod 600 "$dir/replication.pgpass"; owned "$dir/replication.pgpass"
PGPASSFILE="$dir/replication.pgpass" as_server "$bindir/pg_basebackup" -D "$dir/standby" -Fp -Xs -R -c fast --no-sync -S bare_slot \
  -d "host=127.0.0.1 port=$p1 user=harness_replicator application_name=harness_standby"
cat > "$dir/standby/harness.conf" <<CONF
port = '$p2'
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/ss'
hot_standby = 'on'
hot_standby_feedback = 'on'
CONF
owned "$dir/standby/harness.conf"
as_server "$bindir/pg_ctl" start -D "$dir/standby" -l "$dir/standby.log" -W -s
wait_ready "$dir/standby"
until [ "$(psql -h "$dir/sp" -p "$p1" -U postgres -d postgres -XAtc "select state from pg_stat_replication")" = streaming ]; do sleep 0.002; done
t1=$(ms)
kill -INT "$(head -1 "$dir/standby/postmaster.pid")" "$(head -1 "$dir/primary/postmaster.pid")"
wait_gone "$dir/standby"; wait_gone "$dir/primary"
rm -rf "$dir"
trap - EXIT
t2=$(ms)
echo $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))
