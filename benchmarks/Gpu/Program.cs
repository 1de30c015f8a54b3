using System;
using System.Collections.Generic;
using System.Linq;
using Benchmarks.Peers;
using GraphNet;
using GraphNet.Gpu;

// The GPU check (benchmarks/Gpu/run.sh runs it on a GPU machine): 1. the device runners against the CPU backend on the
// MLP, the fusion probe, the GPT block and the GEMM routine; 2. the MNIST MLP trained for one epoch on the device;
// 3. steps per second of workloads (a) MLP, (e) GPT block and (g) fusion probe on the device, as the peers' JSON lines.
// Options: --device cuda | cpu-accelerator (default: CUDA if present), --quick (smaller runs, for the CPU accelerator).
int at = Array.IndexOf(args, "--device");
bool quick = args.Contains("--quick");
using var device = at >= 0 && at + 1 < args.Length
    ? args[at + 1] switch { "cuda" => GpuDevice.Cuda(), "cpu-accelerator" => GpuDevice.CpuAccelerator(), var d => throw new ArgumentException($"--device {d}: expected cuda or cpu-accelerator") }
    : GpuDevice.Default();
Console.WriteLine($"device: {device.Name}");
int failures = 0;

void Check(string what, Tensor cpu, Tensor dev, double tol = 1e-3)
{
    double worst = 0;
    for (int i = 0; i < cpu.Length; i++) worst = Math.Max(worst, Math.Abs(cpu.Data[i] - dev.Data[i]) / (1 + Math.Abs(cpu.Data[i])));
    bool ok = cpu.Shape.SequenceEqual(dev.Shape) && worst <= tol;
    if (!ok) failures++;
    Console.WriteLine($"check {(ok ? "PASS" : "FAIL")} {what}: largest relative difference {worst:G3}");
}

Tensor Normal(int seed, params int[] shape)
{
    var t = new Tensor(shape);
    new Rng((ulong)seed, 5).FillNormal(t.Data, 0, 1);
    return t;
}

// 1. checks
{
    var mlp = new Samples.MnistMlp.Mlp(seed: 1);
    var gpu = mlp.OnGpu(device);
    var x = Normal(1, 64, 784);
    var y = Tensor.FromArray(Enumerable.Range(0, 64).Select(i => (float)(i % 10)).ToArray(), 64);
    Check("MLP forward", mlp.Predict(x), gpu.Predict(x));
    float lc = mlp.LossAndGradients(x, y);
    var grads = mlp.Parameters.Select(p => p.Grad.ToArray()).ToList();
    float lg = gpu.LossAndGradients(x, y);
    Check("MLP loss", Tensor.FromArray(new[] { lc }, 1), Tensor.FromArray(new[] { lg }, 1));
    for (int i = 0; i < grads.Count; i++)
        Check($"MLP gradient {mlp.Parameters[i].Name}", Tensor.FromArray(grads[i], grads[i].Length), Tensor.FromArray(mlp.Parameters[i].Grad.ToArray(), grads[i].Length));
    var probe = new FusionProbe();
    var px = Normal(2, 1 << 20);
    Check("fusion probe", probe.Fused(px), probe.OnGpu(device).Fused(px));
    var block = new TransformerBlock(seed: 1);
    var blockOnDevice = new TransformerBlock(seed: 1);
    var bx = Normal(3, 2, TransformerBlock.T, TransformerBlock.D);
    var bt = Normal(4, 2, TransformerBlock.T, TransformerBlock.D);
    if (TransformerBlock.OnDevice.HostOnly.Any(h => h.Entry == "Step"))
        Console.WriteLine($"check SKIP GPT block step: host only ({TransformerBlock.OnDevice.HostOnly.First(h => h.Entry == "Step").Reason})");
    else
        Check("GPT block training step (loss)", Tensor.FromArray(new[] { block.Step(bx, bt, new Adam(3e-4f)) }, 1),
            Tensor.FromArray(new[] { blockOnDevice.OnGpu(device).Step(bx, bt, new Adam(3e-4f)) }, 1));
}

Console.WriteLine($"cublas: {device.CuBlasUnavailable ?? (device.IsCpuAccelerator ? "not asked" : "in use, checked against GraphNet's GEMM kernel")}");

// 2. MNIST MLP, one epoch on the device
{
    var progress = new GraphNet.Terminal.TrainingProgress(Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        { Out = new Spectre.Console.AnsiConsoleOutput(System.IO.TextWriter.Null), Interactive = Spectre.Console.InteractionSupport.No }));
    var r = Samples.MnistMlp.Sample.Run(epochs: 1, progress: progress, device: device, limit: quick ? 2048 : null);
    Console.WriteLine($"mnist-mlp: one epoch on {device.Name}: test accuracy {r.TestAccuracy[0]:P2}, {r.SamplesPerSecond:N0} samples/s");
}

// 3. timings on the device
{
    double budget = quick ? 3 : 15;
    const int B = 128;
    var mlp = new Samples.MnistMlp.Mlp(seed: 1).OnGpu(device);
    var x = Normal(5, B, 784);
    var y = Tensor.FromArray(Enumerable.Range(0, B).Select(i => (float)(i % 10)).ToArray(), B);
    var sgd = new Sgd(0.01f);
    var a = Bench.Run(() => mlp.Step(x, y, sgd), warmup: 5, reps: 11, minRepS: 0.2, budgetS: budget);
    Bench.Emit("a_mlp", new (string, object)[] { ("device", device.Name), ("batch", B), ("optimizer", "SGD(lr=0.01)") },
        new[] { ("steps_per_s", Bench.Rate(a, 1, "steps/s")), ("ms_per_step", Bench.Ms(a)) });

    int gptBatch = quick ? 2 : 16;
    var block = new TransformerBlock(seed: 1).OnGpu(device);
    if (!TransformerBlock.OnDevice.HostOnly.Any(h => h.Entry == "Step"))
    {
        var bx = Normal(6, gptBatch, TransformerBlock.T, TransformerBlock.D);
        var bt = Normal(7, gptBatch, TransformerBlock.T, TransformerBlock.D);
        var adam = new Adam(3e-4f);
        var e = Bench.Run(() => block.Step(bx, bt, adam), warmup: 2, reps: 7, minRepS: 0.2, budgetS: budget);
        Bench.Emit("e_transformer", new (string, object)[] { ("device", device.Name), ("batch", gptBatch), ("seq", TransformerBlock.T), ("optimizer", "Adam(lr=3e-4)") },
            new[] { ("steps_per_s", Bench.Rate(e, 1, "steps/s")), ("ms_per_step", Bench.Ms(e)) });
    }

    int n = quick ? 1 << 20 : 16 << 20;
    var probe = new FusionProbe().OnGpu(device);
    var px = Normal(8, n);
    var g = Bench.Run(() => probe.Fused(px), warmup: 3, reps: 11, minRepS: 0.2, budgetS: budget);
    Bench.Emit("g_fusion", new (string, object)[] { ("device", device.Name), ("elements", n), ("includes", "upload and download of x and y") },
        new[] { ("ms", Bench.Ms(g)) });
}

Console.WriteLine(failures == 0 ? "all checks passed" : $"{failures} checks failed");
return failures == 0 ? 0 : 1;
