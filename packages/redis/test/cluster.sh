#!/usr/bin/env bash
# A local Redis Cluster for tests, CI and the bench: 3 primaries and 3 replicas, each its own
# `redis-server` process in cluster mode, on ports BASE..BASE+5 (BASE defaults to 7100), with every
# file in one temp dir.
#
#   cluster.sh start [BASE]        start the six nodes, create the cluster, wait for cluster_state:ok
#   cluster.sh stop [BASE]         kill exactly those six processes (by their pid files), remove the dir
#   cluster.sh status [BASE]       exit 0 when the cluster answers cluster_state:ok
#   cluster.sh node PORT [BASE]    (re)start one node, e.g. a primary a test killed (it rejoins as a replica)
set -euo pipefail

cmd="${1:-}"
if [ "$cmd" = node ]; then
  port="${2:?cluster.sh node PORT [BASE]}"
  base="${3:-7100}"
else
  base="${2:-7100}"
fi
dir="${RECALL_CLUSTER_DIR:-${TMPDIR:-/tmp}/recall-redis-cluster-$base}"
ports=$(seq "$base" $((base + 5)))

start_node() {
  redis-server --port "$1" --bind 127.0.0.1 --cluster-enabled yes \
    --cluster-config-file "$dir/nodes-$1.conf" --cluster-node-timeout 1000 --repl-diskless-sync-delay 0 \
    --appendonly no --save '' --daemonize yes --dir "$dir" \
    --pidfile "$dir/redis-$1.pid" --logfile "$dir/redis-$1.log"
}

cluster_ok() {
  redis-cli -h 127.0.0.1 -p "$base" cluster info 2>/dev/null | grep -q '^cluster_state:ok'
}

case "$cmd" in
  start)
    if cluster_ok; then
      echo "redis cluster on $base-$((base + 5)) already running"
      exit 0
    fi
    mkdir -p "$dir"
    for port in $ports; do start_node "$port"; done
    for port in $ports; do
      for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.1
      done
    done
    nodes=""
    for port in $ports; do nodes="$nodes 127.0.0.1:$port"; done
    # shellcheck disable=SC2086
    redis-cli --cluster create $nodes --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 || {
      cat "$dir/create.log" >&2
      exit 1
    }
    # Every node must agree, not only the first one asked, and every replica must have synced (a
    # replica that never did cannot take over from a failed primary).
    for _ in $(seq 100); do
      all=1
      for port in $ports; do
        redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || all=0
        if redis-cli -h 127.0.0.1 -p "$port" info replication 2>/dev/null | grep -q '^role:slave'; then
          redis-cli -h 127.0.0.1 -p "$port" info replication | grep -q '^master_link_status:up' || all=0
        fi
      done
      if [ "$all" = 1 ]; then
        echo "redis cluster on $base-$((base + 5)) ready ($dir)"
        exit 0
      fi
      sleep 0.1
    done
    echo "redis cluster on $base-$((base + 5)) did not reach cluster_state:ok" >&2
    exit 1
    ;;
  stop)
    for port in $ports; do
      pidfile="$dir/redis-$port.pid"
      if [ -f "$pidfile" ]; then
        pid=$(cat "$pidfile")
        # Only a redis-server of this cluster: the pid file may be stale.
        if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "redis-server.*:$port"; then
          kill "$pid" 2>/dev/null || true
        fi
      fi
    done
    for port in $ports; do
      for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 || break
        sleep 0.1
      done
    done
    rm -rf "$dir"
    ;;
  status)
    cluster_ok
    ;;
  node)
    start_node "$port"
    for _ in $(seq 50); do
      redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && exit 0
      sleep 0.1
    done
    exit 1
    ;;
  *)
    echo "usage: cluster.sh start|stop|status [BASE] | node PORT [BASE]" >&2
    exit 2
    ;;
esac
