using System;
using System.Collections.Generic;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;

namespace GraphNet.Gpu;

/// <summary>
/// The base of a model's generated device runner (<c>model.OnGpu(device)</c>): one device buffer holds the error cell,
/// the model's state (parameters, buffers, gradients at fixed offsets), the optimizers' state (moments, added when an
/// optimizer first steps here) and the entry points' work area (inputs, results and the memory plan's slots at offsets
/// computed from the bound dims). Parameters, buffers and optimizer state stay on the device between calls; the
/// model's <see cref="DeviceLink"/> copies them to the host only when the host reads them.
/// </summary>
public abstract class DeviceModel : IDisposable
{
    private MemoryBuffer1D<float, Stride1D.Dense> _memory;
    private readonly float[] _error = new float[1];
    private readonly float[] _cell = new float[1];

    /// <summary>The device the model runs on.</summary>
    public GpuDevice Device { get; }

    /// <summary>Where the work area starts: after the error cell, the model's state and the optimizers' state.</summary>
    protected long WorkStart { get; private set; }

    private readonly Dictionary<string, (long Value, long Grad, long Length)> _slots = new();
    private readonly Dictionary<(Optimizer Optimizer, string Parameter), (long[] Offsets, Tensor[] Host)> _moments = new();

    /// <summary>
    /// Allocates the device memory for the error cell and <paramref name="stateFloats"/> floats of model state, zeroed; a null
    /// <paramref name="device"/> throws <see cref="ArgumentNullException"/>.
    /// </summary>
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

    /// <summary>Where each parameter (by its name) and its gradient live on the device, for the optimizer steps.</summary>
    protected void DeclareParameters(params (string Name, long Value, long Grad, long Length)[] slots)
    {
        foreach (var s in slots) _slots[s.Name] = (s.Value, s.Grad, s.Length);
    }

    /// <summary>
    /// One optimizer step on the device from the gradients there: the optimizer's schedule, clipping and decay on the
    /// host, the rule as one kernel per parameter, its moments in device memory. An optimizer whose rule has no device
    /// form steps on the host instead (parameters and gradients copied down, parameters copied back).
    /// </summary>
    protected void Optimize(Optimizer optimizer, IReadOnlyList<Parameter> parameters)
    {
        var slots = SlotsOf(parameters);
        if (optimizer is ElementwiseOptimizer elementwise && elementwise.StepElsewhere(parameters, () => SumSquares(slots), (i, rule) =>
            {
                var (value, grad, length) = slots[i];
                var at = Moments(optimizer, parameters[i], length);
                Launch(Routines.Update, length, new KernelArgs
                {
                    A0 = (int)rule.Kind, A1 = (int)value, A2 = (int)grad, A3 = (int)(at.Length > 0 ? at[0] : 0), A4 = (int)(at.Length > 1 ? at[1] : 0),
                    A5 = Bits(rule.C0), A6 = Bits(rule.C1), A7 = Bits(rule.C2), A8 = Bits(rule.C3), A9 = Bits(rule.C4),
                    A10 = Bits(rule.GradScale), A11 = Bits(rule.L2), A12 = Bits(rule.Keep),
                });
            }))
            return;
        for (int i = 0; i < parameters.Count; i++)
        {
            Download(slots[i].Value, parameters[i].Value.Data, slots[i].Length);
            Download(slots[i].Grad, parameters[i].Grad.Data, slots[i].Length);
        }
        optimizer.Step(parameters);
        for (int i = 0; i < parameters.Count; i++) Upload(parameters[i].Value.Data, slots[i].Value, slots[i].Length);
    }

    /// <summary>The device slots of a parameter list, looked up once per list (a training entry hands the same list each step).</summary>
    private (long Value, long Grad, long Length)[] SlotsOf(IReadOnlyList<Parameter> parameters)
    {
        if (ReferenceEquals(parameters, _lastParameters)) return _lastSlots!;
        var slots = new (long, long, long)[parameters.Count];
        for (int i = 0; i < slots.Length; i++)
            slots[i] = _slots.TryGetValue(parameters[i].Name, out var s) ? s
                : throw new ArgumentException($"The parameter '{parameters[i].Name}' is not this model's.", nameof(parameters));
        (_lastParameters, _lastSlots) = (parameters, slots);
        return slots;
    }

    private IReadOnlyList<Parameter>? _lastParameters;
    private (long Value, long Grad, long Length)[]? _lastSlots;

    private static int Bits(float value) => BitConverter.SingleToInt32Bits(value);

    private double SumSquares((long Value, long Grad, long Length)[] slots)
    {
        Fill(WorkStart, 1, 0f);
        foreach (var (_, grad, length) in slots)
            Launch(Routines.SumSquares, (length + 255) / 256, new KernelArgs { A0 = (int)length, A1 = (int)grad, A2 = (int)WorkStart });
        Device.Accelerator.Synchronize();
        Download(WorkStart, _cell, 1);
        return _cell[0];
    }

    /// <summary>The device offsets of an optimizer's state slots for a parameter: allocated and filled from the host's state on first use.</summary>
    private long[] Moments(Optimizer optimizer, Parameter parameter, long length)
    {
        if (_moments.TryGetValue((optimizer, parameter.Name), out var known)) return known.Offsets;
        var host = optimizer.State(new[] { parameter }).Select(kv => kv.Value).ToArray();
        var offsets = new long[host.Length];
        for (int k = 0; k < host.Length; k++)
        {
            offsets[k] = ReserveState(length);
            Upload(host[k].Data, offsets[k], length);
        }
        _moments[(optimizer, parameter.Name)] = (offsets, host);
        return offsets;
    }

    /// <summary>Grows the state region by <paramref name="floats"/>, moving the work area after it; returns the new region's offset.</summary>
    private long ReserveState(long floats)
    {
        long at = WorkStart;
        var grown = Device.Accelerator.Allocate1D<float>(_memory.Length + floats); // the work area keeps its size after the new region
        grown.View.SubView(0, at).CopyFrom(_memory.View.SubView(0, at));
        grown.View.SubView(at, floats).MemSetToZero();
        Device.Accelerator.Synchronize();
        _memory.Dispose();
        _memory = grown;
        WorkStart = at + floats;
        return at;
    }

    /// <summary>Copies the optimizers' state on the device into their host tensors (what checkpoints save).</summary>
    protected void OptimizerStateToHost()
    {
        foreach (var (offsets, host) in _moments.Values)
            for (int k = 0; k < host.Length; k++) Download(offsets[k], host[k].Data, host[k].Length);
    }

    /// <summary>Copies the optimizers' host state to the device (after a checkpoint was loaded into it).</summary>
    protected void OptimizerStateToDevice()
    {
        foreach (var (offsets, host) in _moments.Values)
            for (int k = 0; k < host.Length; k++) Upload(host[k].Data, offsets[k], host[k].Length);
    }

    /// <summary>Copies <paramref name="count"/> host floats to device offset <paramref name="at"/>.</summary>
    protected void Upload(float[] data, long at, long count)
    {
        if (count <= 0) return;
        Memory.SubView(at, count).CopyFromCPU(new ReadOnlySpan<float>(data, 0, (int)count));
        FloatsUploaded += count;
    }

    /// <summary>
    /// Copies an entry's input to device offset <paramref name="at"/>: a host tensor is uploaded, a device tensor on this
    /// runner's device is copied on the device (no host transfer).
    /// </summary>
    protected void Upload(in DeviceInput input, string name, long at, long count)
    {
        if (input.Host is { } host) { Upload(host.Data, at, count); return; }
        var resident = input.Resident!;
        if (!ReferenceEquals(resident.Device, Device))
            throw new ArgumentException($"Input '{name}' is a device tensor on {resident.Device.Name}, not on this runner's device ({Device.Name}); copy it here first (ToHost, then To(device)).", name);
        if (count <= 0) return;
        resident.View.SubView(0, count).CopyTo(Memory.SubView(at, count));
        FloatsCopiedOnDevice += count;
    }

    /// <summary>Floats of device-tensor inputs copied within the device so far.</summary>
    public long FloatsCopiedOnDevice { get; private set; }

    /// <summary>The host cell a training step's loss is downloaded into (one per runner: a step allocates nothing for it).</summary>
    protected float[] LossCell { get; } = new float[1];

    /// <summary>Floats copied from the host to the device so far (inputs, and state when the host had changed it).</summary>
    public long FloatsUploaded { get; private set; }

    /// <summary>Floats copied from the device to the host so far (results, and state when the host read it).</summary>
    public long FloatsDownloaded { get; private set; }

    /// <summary>Copies <paramref name="count"/> device floats at <paramref name="at"/> to the host.</summary>
    protected void Download(long at, float[] data, long count)
    {
        if (count <= 0) return;
        Memory.SubView(at, count).CopyToCPU(new Span<float>(data, 0, (int)count));
        FloatsDownloaded += count;
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

    /// <summary>out[o, j, r] = j for [<paramref name="outer"/>, <paramref name="n"/>, <paramref name="inner"/>] at offset <paramref name="at"/>.</summary>
    protected void Iota(long at, int outer, int n, int inner) => Launch(Routines.Iota, (long)outer * n * inner, new KernelArgs { A0 = n, A1 = inner, A2 = (int)at });

    /// <summary>Sets <paramref name="count"/> floats from offset <paramref name="at"/> to <paramref name="value"/>.</summary>
    protected void Fill(long at, long count, float value) => Launch(Routines.Fill, count, new KernelArgs { A1 = (int)at, F0 = value });

    /// <summary>Copies <paramref name="count"/> floats from offset <paramref name="from"/> to offset <paramref name="to"/>.</summary>
    protected void Copy(long from, long to, long count) => Launch(Routines.Copy, count, new KernelArgs { A1 = (int)from, A2 = (int)to });

    /// <summary>Row ids[i] of a [<paramref name="rows"/>, <paramref name="rowLength"/>] table into row i of the output, for i &lt; <paramref name="count"/>; a bad id goes to the error cell.</summary>
    protected void Gather(long table, long ids, long output, int count, int rowLength, int rows) =>
        Launch(Routines.Gather, (long)count * rowLength, new KernelArgs { A0 = rowLength, A1 = rows, A2 = (int)table, A3 = (int)ids, A4 = (int)output });

    /// <summary>The adjoint of <see cref="Gather"/>: clears the [<paramref name="rows"/>, <paramref name="rowLength"/>] output, then adds row i of the values into row ids[i].</summary>
    protected void ScatterAdd(long ids, long values, long output, int count, int rowLength, int rows)
    {
        Fill(output, (long)rows * rowLength, 0f);
        Launch(Routines.ScatterAdd, (long)count * rowLength, new KernelArgs { A0 = rowLength, A1 = rows, A2 = (int)ids, A3 = (int)values, A4 = (int)output });
    }

    /// <summary>Direct convolution (<see cref="GraphNet.Runtime.Convolution.Forward"/>): one thread per output element of [n, o, oh, ow].</summary>
    protected void Convolve(long x, long w, long output, int n, int c, int h, int wd, int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw, int o) =>
        Launch(Routines.Convolve, (long)n * o * oh * ow, ConvolutionArgs(x, w, output, n, c, h, wd, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw, o));

    /// <summary>A direct convolution's weight gradient (<see cref="GraphNet.Runtime.Convolution.WeightGradient"/>): one thread per weight of [o, c, kh, kw].</summary>
    protected void ConvolveWeights(long grad, long x, long output, int n, int c, int h, int wd, int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw, int o) =>
        Launch(Routines.ConvolveWeights, (long)o * c * kh * kw, ConvolutionArgs(x, grad, output, n, c, h, wd, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw, o));

    private static KernelArgs ConvolutionArgs(long x, long other, long output, int n, int c, int h, int wd, int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw, int o) =>
        new()
        {
            A0 = n, A1 = c, A2 = h, A3 = wd, A4 = oh, A5 = ow, A6 = kh, A7 = kw, A8 = sh, A9 = sw, A10 = dh, A11 = dw, A12 = ph, A13 = pw, A14 = o,
            A15 = (int)x, A16 = (int)other, A17 = (int)output,
        };

    /// <summary>Fused attention (<see cref="GraphNet.Runtime.AttentionKernels.Forward"/>): one thread per output element of [slices, tq, dv + 1].</summary>
    protected void Attention(long q, long k, long v, long output, int slices, int tq, int tk, int d, int dv, float scale, bool causal) =>
        Launch(Routines.Attention, (long)slices * tq * (dv + 1), new KernelArgs { A0 = tq, A1 = tk, A2 = d, A3 = dv, A4 = causal ? 1 : 0, A5 = (int)q, A6 = (int)k, A7 = (int)v, A8 = (int)output, F0 = scale });

    /// <summary>
    /// A fused attention's gradient (<see cref="GraphNet.Runtime.AttentionKernels.Backward"/>): one thread per element of the
    /// query gradient [slices, tq, d] (part 0), the key and value gradients [slices, tk, d + dv] (1), or all three [slices, t, 2·d + dv] (2).
    /// </summary>
    protected void AttentionGrad(long q, long k, long v, long output, long gradOutput, long grad, int slices, int tq, int tk, int d, int dv, float scale, bool causal, int part) =>
        Launch(part switch { 0 => Routines.AttentionQueryGrad, 1 => Routines.AttentionKeyGrad, _ => Routines.AttentionAllGrad },
            (long)slices * part switch { 0 => (long)tq * d, 1 => (long)tk * (d + dv), _ => (long)tq * (2 * d + dv) },
            new KernelArgs { A0 = tq, A1 = tk, A2 = d, A3 = dv, A4 = causal ? 1 : 0, A5 = (int)q, A6 = (int)k, A7 = (int)v, A8 = (int)output, A9 = (int)gradOutput, A10 = (int)grad, F0 = scale });

    /// <summary>[outer, n, inner] to [outer, <paramref name="length"/>, inner] from <paramref name="start"/> along the middle axis.</summary>
    protected void Slice(long x, long output, int outer, int n, int inner, int start, int length) =>
        Launch(Routines.Slice, (long)outer * length * inner, new KernelArgs { A0 = n, A1 = inner, A2 = start, A3 = length, A4 = (int)x, A5 = (int)output });

    /// <summary>[outer, n, inner] zero-padded to [outer, <paramref name="before"/> + n + <paramref name="after"/>, inner].</summary>
    protected void Pad(long x, long output, int outer, int n, int inner, int before, int after) =>
        Launch(Routines.Pad, (long)outer * (before + n + after) * inner, new KernelArgs { A0 = n, A1 = inner, A2 = before, A3 = before + n + after, A4 = (int)x, A5 = (int)output });

    /// <summary>The index of the largest (<paramref name="max"/>) or smallest value along the middle axis of [outer, n, inner], the first on ties.</summary>
    protected void ArgExtreme(long x, long output, int outer, int n, int inner, bool max) =>
        Launch(Routines.ArgExtreme, (long)outer * inner, new KernelArgs { A0 = n, A1 = inner, A2 = max ? 1 : 0, A3 = (int)x, A4 = (int)output });

    /// <summary>Running sums along the middle axis of [outer, n, inner], from the first element or (<paramref name="reverse"/>) the last.</summary>
    protected void CumSum(long x, long output, int outer, int n, int inner, bool reverse) =>
        Launch(Routines.CumSum, (long)outer * inner, new KernelArgs { A0 = n, A1 = inner, A2 = reverse ? 1 : 0, A3 = (int)x, A4 = (int)output });

    /// <summary>out[o, j, r] = x[o, idx[o, j, r], r] for x [outer, n, inner] and indices [outer, m, inner].</summary>
    protected void TakeAlong(long x, long indices, long output, int outer, int n, int m, int inner) =>
        Launch(Routines.TakeAlong, (long)outer * m * inner, new KernelArgs { A0 = n, A1 = m, A2 = inner, A3 = (int)x, A4 = (int)indices, A5 = (int)output });

    /// <summary>The adjoint of <see cref="TakeAlong"/>: clears the output [outer, n, inner], then out[o, idx[o, j, r], r] += values[o, j, r].</summary>
    protected void PutAlong(long indices, long values, long output, int outer, int n, int m, int inner)
    {
        Fill(output, (long)outer * n * inner, 0f);
        Launch(Routines.PutAlong, (long)outer * m * inner, new KernelArgs { A0 = n, A1 = m, A2 = inner, A3 = (int)indices, A4 = (int)values, A5 = (int)output });
    }

    /// <summary>
    /// X with op(A)·X = B for each of <paramref name="batch"/> systems (A [n, n], B and X [n, k]) by LU with partial pivoting in
    /// <paramref name="scratch"/> (n·n floats per system); <paramref name="triangle"/> reads all of A (0), its lower (1) or upper (2) triangle.
    /// </summary>
    protected void Solve(bool transA, int batch, int n, int k, long a, long b, long x, long scratch, int triangle = 0) =>
        Launch(Routines.Solve, batch, new KernelArgs { A0 = n, A1 = k, A2 = transA ? 1 : 0, A3 = triangle, A4 = (int)a, A5 = (int)b, A6 = (int)x, A7 = (int)scratch });

    /// <summary>As <see cref="Solve"/>, reading only the lower or (<paramref name="upper"/>) upper triangle of each A.</summary>
    protected void SolveTriangular(bool upper, bool transA, int batch, int n, int k, long a, long b, long x, long scratch) =>
        Solve(transA, batch, n, k, a, b, x, scratch, upper ? 2 : 1);

    /// <summary>The lower-triangular L with A = L·Lᵀ for each of <paramref name="batch"/> matrices [n, n].</summary>
    protected void Cholesky(long a, long output, int batch, int n) => Launch(Routines.Cholesky, batch, new KernelArgs { A0 = n, A1 = (int)a, A2 = (int)output });

    /// <summary>The sign and log |det A| of each of <paramref name="batch"/> matrices [n, n], as pairs, by LU in <paramref name="scratch"/>.</summary>
    protected void SLogDet(long a, long output, int batch, int n, long scratch) =>
        Launch(Routines.SLogDet, batch, new KernelArgs { A0 = n, A1 = (int)a, A2 = (int)output, A3 = (int)scratch });

    /// <summary>
    /// The eigenvalues (ascending) and then the eigenvectors (columns) of one symmetric matrix [n, n], as [n + 1, n], by cyclic
    /// Jacobi on one device thread.
    /// </summary>
    protected void Eigh(long a, long output, int n, long scratch) => Launch(Routines.Eigh, 1, new KernelArgs { A0 = n, A1 = (int)a, A2 = (int)output, A3 = (int)scratch });

    /// <summary>The indices that sort the middle axis of [outer, n, inner], ascending or <paramref name="descending"/>; stable, NaN largest.</summary>
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

    /// <summary>
    /// <paramref name="length"/> uniform draws on [0, 1), the numbers the CPU path draws for the same <paramref name="seed"/>,
    /// <paramref name="draw"/>, <paramref name="salt"/> and <paramref name="offset"/>.
    /// </summary>
    protected void Uniform(long output, long length, int seed, ulong draw, int salt, long offset = 0) =>
        Launch(Routines.Uniform, length, new KernelArgs { A0 = salt, A1 = seed, A2 = (int)output, L0 = (long)draw, L1 = offset });

    /// <summary>Frees the runner's device memory (model state, optimizer state and work area); the device itself stays open.</summary>
    public void Dispose()
    {
        _memory.Dispose();
        GC.SuppressFinalize(this);
    }
}
