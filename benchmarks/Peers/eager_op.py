"""PyTorch's side of the eager_op row (GraphNet's: benchmarks/Peers, workload eager_op): one op called eagerly over
2000x784 floats, a new result tensor per call, timed like the peers (median of repeated calls after warm-up).
Run with the peers' environment: ./peerenv.sh openmp-tuned python3 <repo>/benchmarks/Peers/eager_op.py"""
import json, os, statistics, time
import torch

torch.manual_seed(0)
threads = int(os.environ.get("OMP_NUM_THREADS", "2"))
torch.set_num_threads(threads)
x = torch.rand(2000, 784) * 4 - 2
y = torch.rand(2000, 784) * 4 - 2


def ms(fn, warmup=3, reps=11, min_rep_s=0.2):
    for _ in range(warmup):
        fn()
    inner = 1
    while True:
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        if time.perf_counter() - t >= min_rep_s or inner >= 1 << 16:
            break
        inner *= 2
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        out.append((time.perf_counter() - t) / inner * 1e3)
    return {"median": statistics.median(out), "min": min(out), "max": max(out), "unit": "ms", "n": reps}


print(json.dumps({"bench": "eager_op", "config": {"threads": threads, "shape": "2000x784", "torch": torch.__version__},
                  "results": {"add_ms": ms(lambda: torch.add(x, y)), "exp_ms": ms(lambda: torch.exp(x)), "tanh_ms": ms(lambda: torch.tanh(x))}}))
