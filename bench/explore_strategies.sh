#!/usr/bin/env bash
# Runs to first detection per strategy: every planted bug, in its tuned scenario
# (bench/explore/BUG.yaml) and planted in bench/explore/minimal.yaml, under random, swarm and
# guided, over the same seeds. Prints one table row per (scenario, strategy).
#   bench/explore_strategies.sh RAFTSIM RUNS_TUNED RUNS_MINIMAL [JOBS]
# BUGS="a b" limits it to those planted bugs.
set -euo pipefail
raftsim=${1:?raftsim binary}
runs_tuned=${2:-300}
runs_minimal=${3:-500}
jobs=${4:-2}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

row() {  # scenario-file label runs strategy
  local out
  out=$("$raftsim" explore "$1" --strategy "$4" --runs "$3" --jobs "$jobs" --no-shrink \
    --out "$work/out" 2>/dev/null || true)
  local first rate found labels
  first=$(grep -o 'first at run [0-9]*' <<<"$out" | awk '{print $4}' | sort -n | head -1 || true)
  rate=$(grep -o '[0-9]* runs/s' <<<"$out" | head -1 | awk '{print $1}' || true)
  found=$(grep -o '[0-9]* failing runs\?' <<<"$out" | awk '{print $1}' || true)
  labels=$(grep -oE '^  [a-z_]+:' <<<"$out" | tr -d ' :' | paste -sd, - || true)
  echo "| $2 | $4 | ${first:-not in $3} | ${found:-0}/$3 | ${labels:--} | ${rate} |"
}

echo "| scenario | strategy | runs to first detection | failing runs | properties | runs/s |"
echo "|---|---|---|---|---|---|"
bugs=${BUGS:-vote_without_log_check stale_leader_reads forget_vote_on_restart ack_before_persist commit_previous_term}
for bug in $bugs; do
  for strategy in random swarm guided; do
    row "$here/explore/$bug.yaml" "$bug.yaml" "$runs_tuned" "$strategy"
  done
  sed "s/^  bugs: \[\]/  bugs: [$bug]/" "$here/explore/minimal.yaml" >"$work/minimal-$bug.yaml"
  for strategy in swarm guided; do
    row "$work/minimal-$bug.yaml" "minimal + $bug" "$runs_minimal" "$strategy"
  done
done
