using System;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>
/// A training step allocates nothing once warm: arenas, outputs and gradient buffers are reused, parallel kernels
/// hand their arguments to the worker pool in structs on the stack, GEMM packing buffers are per thread.
/// Sizes are large enough that elementwise kernels, windows and GEMMs are split over the pool.
/// </summary>
public class AllocationTests
{
    private static Tensor Random(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        new Rng((ulong)seed, 1).FillNormal(t.Data, 0, 1);
        return t;
    }

    private static Tensor Labels(int n, int classes)
    {
        var t = new Tensor(n);
        for (int i = 0; i < n; i++) t.Data[i] = i % classes;
        return t;
    }

    private static long StepAllocations(Action step)
    {
        for (int i = 0; i < 5; i++) step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) step();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void MlpGradientStepAllocatesNothing()
    {
        var model = new Mlp(seed: 1);
        var x = Random(2, 1024, 784);
        var y = Labels(1024, 10);
        Assert.Equal(0, StepAllocations(() => model.LossAndGradients(x, y)));
    }

    [Fact]
    public void ConvNetTrainingStepWithSgdAllocatesNothing()
    {
        var model = new TinyConvNet(seed: 1);
        var x = Random(3, 2048, 2, 6, 6);
        var y = Labels(2048, 3);
        var opt = new Sgd(0.01f);
        Assert.Equal(0, StepAllocations(() => model.Step(x, y, opt)));
    }
}
