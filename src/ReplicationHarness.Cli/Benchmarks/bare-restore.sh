#!/usr/bin/env bash
# The least any restore of a topology snapshot does, with nothing in between: copy every node's data directory and
# start its server (each copy and start in parallel, the ports and sockets this run's), no password change and no
# streaming. `replication-harness bench provision` prints it for the snapshot cases, and the ratio of the topology's
# to the pair's: the floor a machine's cores set under the harness's own ratio.
# Usage: bare-restore.sh BINDIR SNAPSHOT_DIR WORK_DIR OS_USER|- PORT...   (a port per node, in the snapshot's order)
# Prints two numbers: milliseconds until every server accepts connections, then milliseconds to stop and remove them.
set -euo pipefail
bindir=$1 snapshot=$2 work=$3 user=$4; shift 4
template=- # bare-lib.sh expects it; nothing here copies the template

source "$(dirname "$0")/bare-lib.sh"

nodes=$(sed -e 's/.*"Nodes":\[\([^]]*\)\].*/\1/' -e 's/"//g' -e 's/,/ /g' "$snapshot/snapshot.json")
new_run_dir
trap 'for n in $nodes; do [ -f "$dir/$n/postmaster.pid" ] && kill -QUIT "$(head -1 "$dir/$n/postmaster.pid")" 2>/dev/null || true; done; rm -rf "$dir"' EXIT

t0=$(ms)
ports=("$@") i=0 pids=()
for n in $nodes; do
  port=${ports[$i]}; i=$((i + 1))
  (
    mkdir -m 700 "$dir/k$i"; owned "$dir/k$i"
    cp -a "$snapshot/$n" "$dir/$n"
    as_server setsid "$bindir/postgres" -D "$dir/$n" -c port="$port" -c unix_socket_directories="$dir/k$i" -c primary_conninfo= \
      </dev/null >>"$dir/$n.log" 2>&1 &
    wait_ready "$dir/$n"
  ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done  # set -e: a node that did not start ends the script
t1=$(ms)
for n in $nodes; do kill -INT "$(head -1 "$dir/$n/postmaster.pid")"; done
for n in $nodes; do wait_gone "$dir/$n"; done
rm -rf "$dir"
trap - EXIT
t2=$(ms)
echo $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))
