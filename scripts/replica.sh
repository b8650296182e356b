#!/usr/bin/env bash
# A real streaming replica of the local PostgreSQL cluster, on port 5433.
#   up      make it (pg_basebackup -R) or start it; returns once it streams
#   down    stop it
#   pause   pause WAL replay (the replica falls behind on demand)
#   resume  resume WAL replay
# Idempotent. Configures the primary itself (wal_level, a replication entry in
# pg_hba.conf, a reload or a restart). Needs root (it runs the server as
# `postgres` through Debian's pg_ctlcluster). The replica of database D is
# postgres://postgres@127.0.0.1:5433/D.
set -euo pipefail

VERSION="${PG_VERSION:-$(ls /etc/postgresql | sort -n | tail -n 1)}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
CLUSTER="${REPLICA_CLUSTER:-replica}"
DATA="/var/lib/postgresql/$VERSION/$CLUSTER"
HBA="/etc/postgresql/$VERSION/main/pg_hba.conf"

primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atqc "$1" postgres; }
replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atqc "$1" postgres; }

ensure_primary() {
  if ! pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT"; then
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" main start
  fi
  local changed=""
  if ! grep -qE '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$HBA"; then
    echo "host replication all 127.0.0.1/32 trust" >>"$HBA"
    changed=reload
  fi
  if [ "$(primary 'SHOW wal_level')" = "minimal" ]; then
    primary "ALTER SYSTEM SET wal_level = 'replica'"
    changed=restart
  fi
  if [ "$(primary 'SHOW max_wal_senders')" = "0" ]; then
    primary "ALTER SYSTEM SET max_wal_senders = 10"
    changed=restart
  fi
  case "$changed" in
    reload) primary "SELECT pg_reload_conf()" >/dev/null ;;
    restart) pg_ctlcluster --skip-systemctl-redirect "$VERSION" main restart ;;
  esac
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT" && return; sleep 1; done
  echo "replica.sh: the primary is not ready" >&2
  exit 1
}

streaming() {
  [ "$(primary "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" 2>/dev/null)" != "0" ] &&
    [ "$(replica 'SELECT pg_is_in_recovery()' 2>/dev/null)" = "t" ]
}

wait_streaming() {
  for _ in $(seq 1 "$1"); do
    streaming && return 0
    sleep 0.5
  done
  return 1
}

create() {
  if [ -d "/etc/postgresql/$VERSION/$CLUSTER" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" stop -m fast 2>/dev/null || true
    pg_dropcluster "$VERSION" "$CLUSTER"
  fi
  pg_createcluster "$VERSION" "$CLUSTER" --port "$REPLICA_PORT" >/dev/null
  # The same client authentication as the primary (trust on loopback here).
  cp "$HBA" "/etc/postgresql/$VERSION/$CLUSTER/pg_hba.conf"
  rm -rf "$DATA"
  install -d -o postgres -g postgres -m 700 "$DATA"
  runuser -u postgres -- pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
    -D "$DATA" -R -X stream --checkpoint=fast
}

up() {
  ensure_primary
  if [ -f "$DATA/standby.signal" ]; then
    if ! pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT"; then
      pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start || true
    fi
    if wait_streaming 20; then
      echo "replica streams on 127.0.0.1:$REPLICA_PORT"
      return
    fi
    # Stopped for long, the primary may have recycled the WAL it needs (no
    # replication slot, on purpose: a stopped replica must not make the
    # primary keep WAL without end). Made anew from a fresh base backup.
    echo "replica.sh: the existing replica does not stream; making it anew" >&2
  fi
  create
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start
  if wait_streaming 60; then
    echo "replica streams on 127.0.0.1:$REPLICA_PORT"
    return
  fi
  echo "replica.sh: the replica does not stream" >&2
  exit 1
}

down() {
  if [ -d "/etc/postgresql/$VERSION/$CLUSTER" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" stop -m fast 2>/dev/null || true
  fi
  echo "replica stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  pause) replica "SELECT pg_wal_replay_pause()" >/dev/null && echo "replay paused" ;;
  resume) replica "SELECT pg_wal_replay_resume()" >/dev/null && echo "replay resumed" ;;
  *) echo "usage: $0 up|down|pause|resume" >&2; exit 2 ;;
esac
