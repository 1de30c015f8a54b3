using System;
using System.Linq;
using GraphNet.Data;
using GraphNet.Gpu;
using GraphNet.Models.Tests;
using Xunit;

namespace GraphNet.Gpu.Tests;

/// <summary>
/// Tensors that live on a device: explicit copies both ways (synchronous and staged through page-locked memory), views,
/// entry points that take them in place of host tensors, and data sets uploaded once whose batches are gathered on the
/// device in the host's order.
/// </summary>
public class DeviceTensorTests
{
    private static Tensor Random(int seed, params int[] shape) => DeviceTests.Random(seed, shape);

    [Fact]
    public void A_device_tensor_knows_its_device_and_copies_only_when_asked()
    {
        using var device = GpuDevice.CpuAccelerator();
        var host = Random(1, 5, 3);
        using var t = host.To(device);
        Assert.Same(device, t.Device);
        Assert.Equal(new[] { 5, 3 }, t.Shape);
        Assert.Equal(host.Data, t.ToHost().Data);

        var other = Random(2, 5, 3);
        t.CopyFromAsync(other); // staged; the device copies it in order before what comes next
        t.CopyFromAsync(host);  // reuses the staging buffer once the first copy is done
        var back = new Tensor(5, 3);
        t.CopyTo(back);
        Assert.Equal(host.Data, back.Data);

        var rows = t.Rows(1, 2);
        Assert.Equal(new[] { 2, 3 }, rows.Shape);
        Assert.Equal(host.Data.Skip(3).Take(6), rows.ToHost().Data);

        var wrong = Assert.Throws<ArgumentException>(() => t.CopyFrom(new Tensor(3, 5)));
        Assert.Contains("[3, 5], expected [5, 3]", wrong.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Rows(4, 2));
    }

    [Fact]
    public void Device_batches_come_in_the_host_order_without_touching_the_host()
    {
        using var device = GpuDevice.CpuAccelerator();
        var data = new Dataset(Random(3, 23, 4), Tensor.FromArray(Enumerable.Range(0, 23).Select(i => (float)i).ToArray(), 23));
        using var onDevice = data.ToDevice(device);
        foreach (bool shuffle in new[] { true, false })
        {
            var host = data.Batches(8, shuffle, seed: 5, epoch: 2).Select(b => (b.Features.ToArray(), b.Targets.ToArray(), b.Count)).ToList();
            var dev = onDevice.Batches(8, shuffle, seed: 5, epoch: 2).Select(b => (b.Features.ToHost().Data, b.Targets.ToHost().Data, b.Count)).ToList();
            Assert.Equal(host.Select(h => h.Count), dev.Select(d => d.Count)); // 8, 8, 7: the last batch kept
            for (int i = 0; i < host.Count; i++)
            {
                Assert.Equal(host[i].Item1, dev[i].Item1);
                Assert.Equal(host[i].Item2, dev[i].Item2);
            }
        }
        Assert.Equal(2, onDevice.Batches(8, dropLast: true).Count());
        // every sample exactly once per epoch
        var seen = onDevice.Batches(5, seed: 9).SelectMany(b => b.Targets.ToHost().Data).OrderBy(v => v).ToArray();
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (float)i), seen);

        // batches are gathered into reused device tensors: an epoch allocates its shuffle (1.6 KB) and ILGPU's launch
        // bookkeeping (a few hundred bytes per launch on the CPU accelerator, varying from run to run), not its data
        // (400·2000 floats = 3.2 MB)
        using var big = new Dataset(Random(6, 400, 2000), Tensor.Zeros(400)).ToDevice(device);
        for (int warm = 0; warm < 2; warm++) foreach (var _ in big.Batches(32, epoch: warm)) { }
        long before = GC.GetAllocatedBytesForCurrentThread();
        int count = 0;
        foreach (var _ in big.Batches(32, epoch: 2)) count++;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(13, count);
        Assert.True(allocated < 64_000, $"an epoch of device batches allocated {allocated} bytes, against 3.2 MB of data");
    }

    [Fact]
    public void Training_on_device_batches_matches_host_batches_and_uploads_nothing_per_step()
    {
        using var device = GpuDevice.CpuAccelerator();
        var x = Random(4, 40, 30);
        var y = Tensor.FromArray(Enumerable.Range(0, 40).Select(i => (float)(i % 3 == 0 ? 1 : 0)).ToArray(), 40);
        var data = new Dataset(x, y);
        var a = new LogisticRegression(seed: 6);
        var b = new LogisticRegression(seed: 6);
        var ga = a.OnGpu(device);
        var gb = b.OnGpu(device);
        Adam oa = new(0.05f), ob = new(0.05f);
        using var resident = data.ToDevice(device);
        ga.Step(x[..8], y[..8], oa); // first calls upload the parameters
        gb.Step(x[..8], y[..8], ob);
        long uploaded = gb.FloatsUploaded;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var hostBatches = data.Batches(16, seed: 1, epoch: epoch).Select(t => (t.Features.Clone(), t.Targets.Clone())).ToList();
            int i = 0;
            foreach (var (fx, fy) in resident.Batches(16, seed: 1, epoch: epoch))
            {
                float la = ga.Step(hostBatches[i].Item1, hostBatches[i].Item2, oa);
                float lb = gb.Step(fx, fy, ob);
                Assert.Equal(la, lb); // the same numbers in the same kernels: equal, not close
                i++;
            }
            Assert.Equal(3, i);
        }
        Assert.Equal(uploaded, gb.FloatsUploaded); // the batches never crossed from the host
        Assert.Equal(2 * 40 * (30 + 1), gb.FloatsCopiedOnDevice);
        Assert.Equal(a.Parameters[0].Value.Data, b.Parameters[0].Value.Data);
    }

    [Fact]
    public void A_device_tensor_from_another_device_is_refused_by_name()
    {
        using var one = GpuDevice.CpuAccelerator();
        using var two = GpuDevice.CpuAccelerator();
        var model = new LogisticRegression(seed: 1);
        var runner = model.OnGpu(one);
        using var x = Random(5, 4, 30).To(two);
        var e = Assert.Throws<ArgumentException>(() => runner.Step(x, Tensor.Zeros(4), new Sgd(0.1f)));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("not on this runner's device", e.Message);
        var shape = Assert.Throws<ArgumentException>(() => runner.Step(Random(5, 4, 31).To(one), Tensor.Zeros(4), new Sgd(0.1f)));
        Assert.Contains("Input 'x' has shape [4, 31]", shape.Message);
    }
}
