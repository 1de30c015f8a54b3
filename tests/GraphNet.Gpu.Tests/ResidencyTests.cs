using System;
using System.IO;
using System.Linq;
using GraphNet.Gpu;
using GraphNet.Models.Tests;
using Xunit;

namespace GraphNet.Gpu.Tests;

/// <summary>
/// Parameters, buffers and optimizer state stay on the device between calls, and the model stays coherent: reading it on
/// the host copies back what the device changed, and the next device call uploads what the host changed.
/// </summary>
public class ResidencyTests
{
    private static Tensor Random(int seed, params int[] shape) => DeviceTests.Random(seed, shape);

    private static readonly Tensor X = Random(9, 16, 30);
    private static readonly Tensor Y = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (float)(i % 2)).ToArray(), 16);

    private static void Same(IModel expected, IModel actual, double tol = 1e-4)
    {
        for (int i = 0; i < expected.Parameters.Count; i++)
        {
            var e = expected.Parameters[i].Value.Data;
            var a = actual.Parameters[i].Value.Data;
            for (int j = 0; j < e.Length; j++)
                Assert.True(Math.Abs(e[j] - a[j]) <= tol * (1 + Math.Abs(e[j])), $"{expected.Parameters[i].Name}[{j}]: CPU {e[j]}, device {a[j]}");
        }
    }

    [Fact]
    public void A_training_loop_on_the_device_uploads_only_its_batches_and_the_host_reads_the_trained_values()
    {
        using var device = GpuDevice.CpuAccelerator();
        var cpu = new LogisticRegression(seed: 4);
        var model = new LogisticRegression(seed: 4);
        var gpu = model.OnGpu(device);
        Assert.Same(gpu, model.OnGpu(device)); // one runner per model and device
        Adam a = new(0.05f), b = new(0.05f);
        cpu.Step(X, Y, a);
        gpu.Step(X, Y, b); // the first call uploads the parameters and Adam's zero moments
        long uploaded = gpu.FloatsUploaded, downloaded = gpu.FloatsDownloaded;
        for (int step = 0; step < 4; step++) Assert.Equal(cpu.Step(X, Y, a), gpu.Step(X, Y, b), 4);
        // per step: the batch and its labels up (16·30 + 16 floats), the loss and the error cell down; no parameters either way
        Assert.Equal(4 * (16 * 30 + 16), gpu.FloatsUploaded - uploaded);
        Assert.Equal(4 * 2, gpu.FloatsDownloaded - downloaded);
        Same(cpu, model); // reading Parameters copies the device's values back (31 parameters, 62 moments)
        Assert.Equal(4 * 2 + 31 + 62, gpu.FloatsDownloaded - downloaded);
        Assert.Equal(5, b.Steps);
        // the host changed nothing since, but reading Parameters may have: the next device call uploads once, then not again
        model.Parameters[0].Value.Data[0] += 1f;
        cpu.Parameters[0].Value.Data[0] += 1f;
        Assert.Equal(cpu.Step(X, Y, a), gpu.Step(X, Y, b), 4);
        Same(cpu, model);
    }

    [Fact]
    public void Every_elementwise_optimizer_steps_on_the_device_as_on_the_host()
    {
        using var device = GpuDevice.CpuAccelerator();
        Func<Optimizer>[] optimizers =
        {
            () => new Sgd(0.1f),
            () => new Momentum(0.05f, 0.9f),
            () => new Nesterov(0.05f, 0.8f),
            () => new AdaGrad(0.1f),
            () => new RmsProp(0.01f, 0.9f),
            () => new Adam(0.05f) { WeightDecay = 0.1f, ClipNorm = 0.5f, Schedule = Schedule.Cosine(10, 0.1f) },
            () => new Adam(0.05f) { L2 = 0.01f, DecayBiases = true },
            () => new SignSgd(0.01f),
        };
        foreach (var make in optimizers)
        {
            var cpu = new LogisticRegression(seed: 2);
            var model = new LogisticRegression(seed: 2);
            var gpu = model.OnGpu(device);
            Optimizer a = make(), b = make();
            for (int step = 0; step < 4; step++) Assert.Equal(cpu.Step(X, Y, a), gpu.Step(X, Y, b), 4);
            Same(cpu, model);
            if (a is ElementwiseOptimizer ea && b is ElementwiseOptimizer eb && ea.ClipNorm is not null)
                Assert.Equal(ea.LastGradNorm, eb.LastGradNorm, 3);
        }
    }

    /// <summary>An optimizer with no device form: the runner steps it on the host.</summary>
    private sealed class HalfStep : Optimizer
    {
        public override void Step(System.Collections.Generic.IReadOnlyList<Parameter> parameters)
        {
            foreach (var p in parameters) for (int i = 0; i < p.Value.Length; i++) p.Value.Data[i] -= 0.5f * p.Grad.Data[i];
            Steps++;
        }

        public override System.Collections.Generic.IEnumerable<System.Collections.Generic.KeyValuePair<string, Tensor>> State(System.Collections.Generic.IReadOnlyList<Parameter> parameters) => [];
    }

    [Fact]
    public void An_optimizer_without_a_device_form_steps_on_the_host_and_the_update_after_the_step_runs_on_the_device()
    {
        using var device = GpuDevice.CpuAccelerator();
        var cpu = new LogisticRegression(seed: 3);
        var model = new LogisticRegression(seed: 3);
        var gpu = model.OnGpu(device);
        for (int step = 0; step < 3; step++) Assert.Equal(cpu.Step(X, Y, new HalfStep()), gpu.Step(X, Y, new HalfStep()), 4);
        Same(cpu, model);

        var x = Random(1, 16, 4);
        var y = Random(2, 16, 2);
        var clippedCpu = new ClippedRegression(seed: 3);
        var clipped = new ClippedRegression(seed: 3);
        Optimizer c = new Sgd(0.5f), d = new Sgd(0.5f);
        for (int step = 0; step < 3; step++) Assert.Equal(clippedCpu.Step(x, y, c), clipped.OnGpu(device).Step(x, y, d), 4);
        Same(clippedCpu, clipped);
        Assert.All(clipped.Parameters["w"].Value.Data, v => Assert.InRange(v, -0.1f, 0.1f));
    }

    [Fact]
    public void Updates_commit_on_the_device_and_a_checkpoint_from_device_training_resumes_on_the_host()
    {
        using var device = GpuDevice.CpuAccelerator();
        var points = Tensor.FromArray(new float[] { 0, 0, 0.2f, 0, 0, 0.2f, 5, 5, 5.2f, 5, 5, 5.2f, 10, 0 }, 7, KMeansModel.D);
        var seeds = Tensor.FromArray(new float[] { 0, 0, 5, 5, 9, 0 }, KMeansModel.K, KMeansModel.D);
        var kmCpu = new KMeansModel(seed: 1);
        var km = new KMeansModel(seed: 1);
        kmCpu.Initialize(seeds);
        km.OnGpu(device).Initialize(seeds);
        for (int i = 0; i < 2; i++) Assert.Equal(kmCpu.Step(points).ToScalar(), km.OnGpu(device).Step(points).ToScalar(), 4);
        Assert.Equal(kmCpu.Buffers.Single(b => b.Key == "centroids").Value.Data, km.Buffers.Single(b => b.Key == "centroids").Value.Data);
        Assert.Equal(kmCpu.Distance(points).Data, km.Distance(points).Data); // a host entry after device updates reads their result

        // train on the device, checkpoint (parameters and Adam's moments come back from the device), resume on the host
        string path = Path.Combine(Path.GetTempPath(), $"graphnet-residency-{Guid.NewGuid():N}.safetensors");
        try
        {
            var reference = new LogisticRegression(seed: 5);
            var trained = new LogisticRegression(seed: 5);
            Adam a = new(0.05f), b = new(0.05f);
            for (int step = 0; step < 3; step++) { reference.Step(X, Y, a); trained.OnGpu(device).Step(X, Y, b); }
            trained.Save(path, b);
            var resumed = new LogisticRegression(seed: 99);
            var c = new Adam(0.05f);
            resumed.Load(path, c);
            for (int step = 0; step < 3; step++) Assert.Equal(reference.Step(X, Y, a), resumed.Step(X, Y, c), 4);
            Same(reference, resumed);
            // and loading into the device-trained model puts the host's values back on the device
            trained.Load(path, b);
            for (int step = 0; step < 3; step++) trained.OnGpu(device).Step(X, Y, b);
            Same(reference, trained);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_runner_replaced_by_one_on_another_device_says_so_and_the_new_one_starts_from_the_trained_values()
    {
        using var first = GpuDevice.CpuAccelerator();
        using var second = GpuDevice.CpuAccelerator();
        var cpu = new LogisticRegression(seed: 6);
        var model = new LogisticRegression(seed: 6);
        var old = model.OnGpu(first);
        Adam a = new(0.05f), b = new(0.05f);
        for (int step = 0; step < 2; step++) Assert.Equal(cpu.Step(X, Y, a), old.Step(X, Y, b), 4);
        var moved = model.OnGpu(second); // the values the first runner trained come back to the host, then go to the new device
        Assert.NotSame(old, moved);
        var error = Assert.Throws<InvalidOperationException>(() => old.Step(X, Y, b));
        Assert.Contains("replaced by a later OnGpu call on another device", error.Message);
        for (int step = 0; step < 2; step++) Assert.Equal(cpu.Step(X, Y, a), moved.Step(X, Y, b), 4);
        Same(cpu, model);
    }
}
