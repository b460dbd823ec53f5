#!/usr/bin/env bash
# The local provisioner's steps with nothing in between, as a person would script them: the floor
# that `replication-harness bench provision` compares the harness against.
# Usage: bare-pair.sh BINDIR TEMPLATE_DATA_DIR WORK_DIR OS_USER|- PRIMARY_PORT STANDBY_PORT
# Prints two numbers: milliseconds until the standby streams, then milliseconds to stop and remove both.
set -euo pipefail
bindir=$1 template=$2 work=$3 user=$4 p1=$5 p2=$6

source "$(dirname "$0")/bare-lib.sh"

new_run_dir
trap 'for d in primary standby; do [ -f "$dir/$d/postmaster.pid" ] && kill -QUIT "$(head -1 "$dir/$d/postmaster.pid")" 2>/dev/null; done; rm -rf "$dir"' EXIT

t0=$(ms)
mkdir -m 700 "$dir/sp" "$dir/ss"; owned "$dir/sp" "$dir/ss"
start_primary "$p1" "$dir/sp"
create_role_and_slots "$p1" "$dir/sp" bare_slot
add_passfile_line "$p1"
backup standby "$p1" bare_slot harness_standby
start_standby standby "$p2" "$dir/ss"
wait_ready "$dir/standby"
until [ "$(psql -h "$dir/sp" -p "$p1" -U postgres -d postgres -XAtc "select state from pg_stat_replication")" = streaming ]; do sleep 0.002; done
t1=$(ms)
kill -INT "$(head -1 "$dir/standby/postmaster.pid")" "$(head -1 "$dir/primary/postmaster.pid")"
wait_gone "$dir/standby"; wait_gone "$dir/primary"
rm -rf "$dir"
trap - EXIT
t2=$(ms)
echo $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))
