"""GraphNet / PyTorch ratios for issue 5's targets from one results folder written by benchmarks/compare.sh.

usage: /usr/bin/python3 benchmarks/ratios.py benchmarks/results/TAG
Each side: median of the per-run medians (min-max over every repetition of every run) [runs], as summarize.py.
Ratio > 1 means GraphNet is faster (for times, PyTorch's time over GraphNet's).
"""
import glob
import json
import os
import statistics
import sys


def load(folder, name):
    rows = []
    for line in open(os.path.join(folder, name + ".jsonl")) if os.path.exists(os.path.join(folder, name + ".jsonl")) else []:
        line = line.strip()
        if line.startswith("{"):
            try:
                rows.append(json.loads(line))
            except ValueError:
                pass
    return rows


def pick(rows, bench, metric, **cfg):
    vs = [r["results"][metric] for r in rows if r["bench"] == bench and metric in r["results"]
          and all(r["config"].get(k) == v for k, v in cfg.items())]
    if not vs:
        return None
    return {"median": statistics.median(v["median"] for v in vs), "min": min(v["min"] for v in vs),
            "max": max(v["max"] for v in vs), "runs": len(vs)}


def cell(s):
    return "–" if s is None else f"{s['median']:.4g} ({s['min']:.4g}–{s['max']:.4g}) [{s['runs']}]"


def main():
    d = sys.argv[1]
    gn, pt = load(d, "peers_csharp"), load(d, "peers_openmp-tuned")
    ggn, gpt = load(d, "gemm_csharp"), load(d, "gemm_openmp-tuned")
    mach = load(d, "machine")
    rows = []

    def row(label, target, a, b, higher_is_better=True):
        ratio = None if a is None or b is None else (a["median"] / b["median"] if higher_is_better else b["median"] / a["median"])
        rows.append((label, cell(a), cell(b), "–" if ratio is None else f"{ratio:.2f}x", target))

    row("(a) MLP steps/s", ">= 1.5x", pick(gn, "a_mlp", "steps_per_s"), pick(pt, "a_mlp", "steps_per_s", mode="eager"))
    row("(b) LeNet-5 steps/s", ">= 3x", pick(gn, "b_lenet", "steps_per_s"), pick(pt, "b_lenet", "steps_per_s"))
    row("(c) logreg full-batch step ms (vs torch manual)", ">= 1.8x", pick(gn, "c_logreg", "torch_manual_step_ms"),
        pick(pt, "c_logreg", "torch_manual_step_ms"), higher_is_better=False)
    row("(c) logreg step ms (vs torch autograd)", "", pick(gn, "c_logreg", "torch_autograd_step_ms"),
        pick(pt, "c_logreg", "torch_autograd_step_ms"), higher_is_better=False)
    row("(d) K-means Lloyd iteration ms (vs scikit-learn)", ">= 3.5x", pick(gn, "d_kmeans", "ms_per_iter"), pick(pt, "d_kmeans", "sklearn_ms_per_iter"),
        higher_is_better=False)
    row("(d) K-means Lloyd iteration ms (vs hand-written torch)", "", pick(gn, "d_kmeans", "ms_per_iter"), pick(pt, "d_kmeans", "torch_ms_per_iter"),
        higher_is_better=False)
    row("(f) MF SGD epoch s (vs torch manual index_add_)", ">= 3x", pick(gn, "f_mf", "s_per_epoch"), pick(pt, "f_mf", "s_per_epoch", impl="manual"),
        higher_is_better=False)
    row("(f) MF SGD epoch s (vs torch autograd, sparse embeddings)", "", pick(gn, "f_mf", "s_per_epoch"), pick(pt, "f_mf", "s_per_epoch", impl="autograd"),
        higher_is_better=False)
    row("(e) GPT block steps/s", ">= 1.3x", pick(gn, "e_transformer", "steps_per_s"), pick(pt, "e_transformer", "steps_per_s", impl="manual"))
    row("(i) char LSTM steps/s", ">= 1.5x", pick(gn, "i_lstm", "steps_per_s"), pick(pt, "i_lstm", "steps_per_s"))
    row("(g) fusion probe ms (vs torch eager)", ">= 5x", pick(gn, "g_fusion", "eager_ms"), pick(pt, "g_fusion", "eager_ms"), higher_is_better=False)
    row("(g) fusion probe ms (vs torch eager, out= buffers)", "", pick(gn, "g_fusion", "eager_ms"), pick(pt, "g_fusion", "eager_out_ms"), higher_is_better=False)
    row("(g) fusion probe ms (vs one-pass C kernel, 2 threads)", ">= 1/1.2 = 0.83x", pick(gn, "g_fusion", "eager_ms"),
        pick(mach, "fused_probe_c", "fused_ms", threads=2), higher_is_better=False)
    row("(g) copy floor ms (GraphNet copy vs torch copy_)", "", pick(gn, "g_fusion", "copy_floor_ms"), pick(pt, "g_fusion", "copy_floor_ms"), higher_is_better=False)
    for op in ("add", "exp", "tanh"):
        row(f"eager {op}, 2000x784, ms (vs torch eager)", ">= 0.5x (within 2x)", pick(gn, "eager_op", f"{op}_ms"), pick(pt, "eager_op", f"{op}_ms"),
            higher_is_better=False)
    for n in (256, 512, 1024, 2048):
        row(f"sgemm n={n}, 2 threads, GFLOP/s (vs OpenBLAS via torch.mm)", ">= 0.9x", pick(ggn, "sgemm", "gflops", n=n, threads=2),
            pick(gpt, "sgemm", "gflops", n=n, threads=2))
    print(f"<!-- benchmarks/ratios.py {d} -->")
    print("| workload | GraphNet | PyTorch 1.13 openmp-tuned (or C) | ratio | target |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
