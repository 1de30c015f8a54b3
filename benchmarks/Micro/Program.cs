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

/// <summary>
/// An SGD step on an embedding table [Rows, 32] whose gradient is nonzero in a batch's rows only: the full pass against
/// the rows form (<see cref="GraphNet.GradientRows"/>), which steps only the distinct rows when they are at most 1/8 of
/// the table and the full pass otherwise.
/// </summary>
public class RowSparseStepBench
{
    private GraphNet.Parameter[] _ps = Array.Empty<GraphNet.Parameter>();
    private GraphNet.GradientRows[] _rows = Array.Empty<GraphNet.GradientRows>();
    private readonly GraphNet.Sgd _sgd = new(0.01f);

    [Params(10000, 100000)] public int Rows { get; set; }
    [Params(250, 1000, 4096)] public int Ids { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var w = new GraphNet.Tensor(Rows, 32);
        var g = new GraphNet.Tensor(Rows, 32);
        var r = new Random(1);
        var ids = new float[Ids];
        for (int i = 0; i < Ids; i++) { ids[i] = r.Next(Rows); g.Data.AsSpan((int)ids[i] * 32, 32).Fill(0.01f); }
        var p = new GraphNet.Parameter("table", w, g);
        _ps = new[] { p };
        _rows = new[] { new GraphNet.GradientRows(p, ids, Ids) };
    }

    [Benchmark(Baseline = true)] public void FullPass() => _sgd.Step(_ps);
    [Benchmark] public void RowsForm() => _sgd.Step(_ps, _rows);
}

/// <summary>A column sum [Rows, N] → [N] (a bias's gradient) on the caller against <see cref="Workers.ForParts"/>.</summary>
public class ColumnSumBench
{
    private struct Sums : IPartialJob
    {
        public float[] X;
        public int N;

        public readonly void Run(int lo, int hi, Span<float> part)
        {
            part.Clear();
            for (int r = lo; r < hi; r++)
            {
                var row = X.AsSpan(r * N, N);
                for (int j = 0; j < N; j++) part[j] += row[j];
            }
        }
    }

    private Sums _job;
    private float[] _out = Array.Empty<float>();

    [Params("50176x6", "6400x16", "2048x1024", "2048x256")] public string Shape { get; set; } = "";

    private (int Rows, int N) Dims() { var p = Shape.Split('x'); return (int.Parse(p[0]), int.Parse(p[1])); }

    [GlobalSetup]
    public void Setup()
    {
        var (rows, n) = Dims();
        var x = new float[rows * n];
        for (int i = 0; i < x.Length; i++) x[i] = i % 7;
        _job = new Sums { X = x, N = n };
        _out = new float[n];
    }

    [Benchmark(Baseline = true)] public void OnCaller() => _job.Run(0, Dims().Rows, _out);
    [Benchmark] public void InParts() { var (rows, n) = Dims(); Workers.ForParts(ref _job, rows, n, 1, _out, n); }
}
