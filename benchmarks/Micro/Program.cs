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

/// <summary>
/// Fused attention (forward, then all three gradients) against the six batched products the unfused form runs
/// (q·kᵀ, P·v, dO·vᵀ, Pᵀ·dO, dS·k, dSᵀ·q) alone, without its softmax, mask and gradient passes over [slices, T, T]:
/// causal, d = 64, at a GPT block's 64 slices of T = 128 and at 4 slices of T = 1024.
/// </summary>
public class AttentionBench
{
    private float[] _q = Array.Empty<float>(), _k = Array.Empty<float>(), _v = Array.Empty<float>(), _o = Array.Empty<float>(), _g = Array.Empty<float>();
    private float[] _grad = Array.Empty<float>(), _scores = Array.Empty<float>(), _rows = Array.Empty<float>();
    private int _slices, _t;
    private const int D = 64;

    [Params("64x128", "4x1024")] public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var p = Shape.Split('x');
        (_slices, _t) = (int.Parse(p[0]), int.Parse(p[1]));
        var rng = new Random(1);
        float[] R(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)rng.NextDouble() - 0.5f; return a; }
        _q = R(_slices * _t * D); _k = R(_slices * _t * D); _v = R(_slices * _t * D); _g = R(_slices * _t * (D + 1));
        _o = new float[_slices * _t * (D + 1)];
        _grad = new float[_slices * _t * 3 * D];
        _scores = new float[_slices * _t * _t];
        _rows = new float[_slices * _t * D];
        AttentionKernels.Forward(_q, _k, _v, _o, _slices, _t, _t, D, D, 0.125f, true);
    }

    [Benchmark]
    public void Fused()
    {
        AttentionKernels.Forward(_q, _k, _v, _o, _slices, _t, _t, D, D, 0.125f, true);
        AttentionKernels.Backward(_q, _k, _v, _o, _g, _grad, _slices, _t, _t, D, D, 0.125f, true, 2);
    }

    [Benchmark(Baseline = true)]
    public void UnfusedProductsOnly()
    {
        int s = _slices, t = _t;
        Gemm.MatMul(false, true, s, t, t, D, _q, _k, _scores);
        Gemm.MatMul(false, false, s, t, D, t, _scores, _v, _rows);
        Gemm.MatMul(false, true, s, t, t, D, _rows, _v, _scores);
        Gemm.MatMul(true, false, s, t, D, t, _scores, _rows, _grad);
        Gemm.MatMul(false, false, s, t, D, t, _scores, _k, _rows);
        Gemm.MatMul(true, false, s, t, D, t, _scores, _q, _grad);
    }
}

/// <summary>LeNet-5's convolutions: direct (from the image) against windows (im2col) and the GEMM, forward and weight gradient.</summary>
public class DirectConvolutionBench
{
    private float[] _x = Array.Empty<float>(), _w = Array.Empty<float>(), _y = Array.Empty<float>(), _dw = Array.Empty<float>(), _cols = Array.Empty<float>();
    private int _c, _h, _o, _oh, _pad;

    [Params("conv1", "conv2")] public string Layer { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        (_c, _h, _o, _pad) = Layer == "conv1" ? (1, 28, 6, 2) : (6, 14, 16, 0);
        _oh = _h + 2 * _pad - 4;
        var rng = new Random(2);
        float[] R(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)rng.NextDouble() - 0.5f; return a; }
        _x = R(64 * _c * _h * _h); _w = R(_o * _c * 25); _y = R(64 * _o * _oh * _oh);
        _dw = new float[_o * _c * 25];
        _cols = new float[64 * _oh * _oh * _c * 25];
    }

    [Benchmark]
    public void Direct()
    {
        Convolution.Forward(_x, _w, _y, 64, _c, _h, _h, _oh, _oh, 5, 5, 1, 1, 1, 1, _pad, _pad, _o);
        Convolution.WeightGradient(_y, _x, _dw, 64, _c, _h, _h, _oh, _oh, 5, 5, 1, 1, 1, 1, _pad, _pad, _o);
    }

    [Benchmark(Baseline = true)]
    public void WindowsAndGemm()
    {
        int rows = 64 * _oh * _oh, taps = _c * 25;
        Windows.Unfold(_x, _cols, 64, _c, _h, _h, _oh, _oh, 5, 5, 1, 1, 1, 1, _pad, _pad);
        Gemm.MatMul(false, true, 1, rows, _o, taps, _cols, _w, _y); // the [rows, O] product (the layout transposed back is not counted)
        Gemm.MatMul(true, false, 1, _o, taps, rows, _y, _cols, _dw);
    }
}
