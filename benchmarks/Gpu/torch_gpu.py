"""PyTorch on the same GPU for the GPU check: (a) MLP 784-256-256-10 SGD step (batch 128), (e) one GPT-style block
training step (batch 16, seq 128, d 256, 4 heads, Adam), (g) the fusion probe tanh(0.5x+0.1)*sigmoid(1.5x) on 16M
floats; each eager and, where torch.compile works, compiled. Prints one JSON line per workload and mode.

Run on a GPU machine: python3 benchmarks/Gpu/torch_gpu.py
"""
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timed(fn, warmup=5, reps=11, min_rep_s=0.2):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    t0 = time.perf_counter(); fn(); torch.cuda.synchronize()
    one = max(time.perf_counter() - t0, 1e-9)
    inner = max(1, math.ceil(min_rep_s / one))
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        torch.cuda.synchronize()
        out.append((time.perf_counter() - t0) / inner)
    out.sort()
    return {"median": out[len(out) // 2] * 1e3, "min": out[0] * 1e3, "max": out[-1] * 1e3, "unit": "ms", "n": len(out)}


def emit(bench, mode, ms):
    print(json.dumps({"bench": bench, "config": {"device": torch.cuda.get_device_name(0), "mode": mode, "torch": torch.__version__},
                      "results": {"ms_per_step": ms, "steps_per_s": 1e3 / ms["median"]}}), flush=True)


def modes(make):
    yield "eager", make(False)
    if hasattr(torch, "compile"):
        try:
            fn = make(True)
            fn()
            yield "torch.compile", fn
        except Exception as e:  # noqa: BLE001 - report and go on
            print(json.dumps({"note": f"torch.compile failed: {type(e).__name__}: {e}"[:300]}), flush=True)


def mlp(compiled):
    dev = "cuda"
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)).to(dev)
    fwd = torch.compile(model) if compiled else model
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(128, 784, device=dev)
    y = torch.randint(0, 10, (128,), device=dev)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(fwd(x), y).backward()
        opt.step()
    return step


def gpt(compiled):
    B, T, d, H, dff = 16, 128, 256, 4, 1024

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(d); self.ln2 = nn.LayerNorm(d)
            self.qkv = nn.Linear(d, 3 * d); self.proj = nn.Linear(d, d)
            self.fc1 = nn.Linear(d, dff); self.fc2 = nn.Linear(dff, d)
            self.register_buffer("mask", torch.tril(torch.ones(T, T, dtype=torch.bool)).view(1, 1, T, T))

        def forward(self, x):
            q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
            q, k, v = (t.view(B, T, H, d // H).transpose(1, 2) for t in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // H))
            att = F.softmax(att.masked_fill(~self.mask, float("-inf")), dim=-1)
            x = x + self.proj((att @ v).transpose(1, 2).contiguous().view(B, T, d))
            return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))

    model = Block().cuda()
    fwd = torch.compile(model) if compiled else model
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    x = torch.randn(B, T, d, device="cuda")
    target = torch.randn(B, T, d, device="cuda")

    def step():
        opt.zero_grad(set_to_none=True)
        F.mse_loss(fwd(x), target).backward()
        opt.step()
    return step


def fusion(compiled):
    x = torch.rand(16 * 1024 * 1024, device="cuda") * 4 - 2
    f = lambda t: torch.tanh(0.5 * t + 0.1) * torch.sigmoid(1.5 * t)  # noqa: E731
    g = torch.compile(f) if compiled else f
    return lambda: g(x)


if __name__ == "__main__":
    for name, make in (("a_mlp", mlp), ("e_transformer", gpt), ("g_fusion", fusion)):
        for mode, fn in modes(make):
            emit(name, mode, timed(fn))
