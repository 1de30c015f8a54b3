using System;
using ILGPU;
using GraphNet.Data;
using ILGPU.Runtime;

namespace GraphNet.Gpu;

/// <summary>
/// A tensor that lives in a device's memory: it knows its <see cref="Device"/> and its shape, and moves to or from the
/// host only by the explicit copies below. A device runner's entry points take it wherever they take a host
/// <see cref="Tensor"/>, copying it into the entry's work area on the device, so a batch already there costs no host
/// transfer. Views (<see cref="Rows"/>) share their parent's memory. Dispose it (or let the finalizer of ILGPU's buffer
/// free it) when done.
/// </summary>
public sealed class DeviceTensor : IDisposable
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _owned;
    private PageLockedArray1D<float>? _staging;
    private bool _stagingInFlight;

    /// <summary>Allocates a zero-filled tensor of <paramref name="shape"/> on <paramref name="device"/>.</summary>
    public DeviceTensor(GpuDevice device, params int[] shape)
    {
        Device = device ?? throw new ArgumentNullException(nameof(device), "Pass the device the tensor lives on, for example GpuDevice.Default().");
        Shape = (int[])(shape ?? throw new ArgumentNullException(nameof(shape))).Clone();
        long n = 1;
        foreach (int d in Shape)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), Tensor.Format(Shape), "A tensor's dims must not be negative.");
            n *= d;
        }
        _owned = device.Accelerator.Allocate1D<float>(Math.Max(n, 1));
        _owned.MemSetToZero();
        View = _owned.View.SubView(0, n);
    }

    private DeviceTensor(GpuDevice device, ArrayView<float> view, int[] shape)
    {
        Device = device;
        View = view;
        Shape = shape;
    }

    /// <summary>The device whose memory holds the values.</summary>
    public GpuDevice Device { get; }

    /// <summary>The dims, outermost first (the same layout as a host <see cref="Tensor"/>: row-major, contiguous).</summary>
    public int[] Shape { get; }

    /// <summary>The number of dims (0 for a scalar).</summary>
    public int Rank => Shape.Length;

    /// <summary>The number of elements: the product of the dims.</summary>
    public long Length => View.Length;

    /// <summary>The floats in one row along the first dim (0 for an empty tensor).</summary>
    internal int RowLength => Rank == 0 || Shape[0] == 0 ? 0 : (int)(Length / Shape[0]);

    /// <summary>The values in device memory.</summary>
    public ArrayView<float> View { get; }

    /// <summary>A new device tensor holding a copy of <paramref name="host"/>.</summary>
    public static DeviceTensor From(Tensor host, GpuDevice device)
    {
        ArgumentNullException.ThrowIfNull(host);
        var t = new DeviceTensor(device, host.Shape);
        t.CopyFrom(host);
        return t;
    }

    /// <summary>Copies <paramref name="host"/> (same shape) into this tensor; returns when the values are on the device.</summary>
    public void CopyFrom(Tensor host)
    {
        Check(host, "host");
        View.CopyFromCPU(host.Data);
    }

    /// <summary>
    /// Starts copying <paramref name="host"/> (same shape) into this tensor and returns once the values are staged in
    /// page-locked host memory: the device copies them from there on its stream, ordered before every kernel launched
    /// after this call, while the host goes on (to prepare the next batch). The staging buffer is this tensor's and is
    /// reused: a second call waits for the device to finish what it was given before the first one's copy.
    /// </summary>
    public void CopyFromAsync(Tensor host)
    {
        Check(host, "host");
        if (_stagingInFlight) Device.Accelerator.Synchronize();
        _staging ??= Device.Accelerator.AllocatePageLocked1D<float>(Math.Max(Length, 1));
        host.Data.AsSpan().CopyTo(_staging.Span);
        View.CopyFromPageLockedAsync(Device.Accelerator.DefaultStream, _staging);
        _stagingInFlight = true;
    }

    /// <summary>Copies the values into <paramref name="host"/> (same shape), after the device has finished its queued work.</summary>
    public void CopyTo(Tensor host)
    {
        Check(host, "host");
        Device.Accelerator.Synchronize();
        View.CopyToCPU(host.Data);
        _stagingInFlight = false;
    }

    /// <summary>A new host tensor with a copy of the values.</summary>
    public Tensor ToHost()
    {
        var host = new Tensor(Shape);
        CopyTo(host);
        return host;
    }

    /// <summary>Rows <paramref name="start"/> .. start + count − 1 along the first dim, as a view sharing this tensor's memory.</summary>
    public DeviceTensor Rows(int start, int count)
    {
        if (Rank == 0) throw new InvalidOperationException("Rows needs a tensor with at least one dim; this one is a scalar.");
        if (start < 0 || count < 0 || start + count > Shape[0])
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows({start}, {count}) of a tensor of shape {Tensor.Format(Shape)}: expected a range within 0 .. {Shape[0]}.");
        long row = RowLength;
        var shape = (int[])Shape.Clone();
        shape[0] = count;
        return new DeviceTensor(Device, View.SubView(start * row, count * row), shape);
    }

    private void Check(Tensor host, string name)
    {
        ArgumentNullException.ThrowIfNull(host, name);
        if (!host.HasShape(Shape))
            throw new ArgumentException($"The host tensor has shape {Tensor.Format(host.Shape)}, expected {Tensor.Format(Shape)} (the device tensor's).", name);
    }

    /// <summary>Frees the device memory (a view frees nothing: its parent owns the memory).</summary>
    public void Dispose()
    {
        _staging?.Dispose();
        _owned?.Dispose();
    }

    /// <summary>The shape and the device: "DeviceTensor [64, 784] on ILGPU CPU accelerator".</summary>
    public override string ToString() => $"DeviceTensor {Tensor.Format(Shape)} on {Device.Name}";
}

/// <summary>
/// An input of a device runner's entry point: a host <see cref="Tensor"/> (uploaded by the call) or a
/// <see cref="DeviceTensor"/> on the runner's device (copied on the device). Both convert to it implicitly, so
/// <c>runner.Step(x, y, opt)</c> reads the same for either.
/// </summary>
public readonly struct DeviceInput
{
    private DeviceInput(Tensor? host, DeviceTensor? resident) { Host = host; Resident = resident; }

    /// <summary>The host tensor, when the input is one.</summary>
    public Tensor? Host { get; }

    /// <summary>The device tensor, when the input is one.</summary>
    public DeviceTensor? Resident { get; }

    /// <summary>The input's dims (null for a null input).</summary>
    public int[]? Shape => Host?.Shape ?? Resident?.Shape;

    /// <summary>A host tensor as an input: the call uploads it.</summary>
    public static implicit operator DeviceInput(Tensor? host) => new(host, null);

    /// <summary>A device tensor as an input: the call copies it within the device (it must be on the runner's device).</summary>
    public static implicit operator DeviceInput(DeviceTensor? resident) => new(null, resident);
}

/// <summary>Moving host tensors and data sets to a device.</summary>
public static class DeviceExtensions
{
    /// <summary>A copy of <paramref name="host"/> on <paramref name="device"/>.</summary>
    public static DeviceTensor To(this Tensor host, GpuDevice device) => DeviceTensor.From(host, device);

    /// <summary>The data set uploaded once to <paramref name="device"/>: its batches are then gathered there.</summary>
    public static DeviceDataset ToDevice(this Dataset data, GpuDevice device) => new(data, device);
}
