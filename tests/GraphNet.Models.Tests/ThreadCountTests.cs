using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>
/// Training gives the same bits on any number of threads: every kernel cuts its work by the shape alone. Sizes are
/// large enough that GEMMs split long contractions (the conv weight gradient), vector-times-matrix products
/// (logistic regression's Xᵀr) and ranges of rows and columns, and elementwise kernels and windows split too.
/// </summary>
[Collection(nameof(ThreadCountTests))]
public sealed class ThreadCountTests
{
    private static Tensor Random(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        new Rng((ulong)seed, 5).FillNormal(t.Data, 0, 1);
        return t;
    }

    private static Tensor Labels(int n, int classes)
    {
        var t = new Tensor(n);
        for (int i = 0; i < n; i++) t.Data[i] = i * 7 % classes;
        return t;
    }

    /// <summary>Every parameter (and gradient) after a few steps of three models trained from the same seeds.</summary>
    private static List<float[]> Train()
    {
        var results = new List<float[]>();
        var logistic = new LogisticRegression(seed: 1);
        var (x, y) = (Random(2, 8192, 30), Labels(8192, 2));
        var adam = new Adam(0.01f);
        for (int i = 0; i < 3; i++) logistic.Step(x, y, adam);
        results.Add(logistic.Parameters.Flatten().Data);

        var conv = new TinyConvNet(seed: 3);
        var (images, classes) = (Random(4, 1024, 2, 6, 6), Labels(1024, 3));
        var sgd = new Sgd(0.1f);
        for (int i = 0; i < 3; i++) conv.Step(images, classes, sgd);
        results.Add(conv.Parameters.Flatten().Data);
        results.AddRange(((IModel)conv).Buffers.Select(b => b.Value.ToArray()));

        var mlp = new Mlp(seed: 5);
        results.Add(new[] { mlp.LossAndGradients(Random(6, 4096, 784), Labels(4096, 10)) });
        results.Add(mlp.Parameters.FlattenGradients().Data);
        return results;
    }

    [Fact]
    public void Training_gives_the_same_bits_on_1_2_and_3_threads()
    {
        try
        {
            Workers.SetThreads(1);
            var one = Train();
            foreach (int threads in new[] { 2, 3 })
            {
                Workers.SetThreads(threads);
                var many = Train();
                for (int i = 0; i < one.Count; i++) Assert.True(one[i].AsSpan().SequenceEqual(many[i]), $"result {i} differs on {threads} threads");
            }
        }
        finally { Workers.SetThreads(Environment.ProcessorCount); }
    }
}

/// <summary>The tests that change the pool's thread count run alone.</summary>
[CollectionDefinition(nameof(ThreadCountTests), DisableParallelization = true)]
public sealed class ThreadCountCollection
{
}
