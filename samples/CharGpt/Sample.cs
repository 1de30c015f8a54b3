using System;
using System.Text;
using GraphNet;
using GraphNet.Data;
using GraphNet.Terminal;

namespace Samples.CharGpt;

/// <summary>Validation bits per character along training, throughput, and text generated from a seed.</summary>
public sealed record Result(int Steps, double[] ValidationBits, int[] EvaluatedAt, double TokensPerSecond, string Generated, TrainingLog Curve, Gpt Model);

/// <summary>
/// Trains the character-level GPT on fortunes.txt (first 90% train, last 10% validation) with Adam on random
/// windows, reports validation bits per character, and samples text with a temperature.
/// </summary>
public static class Sample
{
    /// <summary>The fixed vocabulary: 0 for any other character, then tab, newline and printable ASCII.</summary>
    public static int Id(char c) => c == '\t' ? 1 : c == '\n' ? 2 : c >= ' ' && c <= '~' ? c - ' ' + 3 : 0;

    public static char Char(int id) => id == 1 ? '\t' : id == 2 ? '\n' : id >= 3 && id < Gpt.Vocab ? (char)(id - 3 + ' ') : '?';

    public static (float[] Train, float[] Validation) Load()
    {
        var text = TextFile.Read(DataFiles.Find("text/fortunes.txt"));
        var ids = new float[text.Length];
        for (int i = 0; i < text.Length; i++) ids[i] = Id(text[i]);
        int cut = (int)(ids.Length * 0.9);
        return (ids[..cut], ids[cut..]);
    }

    /// <summary>A batch of windows starting at the given offsets: inputs and the next characters.</summary>
    public static (Tensor Ids, Tensor Next) Windows(float[] data, ReadOnlySpan<long> starts)
    {
        int t = Gpt.Context;
        var ids = new Tensor(starts.Length, t);
        var next = new Tensor(starts.Length, t);
        for (int b = 0; b < starts.Length; b++)
        {
            Array.Copy(data, starts[b], ids.Data, b * t, t);
            Array.Copy(data, starts[b] + 1, next.Data, b * t, t);
        }
        return (ids, next);
    }

    /// <summary>Bits per character over <paramref name="windows"/> evenly spaced validation windows.</summary>
    public static double ValidationBits(Gpt model, float[] validation, int windows = 64, int batch = 32)
    {
        double total = 0;
        int count = 0;
        long span = validation.Length - Gpt.Context - 1;
        var starts = new long[batch];
        for (int w = 0; w < windows; w += batch)
        {
            int n = Math.Min(batch, windows - w);
            for (int i = 0; i < n; i++) starts[i] = (w + i) * span / windows;
            var (ids, next) = Windows(validation, starts.AsSpan(0, n));
            total += model.Evaluate(ids, next).ToScalar() * n;
            count += n;
        }
        return total / count / Math.Log(2);
    }

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
            for (int i = 0; i < Gpt.Context; i++) ids.Data[i] = Id(context[context.Length - Gpt.Context + i]);
            var logits = model.Predict(ids).Data.AsSpan((Gpt.Context - 1) * Gpt.Vocab, Gpt.Vocab);
            float max = float.NegativeInfinity;
            foreach (var l in logits) max = Math.Max(max, l);
            double sum = 0;
            for (int v = 0; v < Gpt.Vocab; v++) sum += p[v] = Math.Exp((logits[v] - max) / temperature);
            double u = rng.Uniform((ulong)step) * sum;
            int pick = 0;
            while (pick < Gpt.Vocab - 1 && (u -= p[pick]) > 0) pick++;
            char c = Char(pick);
            context.Append(c);
            output.Append(c);
        }
        return output.ToString();
    }

    public static Result Run(int steps = 1000, int batch = 32, float learningRate = 2e-3f, int evaluateEvery = 250, int seed = 1,
        string prompt = "The ", int generate = 300, TrainingProgress? progress = null)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"steps must be positive, got {steps}.");
        evaluateEvery = Math.Min(evaluateEvery, steps);
        var (train, validation) = Load();
        var model = new Gpt(seed: seed);
        var opt = new Adam(learningRate) { Schedule = Schedule.Cosine(steps, 0.1f), ClipNorm = 1f };
        var curve = new TrainingLog();
        var rng = new Rng((ulong)seed, 5);
        var starts = new long[batch];
        int evaluations = steps / evaluateEvery;
        var bits = new double[evaluations];
        var at = new int[evaluations];
        double tokensPerSecond = 0;
        (progress ?? new TrainingProgress()).Run(evaluations, evaluateEvery, report =>
        {
            int step = 0;
            for (int e = 0; e < evaluations; e++)
            {
                for (int s = 0; s < evaluateEvery; s++, step++)
                {
                    for (int b = 0; b < batch; b++)
                        starts[b] = (long)(rng.Bits((ulong)(step * batch + b)) % (ulong)(train.Length - Gpt.Context - 1));
                    var (ids, next) = Windows(train, starts);
                    report.Step(model.Step(ids, next, opt), batch * Gpt.Context);
                }
                bits[e] = ValidationBits(model, validation);
                at[e] = step;
                curve.Add(step, "train bits/char", report.MeanLoss / Math.Log(2));
                curve.Add(step, "validation bits/char", bits[e]);
                report.EndEpoch($"step {step}: validation {bits[e]:F3} bits/char");
            }
            tokensPerSecond = report.SamplesPerSecond;
        });
        var text = Generate(model, prompt, generate);
        return new Result(steps, bits, at, tokensPerSecond, text, curve, model);
    }
}
