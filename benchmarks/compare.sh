#!/usr/bin/env bash
# GraphNet against PyTorch 1.13 "openmp-tuned" (shared/peers), same machine, interleaved rounds, then the ratios.
#   usage: benchmarks/compare.sh [TAG] [ROUNDS]      defaults: TAG = UTC time stamp, ROUNDS = 3
# Writes benchmarks/results/TAG/{peers_openmp-tuned,peers_csharp,gemm_openmp-tuned,gemm_csharp,machine}.jsonl,
# prints benchmarks/ratios.py's table and shared/peers/summarize.py's peers table (GraphNet as the "csharp" column).
# Needs the peers' packages (see shared/peers/README.md); PEERS points at the peers folder (default ../shared/peers).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
PY=/usr/bin/python3
TAG=${1:-$(date -u +%Y%m%dT%H%M%SZ)}
ROUNDS=${2:-3}
OUT=$ROOT/benchmarks/results/$TAG
mkdir -p "$OUT"
[ -x "$PEERS/peerenv.sh" ] || { echo "no peers folder at $PEERS (set PEERS)" >&2; exit 2; }
[ -x "$PEERS/machine/fused_probe" ] || (cd "$PEERS" && machine/build.sh)
dotnet build -c Release "$ROOT/benchmarks/Peers" -v quiet -nologo >/dev/null
GN="dotnet $ROOT/benchmarks/Peers/bin/Release/net10.0/Peers.dll"
for r in $(seq "$ROUNDS"); do
  echo "[$(date -u +%T)] round $r/$ROUNDS" >&2
  (cd "$PEERS"
   for w in "a_mlp.py --mode eager" b_lenet.py c_logreg.py d_kmeans.py "e_transformer.py --impl manual" "f_mf.py --impl manual" "f_mf.py --impl autograd" g_fusion.py i_lstm.py; do
     # shellcheck disable=SC2086
     ./peerenv.sh openmp-tuned $PY workloads/$w 2>>"$OUT/stderr.log" || echo "FAILED: $w" >&2
   done >> "$OUT/peers_openmp-tuned.jsonl"
   ./peerenv.sh openmp-tuned $PY machine/gemm.py --libs torch --threads 2 --budget 3 >> "$OUT/gemm_openmp-tuned.jsonl" 2>>"$OUT/stderr.log"
   ./peerenv.sh openmp-tuned $PY "$ROOT/benchmarks/Peers/eager_op.py" >> "$OUT/peers_openmp-tuned.jsonl" 2>>"$OUT/stderr.log"
   OMP_NUM_THREADS=2 machine/fused_probe >> "$OUT/machine.jsonl")
  $GN --threads 2 g_fusion c_logreg a_mlp b_lenet d_kmeans e_transformer f_mf i_lstm eager_op >> "$OUT/peers_csharp.jsonl"
  $GN --threads 2 sgemm >> "$OUT/gemm_csharp.jsonl"
done
$PY "$ROOT/benchmarks/ratios.py" "$OUT"
echo
$PY "$PEERS/summarize.py" "$OUT" | sed -n '/### Peers/,/### Fusion/p'
