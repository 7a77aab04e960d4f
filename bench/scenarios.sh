#!/usr/bin/env bash
# Times every shipped scenario: the median wall time of RUNS runs of `raftsim run --quiet`, with the
# events it processed and its simulated length. Writes a Markdown table to stdout.
#
#   bench/scenarios.sh [RUNS]   (default 5; uses build/tools/raftsim)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bin=${RAFTSIM_BIN:-build/tools/raftsim}
echo "| scenario | simulated | events | median wall (of $runs) | verdict |"
echo "|---|---|---|---|---|"
for file in scenarios/*.yaml; do
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    out=$("$bin" run --quiet "$file" || true)
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  events=$(grep -o 'events=[0-9]*' <<<"$out" | cut -d= -f2)
  simulated=$(grep -o 'simulated=[0-9.]*s' <<<"$out" | cut -d= -f2)
  verdict=$(cut -d' ' -f1 <<<"$out")
  printf '| %s | %s | %s | %s ms | %s |\n' "$(basename "$file")" "$simulated" "$events" \
    "$(awk -v us="$median" 'BEGIN { printf "%.1f", us / 1000 }')" "$verdict"
done
