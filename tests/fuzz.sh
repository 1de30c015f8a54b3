#!/usr/bin/env bash
# A long fuzz run of the GraphNet generator: tests/fuzz.sh [MUTANTS=40000] [SEED=1]
#
# Builds the test project and runs its fuzz entry point (tests/GraphNet.Tests/Fuzz/LongRun.cs): every mutant
# runs in a worker process, so a stack overflow or a generator that will not stop costs one worker, not the run.
# Writes fuzz-out/ (seeds.txt, failures.jsonl, summary.md, and repro/ with one minimized reproducer per root
# cause) and prints "fuzz: N mutants, ok X, crash X, hang X, internal X, badcode X" last on stdout; exits 1
# when any mutant is not ok. GRAPHNET_FUZZ_OUT, GRAPHNET_FUZZ_JOBS and GRAPHNET_FUZZ_LIMIT_S (seconds) tune it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mutants="${1:-40000}"
seed="${2:-1}"
out="${GRAPHNET_FUZZ_OUT:-$root/fuzz-out}"

dotnet build "$root/tests/GraphNet.Tests" -c Release --nologo -v quiet >&2
exec dotnet exec "$root/tests/GraphNet.Tests/bin/Release/net10.0/GraphNet.Tests.dll" fuzz "$mutants" "$seed" "$out"
