# Sourced by bare-pair.sh and bare-topology.sh: the helpers and the primary's setup both scripts share,
# so the two floors the harness is compared against make their primary the same way.
# Expects bindir, template, work and user set (see the scripts' usage lines).

# setpriv, not runuser: no PAM session per command (the harness switches in its own process, as cheaply).
as_server() { if [ "$user" = "-" ]; then "$@"; else setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups "$@"; fi; }
owned() { [ "$user" = "-" ] || chown "$user" "$@"; }
ms() { date +%s%N; }
wait_ready() {  # line 8 of postmaster.pid reads ready (or standby) once connections are accepted; fails after 60 s
  local until=$((SECONDS + 60))
  until [ -f "$1/postmaster.pid" ] && sed -n 8p "$1/postmaster.pid" | grep -Eq 'ready|standby'; do
    [ "$SECONDS" -lt "$until" ] || { echo "$1 did not accept connections within 60 s" >&2; return 1; }
    sleep 0.002
  done
}
wait_gone() { while [ -f "$1/postmaster.pid" ]; do sleep 0.002; done; }

new_run_dir() {  # sets dir (mode 0700, the server user's) and the run's two passwords
  dir=$(mktemp -d "$work/bare.XXXXXX")
  chmod 700 "$dir"; owned "$dir"
  secret1=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'); secret2=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
}

start_primary() {  # start_primary PORT SOCKET_DIR: the template copied, the harness's primary settings, started until ready
  cp -a "$template" "$dir/primary"
  cat > "$dir/primary/harness.conf" <<CONF
port = '$1'
listen_addresses = '127.0.0.1'
unix_socket_directories = '$2'
wal_level = 'replica'
max_wal_senders = '10'
max_replication_slots = '10'
wal_keep_size = '64MB'
CONF
  owned "$dir/primary/harness.conf"
  as_server "$bindir/pg_ctl" start -D "$dir/primary" -l "$dir/primary.log" -W -s
  wait_ready "$dir/primary"
}

create_role_and_slots() {  # create_role_and_slots PORT SOCKET_DIR SLOT...: passwords, the replication role, a slot each
  local port=$1 socket=$2; shift 2
  local args=(-c "ALTER ROLE postgres PASSWORD '$secret1'" -c "CREATE ROLE harness_replicator WITH REPLICATION LOGIN PASSWORD '$secret2'")
  for slot in "$@"; do args+=(-c "SELECT pg_create_physical_replication_slot('$slot')"); done
  psql -h "$socket" -p "$port" -U postgres -d postgres -Xq -v ON_ERROR_STOP=1 "${args[@]}" >/dev/null
}

add_passfile_line() {  # add_passfile_line PORT: the replication password for one upstream, in a 0600 passfile
  echo "127.0.0.1:$1:*:harness_replicator:$secret2" >> "$dir/replication.pgpass"
  chmod 600 "$dir/replication.pgpass"; owned "$dir/replication.pgpass"
}

backup() {  # backup NAME UPSTREAM_PORT SLOT APPLICATION_NAME: pg_basebackup -R from the upstream into NAME's data directory
  PGPASSFILE="$dir/replication.pgpass" as_server "$bindir/pg_basebackup" -D "$dir/$1" -Fp -Xs -R -c fast --no-sync -S "$3" \
    -d "host=127.0.0.1 port=$2 user=harness_replicator application_name=$4"
}

start_standby() {  # start_standby NAME PORT SOCKET_DIR: the harness's standby settings that matter for streaming, then pg_ctl start
  cat > "$dir/$1/harness.conf" <<CONF
port = '$2'
listen_addresses = '127.0.0.1'
unix_socket_directories = '$3'
hot_standby = 'on'
hot_standby_feedback = 'on'
wal_receiver_status_interval = '1s'
CONF
  owned "$dir/$1/harness.conf"
  as_server "$bindir/pg_ctl" start -D "$dir/$1" -l "$dir/$1.log" -W -s
}
