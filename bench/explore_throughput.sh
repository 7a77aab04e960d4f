#!/usr/bin/env bash
# Exploration throughput, strategy against strategy: user CPU seconds for RUNS runs of SCENARIO
# with --jobs 1 and no shrinking, each strategy run REPEATS times, the strategies alternated so
# they share whatever else the machine is doing. Prints each measurement and each strategy's
# median, and every strategy's runs per CPU-second against the first one's.
#
#   bench/explore_throughput.sh RAFTSIM [SCENARIO] [RUNS] [REPEATS] [STRATEGIES...]
#   bench/explore_throughput.sh build/tools/raftsim bench/explore/correct.yaml 200 5 random guided
#
# CPU time, not wall time: on a shared machine wall time measures the neighbours. A scenario in
# which some strategy's runs fail is a poor yardstick (a failing run stops at its violation).
set -euo pipefail

raftsim=${1:?usage: explore_throughput.sh RAFTSIM [SCENARIO] [RUNS] [REPEATS] [STRATEGIES...]}
scenario=${2:-bench/explore/correct.yaml}
runs=${3:-200}
repeats=${4:-5}
shift $(($# < 4 ? $# : 4))
strategies=("$@")
[ ${#strategies[@]} -eq 0 ] && strategies=(random guided)

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

declare -A times
for ((i = 1; i <= repeats; i++)); do
  for s in "${strategies[@]}"; do
    /usr/bin/time -f "%U" -o "$out/time" "$raftsim" explore "$scenario" --runs "$runs" --jobs 1 \
      --strategy "$s" --no-shrink --out "$out/$s" > /dev/null 2>&1
    t=$(tail -n 1 "$out/time")
    echo "repeat $i $s ${t}s"
    times[$s]+="$t "
  done
done

median() { tr ' ' '\n' <<< "$1" | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
first=${strategies[0]}
base=$(median "${times[$first]}")
for s in "${strategies[@]}"; do
  m=$(median "${times[$s]}")
  awk -v s="$s" -v m="$m" -v b="$base" -v r="$runs" -v f="$first" \
    'BEGIN {printf "%-8s median %.2fs user for %d runs: %.1f runs per CPU-second, %.0f%% of %s\n", s, m, r, r / m, 100 * b / m, f}'
done
