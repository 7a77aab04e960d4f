#!/usr/bin/env bash
# raftsim (3 real nodes) against etcd (3 members), both on loopback with fsync on: puts of
# 100-byte values at 1, 16 and 64 concurrent clients. Results: bench/RESULTS-real.md.
#   bench/real_bench.sh BUILD_DIR [SECONDS]
# Every process started here is stopped on exit, also on failure.
set -euo pipefail
BUILD=${1:?usage: bench/real_bench.sh BUILD_DIR [SECONDS]}
SECONDS_PER_RUN=${2:-8}
MAX_OPS=200000   # per client thread: every loop is bounded in count as well as in time
TMP=$(mktemp -d /tmp/raftsim-bench-XXXXXX)
ETCD_PIDS=()
cleanup() {
  "$BUILD/tools/raftsim" cluster down --dir "$TMP/raftsim" >/dev/null 2>&1 || true
  for pid in "${ETCD_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${ETCD_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "== machine"; nproc; uname -r; df -T /tmp | tail -1
echo "== disk: write+fdatasync of 100 bytes, 2000 times, in $TMP"
"$BUILD/bench/real_bench" fsync "$TMP" 2000

echo "== raftsim: 3 nodes (raftsim cluster up -n 3, defaults: tick 25ms, fdatasync on)"
"$BUILD/tools/raftsim" cluster up -n 3 --dir "$TMP/raftsim" >/dev/null
for c in 1 16 64; do
  "$BUILD/bench/real_bench" raftsim "$TMP/raftsim/cluster.yaml" "$c" "$SECONDS_PER_RUN" "$MAX_OPS"
done
"$BUILD/tools/raftsim" cluster down --dir "$TMP/raftsim" >/dev/null

echo "== etcd $(etcd --version | head -1): 3 members (fsync on: etcd always syncs its WAL)"
CLUSTER="e1=http://127.0.0.1:23801,e2=http://127.0.0.1:23802,e3=http://127.0.0.1:23803"
for i in 1 2 3; do
  etcd --name "e$i" --data-dir "$TMP/etcd/e$i" \
    --listen-client-urls "http://127.0.0.1:2379$i" --advertise-client-urls "http://127.0.0.1:2379$i" \
    --listen-peer-urls "http://127.0.0.1:2380$i" --initial-advertise-peer-urls "http://127.0.0.1:2380$i" \
    --initial-cluster "$CLUSTER" --initial-cluster-state new --initial-cluster-token raftsim-bench \
    --log-level error >"$TMP/etcd-e$i.log" 2>&1 &
  ETCD_PIDS+=($!)
done
EPS=127.0.0.1:23791,127.0.0.1:23792,127.0.0.1:23793
for _ in $(seq 100); do
  ETCDCTL_API=3 etcdctl --endpoints=$EPS endpoint health >/dev/null 2>&1 && break
  sleep 0.2
done
LEADER=$(ETCDCTL_API=3 etcdctl --endpoints=$EPS endpoint status | awk -F', ' '$5=="true"{print $1}')
echo "etcd leader: $LEADER (the load goes to the leader, as raftsim's client finds its leader)"
for c in 1 16 64; do
  "$BUILD/bench/real_bench" etcd "$LEADER" "$c" "$SECONDS_PER_RUN" "$MAX_OPS"
done
