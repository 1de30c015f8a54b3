using System;
using System.Collections.Generic;
using System.Globalization;
using GraphNet;
using GraphNet.Data;

namespace GraphNet.Distributed.Worker;

/// <summary>The scenarios' shared set-up: data, optimizer, batch size, and how results are written.</summary>
public static class Job
{
    /// <summary>249 examples in global batches of 64: three full batches and one of 57, whose shards (28, 29) differ.</summary>
    public const int Examples = 249, GlobalBatch = 64, Epochs = 2;

    public static Optimizer Optimizer() => new Adam(0.01f);

    /// <summary>Leaves the gradients a step computed in the model, changing nothing.</summary>
    public static Optimizer KeepGradients { get; } = new Keep();

    public static Dataset MlpData() => Data([Examples, 12], 4, seed: 11);

    public static Dataset ConvData() => Data([Examples, 1, 6, 6], 3, seed: 12);

    /// <summary>Normal features; labels from the sign pattern of the first two features (learnable).</summary>
    private static Dataset Data(int[] shape, int classes, int seed)
    {
        var x = new Tensor(shape);
        new Rng((ulong)seed, 1).FillNormal(x.Data, 0, 1);
        var y = new Tensor(shape[0]);
        int row = x.Length / shape[0];
        for (int i = 0; i < shape[0]; i++)
            y.Data[i] = ((x.Data[i * row] > 0 ? 1 : 0) + (x.Data[i * row + 1] > 0 ? 2 : 0)) % classes;
        return new Dataset(x, y);
    }

    /// <summary>The model's parameters and buffers, the step count, the losses and the bytes the warm steps allocated to <c>file(.rank{r}).safetensors</c>.</summary>
    public static void Write(IModel model, string file, int? rank, long steps, IReadOnlyList<float>? losses = null, long allocated = 0)
    {
        var meta = new Dictionary<string, string>
        {
            ["steps"] = steps.ToString(CultureInfo.InvariantCulture),
            ["allocated"] = allocated.ToString(CultureInfo.InvariantCulture),
        };
        if (losses is not null) meta["losses"] = string.Join(",", System.Linq.Enumerable.Select(losses, l => l.ToString("R", CultureInfo.InvariantCulture)));
        Checkpoint.Save($"{file}{(rank is int r ? $".rank{r}" : "")}.safetensors", model.Parameters, null, meta, model.Buffers);
    }

    /// <summary>sum += n·values, elementwise in float (the order an all-reduce over two ranks adds in).</summary>
    public static void AddScaled(float[] sum, float[] values, float n)
    {
        for (int i = 0; i < sum.Length; i++) sum[i] += n * values[i];
    }

    /// <summary>to = values·scale (+ plus), elementwise in float.</summary>
    public static void Scaled(float[] values, float scale, float[] to, float[]? plus = null)
    {
        for (int i = 0; i < values.Length; i++) to[i] = values[i] * scale + (plus?[i] ?? 0f);
    }

    /// <summary>a − b, elementwise.</summary>
    public static float[] Minus(float[] a, float[] b)
    {
        var d = new float[a.Length];
        for (int i = 0; i < a.Length; i++) d[i] = a[i] - b[i];
        return d;
    }

    private sealed class Keep : GraphNet.Optimizer
    {
        public override void Step(IReadOnlyList<Parameter> parameters) { }

        public override IEnumerable<KeyValuePair<string, Tensor>> State(IReadOnlyList<Parameter> parameters) => [];
    }
}
