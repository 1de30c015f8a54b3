using System;
using System.Collections.Concurrent;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace GraphNet.Gpu;

/// <summary>
/// A device that runs the ILGPU kernels GraphNet generates: an NVIDIA GPU through ILGPU's CUDA accelerator, or ILGPU's
/// CPU accelerator, which runs the same kernels on the CPU (slowly: it is the GPU path's test device, not a CPU backend).
/// Create one per process and dispose it at the end; models are put on it with their generated <c>OnGpu(device)</c>.
/// </summary>
public sealed class GpuDevice : IDisposable
{
    private readonly Context _context;
    private readonly ConcurrentDictionary<MethodInfo, Action<Index1D, ArrayView<float>, KernelArgs>> _kernels = new();

    /// <summary>The ILGPU accelerator the kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>True for ILGPU's CPU accelerator (the test device).</summary>
    public bool IsCpuAccelerator => Accelerator.AcceleratorType == AcceleratorType.CPU;

    /// <summary>What the device is, for logs: "NVIDIA H100 80GB HBM3 (CUDA)" or "ILGPU CPU accelerator".</summary>
    public string Name => IsCpuAccelerator ? "ILGPU CPU accelerator" : $"{Accelerator.Name} ({Accelerator.AcceleratorType})";

    private GpuDevice(Context context, Accelerator accelerator)
    {
        _context = context;
        Accelerator = accelerator;
    }

    /// <summary>ILGPU's CPU accelerator: the generated GPU kernels run on the CPU, so the GPU path is tested without a GPU.</summary>
    public static GpuDevice CpuAccelerator()
    {
        var context = Context.Create(b => b.CPU().EnableAlgorithms().Math(MathMode.Default));
        return new GpuDevice(context, context.CreateCPUAccelerator(0));
    }

    /// <summary>Whether an NVIDIA GPU and its driver are visible to ILGPU.</summary>
    public static bool CudaAvailable
    {
        get
        {
            try
            {
                using var context = Context.Create(b => b.Cuda());
                return context.GetCudaDevices().Count > 0;
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException or NotSupportedException)
            {
                return false;
            }
        }
    }

    /// <summary>CUDA device <paramref name="index"/>; an error naming what is missing when there is no GPU or driver.</summary>
    public static GpuDevice Cuda(int index = 0)
    {
        var context = Context.Create(b => b.Cuda().EnableAlgorithms().Math(MathMode.Default));
        var devices = context.GetCudaDevices();
        if (devices.Count == 0)
        {
            context.Dispose();
            throw new InvalidOperationException("No CUDA device is visible to ILGPU (no NVIDIA GPU, or no driver). Use GpuDevice.CpuAccelerator() to run the GPU path on the CPU, or the model's CPU entries.");
        }
        if (index < 0 || index >= devices.Count)
        {
            context.Dispose();
            throw new ArgumentOutOfRangeException(nameof(index), index, $"There are {devices.Count} CUDA devices; the index must be 0 .. {devices.Count - 1}.");
        }
        return new GpuDevice(context, devices[index].CreateAccelerator(context));
    }

    /// <summary>The best device here: the first CUDA GPU if there is one, else ILGPU's CPU accelerator.</summary>
    public static GpuDevice Default() => CudaAvailable ? Cuda() : CpuAccelerator();

    /// <summary>
    /// A generated (or built-in) kernel, compiled for this device once: every GraphNet kernel has the same signature,
    /// a thread index, the device memory and its arguments.
    /// </summary>
    public Action<Index1D, ArrayView<float>, KernelArgs> Kernel(Action<Index1D, ArrayView<float>, KernelArgs> method) =>
        _kernels.GetOrAdd(method.Method, _ => Accelerator.LoadAutoGroupedStreamKernel(method));

    /// <summary>Runs <paramref name="kernel"/> on <paramref name="extent"/> threads (nothing for none).</summary>
    public void Launch(Action<Index1D, ArrayView<float>, KernelArgs> kernel, long extent, ArrayView<float> memory, in KernelArgs args)
    {
        if (extent <= 0) return;
        if (extent > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(extent), extent, "A kernel launch is limited to 2^31 - 1 threads.");
        Kernel(kernel)((int)extent, memory, args);
    }

    private Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>? _gatherRows;

    /// <summary>
    /// Copies rows <c>order[start + r]</c> of <paramref name="source"/> (rows of <paramref name="rowLength"/> floats) to
    /// row r of <paramref name="destination"/>, for every row of the destination: a shuffled batch gathered on the device.
    /// </summary>
    public void GatherRows(ArrayView<float> source, ArrayView<int> order, int start, ArrayView<float> destination, int rowLength)
    {
        if (destination.Length == 0) return;
        _gatherRows ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(Routines.GatherRows);
        _gatherRows((int)destination.Length, source, order, destination, rowLength, start);
    }

    private Action<KernelConfig, ArrayView<float>, KernelArgs>? _gemm;
    private CuBlas? _cublas;
    private bool _cublasTried;

    /// <summary>Why cuBLAS is not used on this device (null while it is, or before the first product).</summary>
    public string? CuBlasUnavailable { get; private set; }

    /// <summary>
    /// On a CUDA device, loads cuBLAS once and checks it against GraphNet's own GEMM kernel on a small product with both
    /// transposes; if it cannot load (no libcublas for this CUDA version) or disagrees, GraphNet says so once and keeps
    /// its own kernel. <c>GRAPHNET_CUBLAS=0</c> turns it off.
    /// </summary>
    private bool CuBlasReady()
    {
        if (_cublasTried) return _cublas is not null;
        _cublasTried = true;
        if (Accelerator is not CudaAccelerator cuda) { CuBlasUnavailable = "not a CUDA device"; return false; }
        if (Environment.GetEnvironmentVariable("GRAPHNET_CUBLAS") == "0") { CuBlasUnavailable = "GRAPHNET_CUBLAS=0"; return false; }
        try
        {
            _cublas = new CuBlas(cuda);
            if (CuBlasDisagrees() is { } why) throw new InvalidOperationException(why);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or InvalidOperationException or CuBlasException or CudaException)
        {
            _cublas?.Dispose();
            _cublas = null;
            CuBlasUnavailable = e.Message;
            Console.Error.WriteLine($"GraphNet.Gpu: cuBLAS is not used on {Name} ({e.GetType().Name}: {e.Message}); matrix products use GraphNet's GEMM kernel.");
            return false;
        }
    }

    /// <summary>Null when cuBLAS and the tiled kernel agree on op(A)·op(B) for every pair of transposes, else what differed.</summary>
    private string? CuBlasDisagrees()
    {
        const int m = 37, n = 29, k = 41;
        var host = new float[2 * m * k + 2 * k * n];
        new Rng(17, 1).FillNormal(host, 0, 1);
        using var buffer = Accelerator.Allocate1D<float>(host.Length + 2L * m * n);
        buffer.View.SubView(0, host.Length).CopyFromCPU(host);
        ArrayView<float> view = buffer.View;
        long c1 = host.Length, c2 = c1 + m * n;
        var got = new float[m * n];
        var want = new float[m * n];
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            Gemm(view, 1, m, n, k, ta, tb, 0, 2L * m * k, c1, tiled: true);
            Gemm(view, 1, m, n, k, ta, tb, 0, 2L * m * k, c2, tiled: null);
            Accelerator.Synchronize();
            view.SubView(c1, m * n).CopyToCPU(want);
            view.SubView(c2, m * n).CopyToCPU(got);
            for (int i = 0; i < got.Length; i++)
                if (!(Math.Abs(got[i] - want[i]) <= 1e-3f * (1 + Math.Abs(want[i]))))
                    return $"cuBLAS gave {got[i]} where GraphNet's kernel gave {want[i]} (element {i}, transA {ta}, transB {tb})";
        }
        return null;
    }

    /// <summary>The GEMM tile edge on this device: 16, or what the accelerator's group size allows.</summary>
    public int GemmTile { get; private set; }

    /// <summary>
    /// C = op(A)·op(B) for a batch of matrices in device memory: the tiled shared-memory kernel on a GPU (or when
    /// <paramref name="tiled"/>), one thread per element on ILGPU's CPU accelerator.
    /// </summary>
    public void Gemm(ArrayView<float> memory, int batch, int m, int n, int k, bool transA, bool transB, long a, long b, long c, bool? tiled = null)
    {
        if ((long)batch * m * n == 0) return;
        if (tiled is null && CuBlasReady())
        {
            var op = (bool t) => t ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose;
            for (int p = 0; p < batch; p++) // row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ
                _cublas!.Gemm(op(transB), op(transA), n, m, k, 1f, memory.SubView(b + (long)p * k * n, (long)k * n), transB ? k : n,
                    memory.SubView(a + (long)p * m * k, (long)m * k), transA ? m : k, 0f, memory.SubView(c + (long)p * m * n, (long)m * n), n);
            return;
        }
        if (!(tiled ?? !IsCpuAccelerator))
        {
            Launch(Routines.GemmSimple, (long)batch * m * n, memory, new KernelArgs { A0 = batch, A1 = m, A2 = n, A3 = k, A4 = transA ? 1 : 0, A5 = transB ? 1 : 0, A6 = (int)a, A7 = (int)b, A8 = (int)c });
            return;
        }
        if (_gemm is null)
        {
            GemmTile = Math.Min(Routines.MaxTile, (int)Math.Sqrt(Accelerator.MaxNumThreadsPerGroup));
            _gemm = Accelerator.LoadStreamKernel<ArrayView<float>, KernelArgs>(Routines.GemmTiled);
        }
        int t = GemmTile;
        var config = new KernelConfig(new Index3D((n + t - 1) / t, (m + t - 1) / t, batch), new Index3D(t, t, 1));
        _gemm(config, memory, new KernelArgs { A0 = batch, A1 = m, A2 = n, A3 = k, A4 = transA ? 1 : 0, A5 = transB ? 1 : 0, A6 = (int)a, A7 = (int)b, A8 = (int)c, A10 = t });
    }

    /// <summary>Releases cuBLAS, the accelerator and the ILGPU context; device tensors and runners made on it must not be used afterwards.</summary>
    public void Dispose()
    {
        _cublas?.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }

    /// <summary>The device's <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}
