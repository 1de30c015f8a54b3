using System;
using System.Linq;
using GraphNet.Gpu;
using GraphNet.Models.Tests;
using Xunit;

namespace GraphNet.Gpu.Tests;

public class DeviceTests
{
    internal static Tensor Random(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        new Rng((ulong)seed, 7).FillNormal(t.Data, 0, 1);
        return t;
    }

    private static void Close(Tensor expected, Tensor actual, double tol = 1e-4)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected.Data[i] - actual.Data[i]) <= tol * (1 + Math.Abs(expected.Data[i])), $"element {i}: CPU {expected.Data[i]}, device {actual.Data[i]}");
    }

    [Fact]
    public void Mlp_forward_and_gradients_on_the_cpu_accelerator_match_the_cpu_backend()
    {
        using var device = GpuDevice.CpuAccelerator();
        var model = new Mlp(seed: 1);
        var gpu = model.OnGpu(device);
        var x = Random(2, 5, 784);
        var label = Tensor.FromArray(new float[] { 3, 1, 4, 1, 5 }, 5);
        Close(model.Predict(x), gpu.Predict(x));
        Close(model.InputGradient(x, label), gpu.InputGradient(x, label));
        float cpuLoss = model.LossAndGradients(x, label);
        var cpuGrads = model.Parameters.Select(p => p.Grad.ToArray()).ToList();
        float gpuLoss = gpu.LossAndGradients(x, label);
        Assert.Equal(cpuLoss, gpuLoss, 4);
        for (int i = 0; i < cpuGrads.Count; i++) Close(Tensor.FromArray(cpuGrads[i], cpuGrads[i].Length), Tensor.FromArray(model.Parameters[i].Grad.ToArray(), cpuGrads[i].Length));
    }

    /// <summary>Devices to run on: ILGPU's CPU accelerator always, CUDA where a GPU is present.</summary>
    public static TheoryData<string> Devices()
    {
        var d = new TheoryData<string> { "cpu-accelerator" };
        if (GpuDevice.CudaAvailable) d.Add("cuda");
        return d;
    }

    private static GpuDevice Open(string kind) => kind == "cuda" ? GpuDevice.Cuda() : GpuDevice.CpuAccelerator();

    [Theory]
    [MemberData(nameof(Devices))]
    public void Training_steps_on_the_device_follow_the_cpu_steps(string kind)
    {
        using var device = Open(kind);
        var cpu = new LogisticRegression(seed: 4);
        var dev = new LogisticRegression(seed: 4);
        var onDevice = dev.OnGpu(device);
        Adam a = new(0.05f), b = new(0.05f);
        var x = Random(9, 16, 30);
        var y = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (float)(i % 2)).ToArray(), 16);
        for (int step = 0; step < 5; step++)
        {
            float lc = cpu.Step(x, y, a), ld = onDevice.Step(x, y, b);
            Assert.Equal(lc, ld, 4);
        }
        for (int i = 0; i < cpu.Parameters.Count; i++) Close(cpu.Parameters[i].Value, dev.Parameters[i].Value);
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void The_same_seed_draws_the_same_numbers_on_every_device(string kind)
    {
        using var device = Open(kind);
        var logits = Tensor.FromArray(new float[] { 0.1f, -1, 2, 0.5f }, Sampler.K);
        var p = Tensor.FromArray(new float[] { 0.2f, 0.5f, 0.9f, 0.4f }, Sampler.K);
        var cpu = new Sampler(seed: 11);
        var dev = new Sampler(seed: 11).OnGpu(device);
        for (int call = 0; call < 2; call++) // each call draws new numbers, the same ones on both
        {
            var (n1, u1, c1, k1) = cpu.Draw(logits, p, 50);
            var (n2, u2, c2, k2) = dev.Draw(logits, p, 50);
            Close(n1, n2, 1e-5);
            Assert.Equal(u1.Data, u2.Data);
            Assert.Equal(c1.Data, c2.Data);
            Assert.Equal(k1.Data, k2.Data);
        }
    }

    [Fact]
    public void A_bad_label_on_the_device_is_the_cpu_paths_error_and_sorts_run_there()
    {
        using var device = GpuDevice.CpuAccelerator();
        var model = new Mlp(seed: 1).OnGpu(device);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.LossAndGradients(Random(1, 3, 784), Tensor.FromArray(new float[] { 1, 12, 2 }, 3)));
        Assert.Contains("position 1", error.Message);
        var selection = new Selection(seed: 1);
        var scores = Random(3, 4, 5);
        Close(selection.SortAndSum(scores), selection.OnGpu(device).SortAndSum(scores), 1e-5); // sorts run on the device too
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void Loops_over_time_run_on_the_device_forward_backward_and_with_draws_in_the_loop(string kind)
    {
        using var device = Open(kind);
        var rnn = new ScanRnn(seed: 3);
        var onDevice = rnn.OnGpu(device);
        foreach (var steps in new[] { 1, 6 })
        {
            var x = Random(steps, 2, steps, ScanRnn.I);
            var h0 = Random(20 + steps, 2, ScanRnn.H);
            Close(rnn.Predict(x, h0), onDevice.Predict(x, h0));
            Close(rnn.InputGradient(x, h0), onDevice.InputGradient(x, h0));
            float lc = rnn.LossAndGradients(x, h0);
            var grads = rnn.Parameters.Select(p => p.Grad.ToArray()).ToList();
            Assert.Equal(lc, onDevice.LossAndGradients(x, h0), 4);
            for (int i = 0; i < grads.Count; i++) Close(Tensor.FromArray(grads[i], grads[i].Length), Tensor.FromArray(rnn.Parameters[i].Grad.ToArray(), grads[i].Length));
        }
        // the random numbers drawn inside a loop are the CPU's, step by step
        var walk = Random(5, 3, 7, RandomWalk.D);
        Close(new RandomWalk(seed: 2).Walk(walk), new RandomWalk(seed: 2).OnGpu(device).Walk(walk), 1e-5);
        // the library LSTM and GRU, trained on the device
        var cpu = new SequenceModel(seed: 1);
        var dev = new SequenceModel(seed: 1);
        var sx = Random(30, 4, SequenceModel.T, SequenceModel.I);
        var sh = Random(31, 1, 4, SequenceModel.H);
        var sy = Tensor.FromArray(new float[] { 0, 1, 1, 0 }, 4);
        Adam a = new(0.01f), b = new(0.01f);
        for (int step = 0; step < 3; step++) Assert.Equal(cpu.Step(sx, sh, sy, a), dev.OnGpu(device).Step(sx, sh, sy, b), 4);
        for (int i = 0; i < cpu.Parameters.Count; i++) Close(cpu.Parameters[i].Value, dev.Parameters[i].Value);
    }
}
