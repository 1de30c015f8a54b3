using System;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using GraphNet.Runtime;

// dotnet run -c Release --project benchmarks/Micro -- --filter '*'      (or e.g. --filter '*Gemm*')
BenchmarkSwitcher.FromAssembly(typeof(GemmBench).Assembly).Run(args);

/// <summary>GEMM at the shapes the peers' workloads run (MLP layer and its gradients, square sizes), both microkernels.</summary>
[MemoryDiagnoser]
public class GemmBench
{
    private float[] _a = Array.Empty<float>(), _b = Array.Empty<float>(), _c = Array.Empty<float>();

    [Params("128x256x784", "784x256x128T", "512x512x512", "1024x1024x1024")]
    public string Shape { get; set; } = "";

    [Params(true, false)]
    public bool Avx512 { get; set; }

    private (int M, int N, int K, bool TransA) Dims()
    {
        var p = Shape.TrimEnd('T').Split('x');
        return (int.Parse(p[0]), int.Parse(p[1]), int.Parse(p[2]), Shape.EndsWith('T'));
    }

    [GlobalSetup]
    public void Setup()
    {
        var (m, n, k, _) = Dims();
        var r = new Random(1);
        _a = new float[m * k]; _b = new float[k * n]; _c = new float[m * n];
        for (int i = 0; i < _a.Length; i++) _a[i] = (float)r.NextDouble();
        for (int i = 0; i < _b.Length; i++) _b[i] = (float)r.NextDouble();
        Gemm.UseAvx512 = Avx512;
    }

    [Benchmark]
    public void MatMul()
    {
        var (m, n, k, tA) = Dims();
        Gemm.MatMul(tA, false, 1, m, n, k, _a, _b, _c);
    }
}

/// <summary>The polynomial transcendentals against the BCL's vector Exp, over 64K floats (in L2).</summary>
public class TranscendentalBench
{
    private readonly float[] _x = new float[1 << 16], _y = new float[1 << 16];

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < _x.Length; i++) _x[i] = (i % 2000) / 250f - 4f;
    }

    [Benchmark(Baseline = true)] public void BclExp() => Map(static v => Vector512.Exp(v));
    [Benchmark] public void Exp() => Map(static v => VMath.Exp(v));
    [Benchmark] public void Tanh() => Map(static v => VMath.Tanh(v));
    [Benchmark] public void Sigmoid() => Map(static v => VMath.Sigmoid(v));
    [Benchmark] public void Erf() => Map(static v => VMath.Erf(v));

    private void Map(Func<Vector512<float>, Vector512<float>> f)
    {
        for (int i = 0; i < _x.Length; i += 16) f(Vector512.Create(_x.AsSpan(i, 16))).CopyTo(_y.AsSpan(i, 16));
    }
}

/// <summary>What one split over the worker pool costs (an empty job of two tasks).</summary>
public class PoolBench
{
    private struct Nothing : IParallelJob
    {
        public void Run(int task) { }
    }

    [Benchmark]
    public void EmptySplit()
    {
        var job = new Nothing();
        Workers.For(2, ref job);
    }
}
