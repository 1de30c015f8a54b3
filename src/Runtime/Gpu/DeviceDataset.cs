using System;
using System.Collections.Generic;
using ILGPU;
using GraphNet.Data;
using ILGPU.Runtime;

namespace GraphNet.Gpu;

/// <summary>
/// A <see cref="Dataset"/> uploaded once to a device. Its mini-batches are gathered there by a kernel from the epoch's
/// shuffle (the same order as <see cref="Dataset.Batches"/> gives on the host, uploaded once per epoch) into two batch
/// tensors reused from one batch to the next: a training loop over it moves no data between host and device per step
/// and allocates nothing per step.
/// </summary>
public sealed class DeviceDataset : IDisposable
{
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _order;
    private readonly int[] _identity;
    private DeviceTensor? _x, _y;

    /// <summary>
    /// Uploads <paramref name="data"/>'s features and targets to <paramref name="device"/> once; null arguments throw
    /// <see cref="ArgumentNullException"/>. Later changes to the host data set are not seen.
    /// </summary>
    public DeviceDataset(Dataset data, GpuDevice device)
    {
        ArgumentNullException.ThrowIfNull(data);
        Device = device ?? throw new ArgumentNullException(nameof(device), "Pass the device to upload the data set to.");
        Features = DeviceTensor.From(data.Features, device);
        Targets = DeviceTensor.From(data.Targets, device);
        Count = data.Count;
        _order = device.Accelerator.Allocate1D<int>(Math.Max(Count, 1));
        _identity = new int[Count];
        for (int i = 0; i < Count; i++) _identity[i] = i;
    }

    /// <summary>The device that holds the data.</summary>
    public GpuDevice Device { get; }

    /// <summary>All the features on the device, [N, ...].</summary>
    public DeviceTensor Features { get; }

    /// <summary>All the targets on the device, [N, ...].</summary>
    public DeviceTensor Targets { get; }

    /// <summary>The number of examples.</summary>
    public int Count { get; }

    /// <summary>
    /// Mini-batches for one epoch, in the order <see cref="Dataset.Batches"/> gives for the same arguments. The batch
    /// tensors are reused: the next batch overwrites them (a device entry called with a batch has copied it by the time
    /// it returns). A last partial batch is a view of the first rows of the same tensors.
    /// </summary>
    public IEnumerable<DeviceBatch> Batches(int size, bool shuffle = true, int seed = 0, int epoch = 0, bool dropLast = false)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "The batch size must be positive.");
        return Enumerate(size, shuffle, seed, epoch, dropLast);
    }

    private IEnumerable<DeviceBatch> Enumerate(int size, bool shuffle, int seed, int epoch, bool dropLast)
    {
        if (Count == 0) yield break;
        _order.View.SubView(0, Count).CopyFromCPU(shuffle ? Dataset.Permutation(Count, seed, epoch) : _identity);
        if (_x is null || _x.Shape[0] != size)
        {
            _x?.Dispose(); _y?.Dispose();
            _x = new DeviceTensor(Device, WithFirst(Features.Shape, size));
            _y = new DeviceTensor(Device, WithFirst(Targets.Shape, size));
        }
        int index = 0;
        for (int start = 0; start < Count; start += size)
        {
            int n = Math.Min(size, Count - start);
            if (n < size && dropLast) yield break;
            var (x, y) = n == size ? (_x, _y!) : (_x.Rows(0, n), _y!.Rows(0, n));
            Device.GatherRows(Features.View, _order.View, start, x.View, Features.RowLength);
            Device.GatherRows(Targets.View, _order.View, start, y.View, Targets.RowLength);
            yield return new DeviceBatch(x, y, index++);
        }
    }

    private static int[] WithFirst(int[] shape, int first)
    {
        var s = (int[])shape.Clone();
        s[0] = first;
        return s;
    }

    /// <summary>Frees the device memory of the data, the batch tensors and the shuffle order.</summary>
    public void Dispose()
    {
        Features.Dispose();
        Targets.Dispose();
        _x?.Dispose();
        _y?.Dispose();
        _order.Dispose();
    }
}

/// <summary>One mini-batch on a device.</summary>
public readonly record struct DeviceBatch(DeviceTensor Features, DeviceTensor Targets, int Index)
{
    /// <summary>The number of examples in the batch (the last one may be short).</summary>
    public int Count => Features.Shape[0];

    /// <summary>Deconstructs into features and targets: <c>foreach (var (x, y) in data.Batches(64))</c>.</summary>
    public void Deconstruct(out DeviceTensor features, out DeviceTensor targets) { features = Features; targets = Targets; }
}
