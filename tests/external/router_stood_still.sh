#!/bin/sh
# A wall-clock run of external nodes whose router is stopped (SIGSTOP) for 600 ms, twice the
# scenario's election timeout, once the run has begun: its table lists the disturbance, and the
# run passes or is inconclusive (exit 0 or 3), never failed for time it did not have.
# Usage: router_stood_still.sh RAFTSIM NODE-COMMAND (runs scenarios/router_stop.yaml beside it)
raftsim=$1 node=$2
out=$(mktemp)
stdbuf -oL "$raftsim" run "$(dirname "$0")/scenarios/router_stop.yaml" --clock wall --node "$node" \
  >"$out" 2>&1 &
pid=$!
# The heal at 500 ms is narrated once the run is under way (within a minute, however slow the
# machine is to start the nodes).
for _ in $(seq 600); do
  grep -q "s  heal:" "$out" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -STOP "$pid"
sleep 0.6
kill -CONT "$pid"
wait "$pid"
rc=$?
cat "$out"
found=$(grep -c "the router did not turn for" "$out")
rm -f "$out"
if [ "$found" -eq 0 ]; then
  echo "FAIL: no disturbance reported"
  exit 1
fi
if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
  echo "FAIL: exit $rc"
  exit 1
fi
echo "ok: the stop was reported (exit $rc)"
