using System;
using ILGPU;
using ILGPU.Runtime;

namespace GraphNet.Gpu;

/// <summary>
/// The base of a model's generated device runner (<c>model.OnGpu(device)</c>): one device buffer holds the error cell,
/// the model's state (parameters, buffers, gradients at fixed offsets) and the entry points' work area (inputs,
/// results and the memory plan's slots at offsets computed from the bound dims). Copies between host and device are
/// explicit: <see cref="Upload"/> puts host values in, and entries return host tensors.
/// </summary>
public abstract class DeviceModel : IDisposable
{
    private MemoryBuffer1D<float, Stride1D.Dense> _memory;
    private readonly float[] _error = new float[1];

    /// <summary>The device the model runs on.</summary>
    public GpuDevice Device { get; }

    /// <summary>Where the work area starts: after the error cell and the state.</summary>
    protected long WorkStart { get; }

    protected DeviceModel(GpuDevice device, long stateFloats)
    {
        Device = device ?? throw new ArgumentNullException(nameof(device), "Pass a device, for example GpuDevice.Default().");
        WorkStart = 1 + stateFloats;
        _memory = device.Accelerator.Allocate1D<float>(WorkStart);
        _memory.MemSetToZero();
    }

    /// <summary>The whole device memory.</summary>
    protected ArrayView<float> Memory => _memory.View;

    /// <summary>Makes the work area at least <paramref name="floats"/> long, keeping the state.</summary>
    protected void EnsureWork(long floats)
    {
        long need = WorkStart + floats;
        if (_memory.Length >= need) return;
        var grown = Device.Accelerator.Allocate1D<float>(Math.Max(need, _memory.Length + _memory.Length / 2));
        grown.View.SubView(0, WorkStart).CopyFrom(_memory.View.SubView(0, WorkStart));
        Device.Accelerator.Synchronize(); // the copy has finished before the old buffer goes
        _memory.Dispose();
        _memory = grown;
    }

    /// <summary>Copies <paramref name="count"/> host floats to device offset <paramref name="at"/>.</summary>
    protected void Upload(float[] data, long at, long count)
    {
        if (count > 0) Memory.SubView(at, count).CopyFromCPU(new ReadOnlySpan<float>(data, 0, (int)count));
    }

    /// <summary>Copies <paramref name="count"/> device floats at <paramref name="at"/> to the host.</summary>
    protected void Download(long at, float[] data, long count)
    {
        if (count > 0) Memory.SubView(at, count).CopyToCPU(new Span<float>(data, 0, (int)count));
    }

    /// <summary>Runs a kernel over <paramref name="extent"/> threads.</summary>
    protected void Launch(Action<Index1D, ArrayView<float>, KernelArgs> kernel, long extent, KernelArgs args) => Device.Launch(kernel, extent, Memory, args);

    /// <summary>Waits for the device, then turns a bad index a kernel met into the error the CPU path gives.</summary>
    protected void Finish(string entry)
    {
        Device.Accelerator.Synchronize();
        Download(Routines.ErrorCell, _error, 1);
        if (_error[0] == 0) return;
        Memory.SubView(Routines.ErrorCell, 1).MemSetToZero();
        if (_error[0] < 0)
            throw new ArithmeticException($"{entry}: matrix {-_error[0] - 1:0} of a linear solve or a Cholesky factorization is singular or not positive definite to working precision; add a small ridge to the diagonal.");
        throw new ArgumentOutOfRangeException("ids",
            $"{entry}: an index at position {_error[0] - 1:0} is out of range or not an integer: expected an integer in 0 .. rows − 1 (a class label, a token id or a row of a table).");
    }

    // ---- the runtime routines, on the device -------------------------------------------------------------------

    /// <summary>C = op(A)·op(B) per batch, by the device's tiled GEMM.</summary>
    protected void Gemm(bool transA, bool transB, int batch, int m, int n, int k, long a, long b, long c) =>
        Device.Gemm(Memory, batch, m, n, k, transA, transB, a, b, c);

    protected void Iota(long at, int outer, int n, int inner) => Launch(Routines.Iota, (long)outer * n * inner, new KernelArgs { A0 = n, A1 = inner, A2 = (int)at });

    protected void Fill(long at, long count, float value) => Launch(Routines.Fill, count, new KernelArgs { A1 = (int)at, F0 = value });

    protected void Copy(long from, long to, long count) => Launch(Routines.Copy, count, new KernelArgs { A1 = (int)from, A2 = (int)to });

    protected void Gather(long table, long ids, long output, int count, int rowLength, int rows) =>
        Launch(Routines.Gather, (long)count * rowLength, new KernelArgs { A0 = rowLength, A1 = rows, A2 = (int)table, A3 = (int)ids, A4 = (int)output });

    protected void ScatterAdd(long ids, long values, long output, int count, int rowLength, int rows)
    {
        Fill(output, (long)rows * rowLength, 0f);
        Launch(Routines.ScatterAdd, (long)count * rowLength, new KernelArgs { A0 = rowLength, A1 = rows, A2 = (int)ids, A3 = (int)values, A4 = (int)output });
    }

    protected void Slice(long x, long output, int outer, int n, int inner, int start, int length) =>
        Launch(Routines.Slice, (long)outer * length * inner, new KernelArgs { A0 = n, A1 = inner, A2 = start, A3 = length, A4 = (int)x, A5 = (int)output });

    protected void Pad(long x, long output, int outer, int n, int inner, int before, int after) =>
        Launch(Routines.Pad, (long)outer * (before + n + after) * inner, new KernelArgs { A0 = n, A1 = inner, A2 = before, A3 = before + n + after, A4 = (int)x, A5 = (int)output });

    protected void ArgExtreme(long x, long output, int outer, int n, int inner, bool max) =>
        Launch(Routines.ArgExtreme, (long)outer * inner, new KernelArgs { A0 = n, A1 = inner, A2 = max ? 1 : 0, A3 = (int)x, A4 = (int)output });

    protected void CumSum(long x, long output, int outer, int n, int inner, bool reverse) =>
        Launch(Routines.CumSum, (long)outer * inner, new KernelArgs { A0 = n, A1 = inner, A2 = reverse ? 1 : 0, A3 = (int)x, A4 = (int)output });

    protected void TakeAlong(long x, long indices, long output, int outer, int n, int m, int inner) =>
        Launch(Routines.TakeAlong, (long)outer * m * inner, new KernelArgs { A0 = n, A1 = m, A2 = inner, A3 = (int)x, A4 = (int)indices, A5 = (int)output });

    protected void PutAlong(long indices, long values, long output, int outer, int n, int m, int inner)
    {
        Fill(output, (long)outer * n * inner, 0f);
        Launch(Routines.PutAlong, (long)outer * m * inner, new KernelArgs { A0 = n, A1 = m, A2 = inner, A3 = (int)indices, A4 = (int)values, A5 = (int)output });
    }

    protected void Solve(bool transA, int batch, int n, int k, long a, long b, long x, long scratch, int triangle = 0) =>
        Launch(Routines.Solve, batch, new KernelArgs { A0 = n, A1 = k, A2 = transA ? 1 : 0, A3 = triangle, A4 = (int)a, A5 = (int)b, A6 = (int)x, A7 = (int)scratch });

    protected void SolveTriangular(bool upper, bool transA, int batch, int n, int k, long a, long b, long x, long scratch) =>
        Solve(transA, batch, n, k, a, b, x, scratch, upper ? 2 : 1);

    protected void Cholesky(long a, long output, int batch, int n) => Launch(Routines.Cholesky, batch, new KernelArgs { A0 = n, A1 = (int)a, A2 = (int)output });

    protected void SLogDet(long a, long output, int batch, int n, long scratch) =>
        Launch(Routines.SLogDet, batch, new KernelArgs { A0 = n, A1 = (int)a, A2 = (int)output, A3 = (int)scratch });

    protected void Eigh(long a, long output, int n, long scratch) => Launch(Routines.Eigh, 1, new KernelArgs { A0 = n, A1 = (int)a, A2 = (int)output, A3 = (int)scratch });

    protected void ArgSort(long x, long output, int outer, int n, int inner, bool descending) =>
        Launch(Routines.ArgSort, (long)outer * inner, new KernelArgs { A0 = n, A1 = inner, A2 = descending ? 1 : 0, A3 = (int)x, A4 = (int)output });

    /// <summary>Windows [N, OH, OW, C, KH, KW] of images [N, C, H, W], zero in the padding.</summary>
    protected void Unfold(long images, long windows, int n, int c, int h, int w, int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw) =>
        Launch(Routines.Unfold, (long)n * oh * ow * c * kh * kw, Geometry(images, windows, n, c, h, w, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw));

    /// <summary>The adjoint of <see cref="Unfold"/>: windows [N, OH, OW, C, KH, KW] added back into images [N, C, H, W].</summary>
    protected void Fold(long windows, long images, int n, int c, int h, int w, int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw)
    {
        Fill(images, (long)n * c * h * w, 0f);
        Launch(Routines.Fold, (long)n * oh * ow * c * kh * kw, Geometry(images, windows, n, c, h, w, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw));
    }

    private static KernelArgs Geometry(long images, long windows, int n, int c, int h, int w, int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw) => new()
    {
        A0 = n, A1 = c, A2 = h, A3 = w, A4 = oh, A5 = ow, A6 = kh, A7 = kw, A8 = sh, A9 = sw, A10 = dh, A11 = dw, A12 = ph, A13 = pw,
        A14 = (int)images, A15 = (int)windows,
    };

    protected void Uniform(long output, long length, int seed, ulong draw, int salt, long offset = 0) =>
        Launch(Routines.Uniform, length, new KernelArgs { A0 = salt, A1 = seed, A2 = (int)output, L0 = (long)draw, L1 = offset });

    public void Dispose()
    {
        _memory.Dispose();
        GC.SuppressFinalize(this);
    }
}
