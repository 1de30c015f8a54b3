#!/usr/bin/env bash
# The GPU check. Three commands:
#   bash benchmarks/Gpu/run.sh build    here: a self-contained linux-x64 publish of benchmarks/Gpu, packed as
#                                       benchmarks/Gpu/out/gpucheck.tar.xz (ignored by git; carry it to the GPU machine)
#   bash benchmarks/Gpu/run.sh device   on the GPU machine (no .NET, no network): unpacks it, runs the checks, one MNIST
#                                       epoch and the timings on CUDA, then PyTorch on the same GPU (eager, torch.compile);
#                                       JSON lines and logs go to $OUT (or benchmarks/Gpu/out)
#   bash benchmarks/Gpu/run.sh local    here: the same publish run end to end on ILGPU's CPU accelerator (--quick)
set -euo pipefail
cd "$(dirname "$0")/../.."
out_dir=benchmarks/Gpu/out
case "${1:-build}" in
  build)
    rm -rf "$out_dir/publish"
    dotnet publish benchmarks/Gpu -c Release -r linux-x64 --self-contained -o "$out_dir/publish" -v quiet --nologo
    tar -C "$out_dir" -cJf "$out_dir/gpucheck.tar.xz" publish
    rm -rf "$out_dir/publish"
    ls -l "$out_dir/gpucheck.tar.xz"
    ;;
  device)
    dest=${OUT:-$out_dir}
    mkdir -p "$dest" /tmp/gpucheck
    tar -xJf "$out_dir/gpucheck.tar.xz" -C /tmp/gpucheck
    (nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true) | tee "$dest/nvidia-smi.txt"
    set +e
    timeout 300 /tmp/gpucheck/publish/GpuCheck --device cuda 2>&1 | tee "$dest/graphnet.log"
    graphnet=${PIPESTATUS[0]}
    timeout 150 python3 benchmarks/Gpu/torch_gpu.py 2>&1 | tee "$dest/torch.log"
    set -e
    exit "$graphnet"
    ;;
  local)
    [ -f "$out_dir/gpucheck.tar.xz" ] || "$0" build
    rm -rf /tmp/gpucheck && mkdir -p /tmp/gpucheck
    tar -xJf "$out_dir/gpucheck.tar.xz" -C /tmp/gpucheck
    /tmp/gpucheck/publish/GpuCheck --device cpu-accelerator --quick
    ;;
  *) echo "usage: $0 build|device|local" >&2; exit 2 ;;
esac
