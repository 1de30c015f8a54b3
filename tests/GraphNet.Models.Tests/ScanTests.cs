using System;
using System.Linq;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>Loops over a run-time dim: one scan in the graph, compiled once, differentiated through (backprop through time).</summary>
public class ScanTests
{
    private static Tensor Random(int seed, params int[] shape) => RecurrentTests.Random(seed, shape);

    private static void Close(Tensor expected, Tensor actual, double tol)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected.Data[i] - actual.Data[i]) <= tol * (1 + Math.Abs(expected.Data[i])), $"element {i}: {expected.Data[i]} vs {actual.Data[i]}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    public void Compiled_scan_matches_the_eager_loop_at_any_length(int steps)
    {
        var m = new ScanRnn(seed: 2);
        var x = Random(steps, 2, steps, ScanRnn.I);
        var h0 = Random(100 + steps, 2, ScanRnn.H);
        Close(m.Run(x, h0), m.Predict(x, h0), 1e-5);
        Close(m.Loss(x, h0), m.ComputeLoss(x, h0), 1e-5);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    public void Backprop_through_time_matches_finite_differences(int steps)
    {
        var m = new ScanRnn(seed: 3);
        var x = Random(steps, 2, steps, ScanRnn.I);
        var h0 = Random(7, 2, ScanRnn.H);
        m.LossAndGradients(x, h0);
        EndToEndTests.CheckGradients(m.Parameters, () => m.LossAndGradients(x, h0), 1e-3);

        var gx = m.InputGradient(x, h0);
        EndToEndTests.CheckGradients(new[] { (x, gx.ToArray()) }, () => m.ComputeLoss(x, h0).ToScalar(), 5e-3); // float loss, small slopes
    }

    [Fact]
    public void Scan_gradients_equal_the_unrolled_loop()
    {
        var scan = new ScanRnn(seed: 4);
        var unrolled = new UnrolledRnn(seed: 4);
        var x = Random(1, 2, 3, ScanRnn.I);
        var h0 = Random(2, 2, ScanRnn.H);
        Assert.Equal(unrolled.LossAndGradients(x, h0), scan.LossAndGradients(x, h0), 5);
        foreach (var (a, b) in unrolled.Parameters.Zip(scan.Parameters))
            Close(a.Grad, b.Grad, 1e-4);
        Close(unrolled.InputGradient(x, h0), scan.InputGradient(x, h0), 1e-4);
    }

    [Fact]
    public void Long_sequences_run_without_allocating_in_steady_state()
    {
        var m = new ScanRnn(seed: 5);
        var x = Random(9, 2, 2000, ScanRnn.I);
        var h0 = new Tensor(2, ScanRnn.H);
        var eager = m.Run(x, h0);
        Close(eager, m.Predict(x, h0), 1e-4);
        m.LossAndGradients(x, h0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        m.LossAndGradients(x, h0);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void An_empty_sequence_is_an_error_naming_the_input()
    {
        var m = new ScanRnn(seed: 6);
        var e = Assert.Throws<ArgumentException>(() => m.Predict(new Tensor(2, 0, ScanRnn.I), new Tensor(2, ScanRnn.H)));
        Assert.Contains("'x'", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    public void A_length_given_as_an_int_argument_binds_the_loop(int steps)
    {
        var m = new FeedbackRnn(seed: 8);
        var x0 = Random(steps, 3, FeedbackRnn.I);
        var eager = m.Roll(x0, steps);
        Assert.Equal(new[] { 3, steps, FeedbackRnn.I }, eager.Shape);
        Close(eager, m.Generate(x0, steps), 1e-5);
        m.LossAndGradients(x0, steps);
        EndToEndTests.CheckGradients(m.Parameters, () => m.LossAndGradients(x0, steps), 1e-3);
    }

    [Fact]
    public void A_length_argument_below_one_is_an_error_naming_it()
    {
        var m = new FeedbackRnn(seed: 9);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.Generate(new Tensor(2, FeedbackRnn.I), 0));
        Assert.Contains("'steps'", e.Message);
        Assert.Contains("Generate", e.Message);
    }
}
