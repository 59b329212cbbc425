#!/usr/bin/env bash
# Instructions per request of one in-process e2e case under callgrind: warmed uninstrumented, then n requests
# counted (see case.mjs). V8 runs --single-threaded, so JIT jobs and GC run on the counted thread and no worker
# thread's timing moves the count; `callgrind_annotate --inclusive=yes <out>` splits GC and compiles off.
# Usage: bench/callgrind/ir.sh <node> <framework> <case> <n> <out file>   (WARMUP=<n>, default 4000)
#   e.g. bench/callgrind/ir.sh node fetch bare-deny 4000 /tmp/deny.cg
set -euo pipefail
node=$1 framework=$2 name=$3 n=$4 out=$5
here=$(cd "$(dirname "$0")" && pwd)
WARMUP=${WARMUP:-4000} valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" "$node" \
  --single-threaded --expose-gc "$here/case.mjs" "$framework" "$name" "$n" >"$out.log" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do grep -q READY "$out.log" && break; sleep 1; done
callgrind_control -i on "$pid" >/dev/null
wait "$pid"
# The dump's own totals line (`callgrind_annotate | grep -m1` ended the script: grep's early exit is a SIGPIPE
# that pipefail turns into a failure).
total=$(awk '/^totals:/ { t = $2 } /^summary:/ { s = $2 } END { print t ? t : s }' "$out")
echo "$framework $name: $((total / n)) Ir/request over $n ($(grep -m1 'HTTP' "$out.log"))"
