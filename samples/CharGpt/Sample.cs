using System;
using System.Text;
using GraphNet;
using GraphNet.Data;
using GraphNet.Distributed;
using GraphNet.Terminal;
using Samples.Shared;

namespace Samples.CharGpt;

/// <summary>Validation bits per character along training, throughput, and text generated from a seed.</summary>
public sealed record Result(int Steps, double[] ValidationBits, int[] EvaluatedAt, double TokensPerSecond, string Generated, TrainingLog Curve, Gpt Model);

/// <summary>
/// Trains the character-level GPT on fortunes.txt (first 90% train, last 10% validation) with Adam on random
/// windows, reports validation bits per character, and samples text with a temperature.
/// </summary>
public static class Sample
{
    /// <summary>Continues <paramref name="seed"/> by <paramref name="length"/> characters, sampling softmax(logits / temperature).</summary>
    public static string Generate(Gpt model, string seed, int length, float temperature = 0.8f, int rngSeed = 7)
    {
        var rng = new Rng((ulong)rngSeed, 99);
        var context = new StringBuilder(new string('\n', Gpt.Context)).Append(seed);
        var ids = new Tensor(1, Gpt.Context);
        var output = new StringBuilder(seed);
        var p = new double[Gpt.Vocab];
        for (int step = 0; step < length; step++)
        {
            for (int i = 0; i < Gpt.Context; i++) ids.Data[i] = CharText.Id(context[context.Length - Gpt.Context + i]);
            var logits = model.Predict(ids).Data.AsSpan((Gpt.Context - 1) * Gpt.Vocab, Gpt.Vocab);
            float max = float.NegativeInfinity;
            foreach (var l in logits) max = Math.Max(max, l);
            double sum = 0;
            for (int v = 0; v < Gpt.Vocab; v++) sum += p[v] = Math.Exp((logits[v] - max) / temperature);
            double u = rng.Uniform((ulong)step) * sum;
            int pick = 0;
            while (pick < Gpt.Vocab - 1 && (u -= p[pick]) > 0) pick++;
            char c = CharText.Char(pick);
            context.Append(c);
            output.Append(c);
        }
        return output.ToString();
    }

    /// <summary>
    /// Trains for <paramref name="steps"/> steps of <paramref name="batch"/> windows; given a <paramref name="world"/> of several
    /// ranks, data-parallel (each rank a share of every batch, gradients averaged, rank 0 alone reports and generates).
    /// </summary>
    public static Result Run(int steps = 1000, int batch = 32, float learningRate = 2e-3f, int evaluateEvery = 250, int seed = 1,
        string prompt = "The ", int generate = 300, TrainingProgress? progress = null, Communicator? world = null)
    {
        var (train, validation) = CharText.Load();
        var model = new Gpt(seed: seed);
        var opt = new Adam(learningRate) { Schedule = Schedule.Cosine(steps, 0.1f), ClipNorm = 1f };
        var parallel = world is null ? null : new DataParallel(model, opt, world);
        Func<Tensor, Tensor, float> step = parallel is null ? (ids, next) => model.Step(ids, next, opt) : (ids, next) => parallel.Average(model.Step(ids, next, parallel));
        var run = CharText.Train(step, (ids, next) => model.Evaluate(ids, next).ToScalar(), train, validation, steps, batch, Gpt.Context, evaluateEvery, seed,
            progress ?? (world is { IsRoot: false } ? TrainingProgress.Silent() : null), world?.Rank ?? 0, world?.Size ?? 1);
        var text = Generate(model, prompt, world is { IsRoot: false } ? 0 : generate);
        return new Result(steps, run.ValidationBits, run.EvaluatedAt, run.TokensPerSecond, text, run.Curve, model);
    }
}
