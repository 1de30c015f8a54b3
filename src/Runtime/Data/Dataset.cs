using System;
using System.Collections.Generic;

namespace GraphNet.Data;

/// <summary>
/// Examples as two tensors whose first axis is the example index: features [N, ...] and targets [N, ...]
/// (class indices or regression values). Splits, folds and batches copy rows; they never share storage
/// with the original.
/// </summary>
public sealed class Dataset
{
    /// <summary>
    /// Wraps <paramref name="features"/> [N, ...] and <paramref name="targets"/> [N, ...] (not copied). Both need an example
    /// axis first with the same N, else <see cref="ArgumentException"/>.
    /// </summary>
    public Dataset(Tensor features, Tensor targets)
    {
        if (features.Rank == 0 || targets.Rank == 0)
            throw new ArgumentException($"Features and targets need an example axis first; got {Tensor.Format(features.Shape)} and {Tensor.Format(targets.Shape)}.");
        if (features.Shape[0] != targets.Shape[0])
            throw new ArgumentException($"Features {Tensor.Format(features.Shape)} and targets {Tensor.Format(targets.Shape)} have different example counts.");
        Features = features;
        Targets = targets;
    }

    /// <summary>The features, [N, ...].</summary>
    public Tensor Features { get; }

    /// <summary>The targets, [N, ...].</summary>
    public Tensor Targets { get; }

    /// <summary>Number of examples.</summary>
    public int Count => Features.Shape[0];

    /// <summary>The examples at <paramref name="indices"/>, in that order.</summary>
    public Dataset Subset(ReadOnlySpan<int> indices) => new(Rows(Features, indices), Rows(Targets, indices));

    /// <summary>A seeded random split: <paramref name="testFraction"/> of the examples (rounded) go to the test set.</summary>
    public (Dataset Train, Dataset Test) Split(double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be strictly between 0 and 1.");
        var order = Permutation(Count, seed, 0);
        int test = (int)Math.Round(Count * testFraction);
        if (test == 0 || test == Count)
            throw new ArgumentException($"A test fraction of {testFraction} of {Count} examples leaves one side empty.", nameof(testFraction));
        return (Subset(order.AsSpan(test)), Subset(order.AsSpan(0, test)));
    }

    /// <summary>
    /// K-fold cross-validation: a seeded shuffle cut into <paramref name="k"/> folds of sizes differing by at
    /// most one; fold i is the validation set of round i and the rest (in shuffled order) its training set.
    /// </summary>
    public IEnumerable<(Dataset Train, Dataset Validation)> KFold(int k, int seed)
    {
        if (k < 2 || k > Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"K must be between 2 and the example count ({Count}).");
        var order = Permutation(Count, seed, 0);
        for (int i = 0; i < k; i++)
        {
            int start = (int)((long)Count * i / k), end = (int)((long)Count * (i + 1) / k);
            var train = new int[Count - (end - start)];
            order.AsSpan(0, start).CopyTo(train);
            order.AsSpan(end).CopyTo(train.AsSpan(start));
            yield return (Subset(train), Subset(order.AsSpan(start, end - start)));
        }
    }

    /// <summary>
    /// Mini-batches for one epoch, reshuffled per epoch from (<paramref name="seed"/>, <paramref name="epoch"/>) when
    /// <paramref name="shuffle"/>. The last partial batch is kept (a model with a symbolic batch dim takes it as is)
    /// unless <paramref name="dropLast"/>. The two batch tensors are reused from one batch to the next: copy them to keep them.
    /// <para>
    /// Data-parallel training: with <paramref name="ranks"/> &gt; 1, <paramref name="size"/> is the global batch and this
    /// rank gets its shard of each: every rank shuffles the same way, each global batch is cut into <paramref name="ranks"/>
    /// contiguous shards whose sizes differ by at most one, and rank <paramref name="rank"/> takes shard <paramref name="rank"/>,
    /// so each example is seen by exactly one rank once per epoch and every rank gets the same number of batches. (A last
    /// global batch with fewer examples than ranks would leave a rank nothing: it is dropped on every rank.)
    /// </para>
    /// </summary>
    public IEnumerable<Batch> Batches(int size, bool shuffle = true, int seed = 0, int epoch = 0, bool dropLast = false, int rank = 0, int ranks = 1)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "The batch size must be positive.");
        if (ranks < 1 || rank < 0 || rank >= ranks)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Rank {rank} of {ranks}: the rank must be in [0, ranks) and ranks at least 1.");
        if (size < ranks) throw new ArgumentOutOfRangeException(nameof(size), size, $"A global batch of {size} cannot give each of {ranks} ranks an example.");
        return Shards(size, shuffle ? Permutation(Count, seed, epoch) : Identity(Count), dropLast, rank, ranks);
    }

    private IEnumerable<Batch> Shards(int size, int[] order, bool dropLast, int rank, int ranks)
    {
        Tensor? x = null, y = null;
        int index = 0;
        for (int start = 0; start < Count; start += size)
        {
            int n = Math.Min(size, Count - start);
            if ((n < size && dropLast) || n < ranks) yield break;
            int from = start + (int)((long)n * rank / ranks), to = start + (int)((long)n * (rank + 1) / ranks);
            if (x is null || x.Shape[0] != to - from)
            {
                x = new Tensor(WithFirst(Features.Shape, to - from));
                y = new Tensor(WithFirst(Targets.Shape, to - from));
            }
            CopyRows(Features, order.AsSpan(from, to - from), x);
            CopyRows(Targets, order.AsSpan(from, to - from), y!);
            yield return new Batch(x, y!, index++);
        }
    }

    /// <summary>A seeded permutation of 0..n-1 (Fisher–Yates over the counter-based generator, stream = epoch).</summary>
    public static int[] Permutation(int n, int seed, int epoch)
    {
        var p = Identity(n);
        var rng = new Rng((ulong)seed, 0x5EED0000UL + (ulong)epoch);
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(rng.Bits((ulong)i) % (ulong)(i + 1));
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    private static int[] Identity(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    private static int[] WithFirst(int[] shape, int n)
    {
        var s = (int[])shape.Clone();
        s[0] = n;
        return s;
    }

    private static Tensor Rows(Tensor t, ReadOnlySpan<int> indices)
    {
        var r = new Tensor(WithFirst(t.Shape, indices.Length));
        CopyRows(t, indices, r);
        return r;
    }

    private static void CopyRows(Tensor from, ReadOnlySpan<int> indices, Tensor to)
    {
        int row = from.Shape[0] == 0 ? 0 : from.Length / from.Shape[0];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)from.Shape[0])
                throw new IndexOutOfRangeException($"Example index {indices[i]} is out of range for {from.Shape[0]} examples.");
            Array.Copy(from.Data, (long)indices[i] * row, to.Data, (long)i * row, row);
        }
    }
}

/// <summary>One mini-batch: features, targets, and its index within the epoch.</summary>
public readonly record struct Batch(Tensor Features, Tensor Targets, int Index)
{
    /// <summary>The number of examples in the batch (the last one may be short).</summary>
    public int Count => Features.Shape[0];

    /// <summary>Deconstructs into features and targets: <c>foreach (var (x, y) in data.Batches(64))</c>.</summary>
    public void Deconstruct(out Tensor features, out Tensor targets) { features = Features; targets = Targets; }
}

/// <summary>
/// Per-column standardization: (x − mean) / std with the mean and standard deviation of the data it was fitted
/// on (fit on the training split only). A constant column gets std 1, so it maps to 0 instead of NaN.
/// </summary>
public sealed class Standardizer
{
    private Standardizer(float[] mean, float[] std) { Mean = mean; Std = std; }

    /// <summary>The per-column means of the data it was fitted on.</summary>
    public float[] Mean { get; }

    /// <summary>The per-column (population) standard deviations, 1 for a constant column.</summary>
    public float[] Std { get; }

    /// <summary>Fits on a [N, F] feature matrix.</summary>
    public static Standardizer Fit(Tensor x)
    {
        if (x.Rank != 2 || x.Shape[0] == 0) throw new ArgumentException($"Standardizer.Fit needs a non-empty [N, F] matrix, got {Tensor.Format(x.Shape)}.", nameof(x));
        int n = x.Shape[0], f = x.Shape[1];
        var mean = new double[f];
        var sq = new double[f];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++) mean[j] += x.Data[i * f + j];
        for (int j = 0; j < f; j++) mean[j] /= n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++) { double d = x.Data[i * f + j] - mean[j]; sq[j] += d * d; }
        var std = new float[f];
        for (int j = 0; j < f; j++) { double s = Math.Sqrt(sq[j] / n); std[j] = s > 1e-12 ? (float)s : 1f; }
        return new Standardizer(Array.ConvertAll(mean, m => (float)m), std);
    }

    /// <summary>A standardized copy of <paramref name="x"/> [N, F].</summary>
    public Tensor Transform(Tensor x)
    {
        if (x.Rank != 2 || x.Shape[1] != Mean.Length)
            throw new ArgumentException($"Expected [N, {Mean.Length}] (the width this standardizer was fitted on), got {Tensor.Format(x.Shape)}.", nameof(x));
        var r = new Tensor(x.Shape);
        int f = Mean.Length;
        for (int i = 0; i < x.Length; i++) r.Data[i] = (x.Data[i] - Mean[i % f]) / Std[i % f];
        return r;
    }

    /// <summary>Fits on the training split and standardizes both splits with the training statistics.</summary>
    public static (Dataset Train, Dataset Test) Standardize((Dataset Train, Dataset Test) split)
    {
        var s = Fit(split.Train.Features);
        return (s.Transform(split.Train), s.Transform(split.Test));
    }

    /// <summary>The dataset with standardized features (targets unchanged).</summary>
    public Dataset Transform(Dataset d) => new(Transform(d.Features), d.Targets);
}
