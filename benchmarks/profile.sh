#!/usr/bin/env bash
# Where a workload's time goes: perf samples of the driver's steady state, the hottest functions (JIT-compiled code
# named through the runtime's perf map), and who calls the kernels the pool runs.
#   usage: benchmarks/profile.sh WORKLOAD [SKIP_MS] [TOP]      e.g. benchmarks/profile.sh b_lenet 2500 30
# SKIP_MS leaves out the set-up and warm-up (data generation, tiered JIT); the default suits most workloads.
# Notes: "Workers::Invoke" is a generated kernel or GEMM task run by the pool (the job is inlined into it); the
# unnamed libcoreclr address called from Workers::Work is a worker spinning while the caller runs serial work.
# Needs linux-perf (apt-get install linux-perf) and a built driver (dotnet build -c Release benchmarks/Peers).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${1:?workload, e.g. a_mlp}; SKIP=${2:-2000}; TOP=${3:-25}
OUT=$(mktemp -d)
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -D "$SKIP" -F 1999 -g -o "$OUT/perf.data" \
  dotnet "$ROOT/benchmarks/Peers/bin/Release/net10.0/Peers.dll" --threads 2 "$W" > "$OUT/result.json" 2> "$OUT/perf.log"
cat "$OUT/result.json"
echo "--- hottest functions (self time) ---"
perf report -i "$OUT/perf.data" --no-children --sort symbol -g none 2>/dev/null | grep -v '^#' | grep '%' | head -n "$TOP" \
  | sed -E 's/ +- +- *$//; s/\[GraphNet.Runtime\] GraphNet.Runtime.//; s/valuetype \[System.Runtime\]System.//g; s/\[Optimized[A-Za-z0-9]*\]//; s/  +/ /g' | cut -c1-180
echo "--- callers of the pool's tasks ---"
perf report -i "$OUT/perf.data" --no-children --sort symbol -g caller,2,callee,function,percent --symbol-filter=Invoke 2>/dev/null \
  | grep -E 'Kernel|MatMul|Windows|Indexing|Step|Elementwise' | sed -E 's/\[GraphNet.Runtime\] GraphNet.Runtime.//; s/valuetype \[System.Runtime\]System.//g' | cut -c1-180 | head -n "$TOP"
echo "(perf data kept in $OUT)"
