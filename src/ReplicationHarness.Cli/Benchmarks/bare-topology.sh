#!/usr/bin/env bash
# The local provisioner's topology steps with nothing in between, as a person would script them: a primary,
# s1 and s2 streaming from it (their base backups in parallel, as the harness takes them), s3 cascading from
# s1 (its slot made on s1, its base backup taken from s1), and synchronous_standby_names = 'ANY 1 (s1, s2)'
# set once s1 and s2 stream. The floor `replication-harness bench provision` compares the topology case against.
# Usage: bare-topology.sh BINDIR TEMPLATE_DATA_DIR WORK_DIR OS_USER|- PRIMARY_PORT S1_PORT S2_PORT S3_PORT
# Prints two numbers: milliseconds until s3 streams (s1 and s2 in quorum), then milliseconds to stop and remove all four.
set -euo pipefail
bindir=$1 template=$2 work=$3 user=$4 pp=$5 p1=$6 p2=$7 p3=$8

source "$(dirname "$0")/bare-lib.sh"
sql() { psql -h "$dir/sock-$1" -p "$2" -U postgres -d postgres -XAtq -v ON_ERROR_STOP=1 -c "$3"; }  # sql NODE PORT STATEMENT

new_run_dir
trap 'for d in primary s1 s2 s3; do [ -f "$dir/$d/postmaster.pid" ] && kill -QUIT "$(head -1 "$dir/$d/postmaster.pid")" 2>/dev/null; done; rm -rf "$dir"' EXIT

t0=$(ms)
for d in primary s1 s2 s3; do mkdir -m 700 "$dir/sock-$d"; owned "$dir/sock-$d"; done
start_primary "$pp" "$dir/sock-primary"
create_role_and_slots "$pp" "$dir/sock-primary" bare_s1 bare_s2
add_passfile_line "$pp"

# s1 and s2: base backups in parallel, then both started, then both streaming.
backup s1 "$pp" bare_s1 s1 & b1=$!
backup s2 "$pp" bare_s2 s2 & b2=$!
wait "$b1"; wait "$b2"
start_standby s1 "$p1" "$dir/sock-s1"; start_standby s2 "$p2" "$dir/sock-s2"
wait_ready "$dir/s1"; wait_ready "$dir/s2"
until [ "$(sql primary "$pp" "select count(*) from pg_stat_replication where state = 'streaming' and application_name in ('s1', 's2')")" = 2 ]; do sleep 0.002; done
sql primary "$pp" "ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (s1, s2)'" >/dev/null
sql primary "$pp" "SELECT pg_reload_conf()" >/dev/null
until [ "$(sql primary "$pp" "select count(*) from pg_stat_replication where sync_state = 'quorum'")" = 2 ]; do sleep 0.002; done

# s3 cascades from s1: its slot on s1, its base backup from s1.
sql s1 "$p1" "SELECT pg_create_physical_replication_slot('bare_s3')" >/dev/null
add_passfile_line "$p1"
backup s3 "$p1" bare_s3 s3
start_standby s3 "$p3" "$dir/sock-s3"
wait_ready "$dir/s3"
until [ "$(sql s1 "$p1" "select state from pg_stat_replication where application_name = 's3'")" = streaming ]; do sleep 0.002; done
t1=$(ms)
for d in s3 s2 s1 primary; do kill -INT "$(head -1 "$dir/$d/postmaster.pid")"; done
for d in s3 s2 s1 primary; do wait_gone "$dir/$d"; done
rm -rf "$dir"
trap - EXIT
t2=$(ms)
echo $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))
