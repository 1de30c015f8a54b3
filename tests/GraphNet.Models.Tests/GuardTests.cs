using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>Run-time guards: bad labels, empty batches, sizes past a tensor's limit, NaN hunting, concurrent use, returned tensors.</summary>
public class GuardTests
{
    private static Tensor Inputs(int n, int seed = 1)
    {
        var x = new Tensor(n, 4);
        new Rng((ulong)seed, 3).FillNormal(x.Data, 0, 1);
        return x;
    }

    [Theory]
    [InlineData(3f)]
    [InlineData(-1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    [InlineData(1e9f)]
    public void Out_of_range_label_is_an_error_naming_the_input_position_and_range(float bad)
    {
        var model = new Classifier(seed: 1);
        var labels = Tensor.FromArray(new[] { 0f, 2f, bad, 1f }, 4);
        foreach (Action call in new Action[] { () => model.LossAndGradients(Inputs(4), labels), () => model.Encoded(labels) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Contains("input 'label'", e.Message);
            Assert.Equal("label", e.ParamName);
            Assert.Contains("position 2", e.Message);
            Assert.Contains("0 .. 2", e.Message);
        }
        // The eager path (the spec method called directly) checks the same way.
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Loss(Inputs(4), labels));
    }

    [Fact]
    public void Valid_labels_still_train()
    {
        var model = new Classifier(seed: 1);
        var labels = Tensor.FromArray(new[] { 0f, 2f, 1f, 1f }, 4);
        float eager = model.Loss(Inputs(4), labels).ToScalar();
        Assert.Equal(eager, model.LossAndGradients(Inputs(4), labels), 4);
        Assert.Equal(new float[] { 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0 }, model.Encoded(Tensor.FromArray(new[] { 0f, 2f, 1f, 1f }, 4)).Data);
    }

    [Fact]
    public void Empty_batch_is_an_error_and_leaves_running_statistics_alone()
    {
        var model = new TinyConvNet(seed: 2);
        var before = model.Buffers.Select(b => b.Value.ToArray()).ToList();
        var e = Assert.Throws<ArgumentException>(() => model.Step(new Tensor(0, 2, 6, 6), new Tensor(0), new Sgd(0.1f)));
        Assert.Contains("'x'", e.Message);
        Assert.Contains("(B) is 0", e.Message);
        Assert.Equal(before, model.Buffers.Select(b => b.Value.ToArray()).ToList());
    }

    [Fact]
    public void Null_optimizer_is_named()
    {
        var e = Assert.Throws<ArgumentNullException>(() => new Classifier().Step(Inputs(2), new Tensor(2), null!));
        Assert.Equal("opt", e.ParamName);
    }

    [Fact]
    public void Intermediate_larger_than_a_tensor_is_an_error_not_memory_corruption()
    {
        var model = new Wide();
        Assert.Equal(new[] { 4 }, model.Run(new Tensor(4, 1)).Shape);
        var e = Assert.Throws<ArgumentException>(() => model.Run(new Tensor(32768, 1)));
        Assert.Contains("'Run'", e.Message);
        Assert.Contains("65536*B", e.Message);
    }

    [Fact]
    public void Anomaly_detection_names_the_input_or_the_op()
    {
        var model = new Classifier(seed: 3);
        var x = Inputs(2);
        x.Data[5] = float.NaN;
        Assert.True(float.IsNaN(model.Predict(x).Data[3])); // off: NaN flows through silently
        Anomaly.Detect = true;
        try
        {
            var e = Assert.Throws<NumericsException>(() => model.Predict(x));
            Assert.Contains("input 'x'", e.Message);
            Assert.Contains("position 5", e.Message);
            var negative = Tensor.Full(-1f, 2, 4);
            var op = Assert.Throws<NumericsException>(() => model.LogTwice(negative));
            Assert.Contains("'LogTwice'", op.Message);
            Assert.Contains("log", op.Message);
            Assert.Equal(2 * MathF.Log(2f), model.LogTwice(Tensor.Full(2f, 2, 4)).Data[0], 5);
        }
        finally { Anomaly.Detect = false; }
    }

    [Fact]
    public void Returned_tensors_stay_the_callers()
    {
        var model = new Classifier(seed: 4);
        var first = model.Predict(Inputs(3, seed: 1));
        var copy = first.ToArray();
        var second = model.Predict(Inputs(3, seed: 2));
        Assert.NotSame(first, second);
        Assert.Equal(copy, first.Data);
    }

    [Fact]
    public void Concurrent_use_of_one_instance_is_correct_or_a_clear_error()
    {
        var model = new Classifier(seed: 5);
        var x = Inputs(64);
        var expected = model.Predict(x).ToArray();
        int wrong = 0, refused = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            try
            {
                if (!model.Predict(x).Data.SequenceEqual(expected)) Interlocked.Increment(ref wrong);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("one instance per thread"))
            {
                Interlocked.Increment(ref refused);
            }
        });
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Second_entry_while_one_runs_is_refused()
    {
        int busy = 0;
        using (Exclusive.Enter(ref busy, "M", "P"))
        {
            var e = Assert.Throws<InvalidOperationException>(() => { using var again = Exclusive.Enter(ref busy, "M", "Q"); });
            Assert.Contains("'M'", e.Message);
        }
        Assert.Equal(0, busy);
        using (Exclusive.Enter(ref busy, "M", "P")) Assert.Equal(1, busy);
    }

    [Fact]
    public void Overloaded_spec_methods_compile_the_overload_called()
    {
        var model = new Overloads();
        var x = Tensor.FromArray(new[] { 1f, 2f, 3f, -1f, 0f, 0.5f }, 2, 3);
        Assert.Equal(model.Both(x).Data, model.Run(x).Data);
        Assert.Equal(2f * 2 + 2 * 2 + 1, model.Run(x).Data[1]);
    }
}
