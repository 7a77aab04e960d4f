#!/bin/sh
# The wall-clock router's pace: bench/external/pingpong.yaml against bench/external/pingpong_node.py
# (WINDOW pings in flight per link), once with a 5 s and once with a 15 s scenario. Each run's
# count also holds its start-up margin and the reads after it, so the rate is the difference of
# the two counts over the 10 s between them: messages routed per second in the steady state.
# usage: bench/external_router.sh BUILD_DIR [WINDOW]   (from the repository root)
set -eu
build=$1
window=${2:-32}
node="python3 bench/external/pingpong_node.py $window"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, window $window"
routed() {
  sed "s/^duration: .*/duration: $1/" bench/external/pingpong.yaml >"$tmp/$1.yaml"
  line=$("$build/tools/raftsim" run -q "$tmp/$1.yaml" --clock wall --node "$node" | tail -1)
  echo "$1: $line" >&2
  echo "$line" | sed -n 's/.*routed=\([0-9]*\).*/\1/p'
}
short=$(routed 5s)
long=$(routed 15s)
echo "steady state: $(( (long - short) / 10 )) messages/s through the router"
