#!/usr/bin/env bash
# The local provisioner's topology steps with nothing in between, as a person would script them: a primary,
# s1 and s2 streaming from it (their base backups in parallel, as the harness takes them), s3 cascading from
# s1 (its slot made on s1, its base backup taken from s1), and synchronous_standby_names = 'ANY 1 (s1, s2)'
# set once s1 and s2 stream. The floor `replication-harness bench provision` compares the topology case against.
# Usage: bare-topology.sh BINDIR TEMPLATE_DATA_DIR WORK_DIR OS_USER|- PRIMARY_PORT S1_PORT S2_PORT S3_PORT
# Prints two numbers: milliseconds until s3 streams (s1 and s2 in quorum), then milliseconds to stop and remove all four.
set -euo pipefail
bindir=$1 template=$2 work=$3 user=$4 pp=$5 p1=$6 p2=$7 p3=$8

as_server() { if [ "$user" = "-" ]; then "$@"; else runuser -u "$user" -- "$@"; fi; }
owned() { [ "$user" = "-" ] || chown "$user" "$@"; }
ms() { date +%s%N; }
wait_ready() {  # line 8 of postmaster.pid reads ready (or standby) once connections are accepted
  until [ -f "$1/postmaster.pid" ] && sed -n 8p "$1/postmaster.pid" | grep -Eq 'ready|standby'; do sleep 0.002; done
}
wait_gone() { while [ -f "$1/postmaster.pid" ]; do sleep 0.002; done; }
sql() { psql -h "$dir/sock-$1" -p "$2" -U postgres -d postgres -XAtq -v ON_ERROR_STOP=1 -c "$3"; }
backup() {  # backup NAME UPSTREAM_PORT SLOT: pg_basebackup -R from the upstream into NAME's data directory
  PGPASSFILE="$dir/replication.pgpass" as_server "$bindir/pg_basebackup" -D "$dir/$1" -Fp -Xs -R -c fast --no-sync -S "$3" \
    -d "host=127.0.0.1 port=$2 user=harness_replicator application_name=$1"
}
start_standby() {  # start_standby NAME PORT
  cat > "$dir/$1/harness.conf" <<CONF
port = '$2'
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock-$1'
hot_standby = 'on'
hot_standby_feedback = 'on'
wal_receiver_status_interval = '1s'
CONF
  owned "$dir/$1/harness.conf"
  as_server "$bindir/pg_ctl" start -D "$dir/$1" -l "$dir/$1.log" -W -s
}

dir=$(mktemp -d "$work/bare.XXXXXX")
trap 'for d in primary s1 s2 s3; do [ -f "$dir/$d/postmaster.pid" ] && kill -QUIT "$(head -1 "$dir/$d/postmaster.pid")" 2>/dev/null; done; rm -rf "$dir"' EXIT
chmod 700 "$dir"; owned "$dir"
secret1=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'); secret2=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')

t0=$(ms)
cp -a "$template" "$dir/primary"
for d in primary s1 s2 s3; do mkdir -m 700 "$dir/sock-$d"; owned "$dir/sock-$d"; done
cat > "$dir/primary/harness.conf" <<CONF
port = '$pp'
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock-primary'
wal_level = 'replica'
max_wal_senders = '10'
max_replication_slots = '10'
wal_keep_size = '64MB'
CONF
owned "$dir/primary/harness.conf"
as_server "$bindir/pg_ctl" start -D "$dir/primary" -l "$dir/primary.log" -W -s
wait_ready "$dir/primary"
psql -h "$dir/sock-primary" -p "$pp" -U postgres -d postgres -Xq -v ON_ERROR_STOP=1 \
  -c "ALTER ROLE postgres PASSWORD '$secret1'" \
  -c "CREATE ROLE harness_replicator WITH REPLICATION LOGIN PASSWORD '$secret2'" \
  -c "SELECT pg_create_physical_replication_slot('bare_s1')" \
  -c "SELECT pg_create_physical_replication_slot('bare_s2')" >/dev/null
echo "127.0.0.1:$pp:*:harness_replicator:$secret2" > "$dir/replication.pgpass"
chmod 600 "$dir/replication.pgpass"; owned "$dir/replication.pgpass"

# s1 and s2: base backups in parallel, then both started, then both streaming.
backup s1 "$pp" bare_s1 & b1=$!
backup s2 "$pp" bare_s2 & b2=$!
wait "$b1"; wait "$b2"
start_standby s1 "$p1"; start_standby s2 "$p2"
wait_ready "$dir/s1"; wait_ready "$dir/s2"
until [ "$(sql primary "$pp" "select count(*) from pg_stat_replication where state = 'streaming' and application_name in ('s1', 's2')")" = 2 ]; do sleep 0.002; done
sql primary "$pp" "ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (s1, s2)'" >/dev/null
sql primary "$pp" "SELECT pg_reload_conf()" >/dev/null
until [ "$(sql primary "$pp" "select count(*) from pg_stat_replication where sync_state = 'quorum'")" = 2 ]; do sleep 0.002; done

# s3 cascades from s1: its slot on s1, its base backup from s1.
sql s1 "$p1" "SELECT pg_create_physical_replication_slot('bare_s3')" >/dev/null
echo "127.0.0.1:$p1:*:harness_replicator:$secret2" >> "$dir/replication.pgpass"
backup s3 "$p1" bare_s3
start_standby s3 "$p3"
wait_ready "$dir/s3"
until [ "$(sql s1 "$p1" "select state from pg_stat_replication where application_name = 's3'")" = streaming ]; do sleep 0.002; done
t1=$(ms)
for d in s3 s2 s1 primary; do kill -INT "$(head -1 "$dir/$d/postmaster.pid")"; done
for d in s3 s2 s1 primary; do wait_gone "$dir/$d"; done
rm -rf "$dir"
trap - EXIT
t2=$(ms)
echo $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))
