#!/usr/bin/env bash
# Data-parallel scaling on this machine, side by side in one run: 1 rank × 2 threads, 2 ranks × 1 thread (and 1 × 1 for
# reference), interleaved for ROUNDS rounds (default 3), one JSON line per workload and configuration.
# Usage: benchmarks/Distributed/run.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build benchmarks/Distributed -c Release -v q -nologo >/dev/null
bench=benchmarks/Distributed/bin/Release/net10.0/Distributed.dll
root=$([ "$(id -u)" -eq 0 ] && echo --allow-run-as-root || true)
for round in $(seq "${1:-3}"); do
  GRAPHNET_THREADS=2 dotnet "$bench"
  mpirun $root -np 2 --bind-to core -x GRAPHNET_THREADS=1 -x TERM=dumb dotnet "$bench"
  GRAPHNET_THREADS=1 dotnet "$bench"
done
