using System;
using GraphNet;
using GraphNet.Data;
using GraphNet.Terminal;

namespace Samples.Shared;

/// <summary>Validation bits per character at each evaluation, the steps they were taken at, throughput and the curve.</summary>
public sealed record Training(double[] ValidationBits, int[] EvaluatedAt, double TokensPerSecond, TrainingLog Curve);

/// <summary>
/// fortunes.txt as character ids for the character-level language models (CharGpt, CharLstm): a fixed vocabulary
/// of 98 (0 for any other character, then tab, newline and printable ASCII), the first 90% for training and the
/// last 10% for validation, and batches of windows with their next characters.
/// </summary>
public static class CharText
{
    public const int Vocab = 98;

    public static int Id(char c) => c == '\t' ? 1 : c == '\n' ? 2 : c >= ' ' && c <= '~' ? c - ' ' + 3 : 0;

    public static char Char(int id) => id == 1 ? '\t' : id == 2 ? '\n' : id >= 3 && id < Vocab ? (char)(id - 3 + ' ') : '?';

    public static (float[] Train, float[] Validation) Load()
    {
        var text = TextFile.Read(DataFiles.Find("text/fortunes.txt"));
        var ids = new float[text.Length];
        for (int i = 0; i < text.Length; i++) ids[i] = Id(text[i]);
        int cut = (int)(ids.Length * 0.9);
        return (ids[..cut], ids[cut..]);
    }

    /// <summary>A batch of <paramref name="length"/>-character windows starting at the given offsets: inputs and the next characters.</summary>
    public static (Tensor Ids, Tensor Next) Windows(float[] data, ReadOnlySpan<long> starts, int length)
    {
        var ids = new Tensor(starts.Length, length);
        var next = new Tensor(starts.Length, length);
        for (int b = 0; b < starts.Length; b++)
        {
            Array.Copy(data, starts[b], ids.Data, b * length, length);
            Array.Copy(data, starts[b] + 1, next.Data, b * length, length);
        }
        return (ids, next);
    }

    /// <summary>
    /// Trains a character model for <paramref name="steps"/> steps on batches of random training windows (drawn from a
    /// seeded stream), measuring validation bits per character every <paramref name="evaluateEvery"/> steps:
    /// <paramref name="step"/> takes (ids, next) and returns the batch's loss in nats, <paramref name="loss"/> the
    /// same without training. Data-parallel (<paramref name="ranks"/> &gt; 1): every rank draws the same global batch of
    /// windows and trains on its contiguous share of it (rank <paramref name="rank"/>'s), so <paramref name="step"/> should
    /// return the loss averaged over the ranks.
    /// </summary>
    public static Training Train(Func<Tensor, Tensor, float> step, Func<Tensor, Tensor, float> loss, float[] train, float[] validation,
        int steps, int batch, int window, int evaluateEvery, int seed, TrainingProgress? progress, int rank = 0, int ranks = 1)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"steps must be positive, got {steps}.");
        evaluateEvery = Math.Min(evaluateEvery, steps);
        var curve = new TrainingLog();
        var rng = new Rng((ulong)seed, 5);
        var starts = new long[batch];
        int evaluations = steps / evaluateEvery;
        var bits = new double[evaluations];
        var at = new int[evaluations];
        double tokensPerSecond = 0;
        (progress ?? new TrainingProgress()).Run(evaluations, evaluateEvery, report =>
        {
            int done = 0;
            for (int e = 0; e < evaluations; e++)
            {
                for (int s = 0; s < evaluateEvery; s++, done++)
                {
                    for (int b = 0; b < batch; b++)
                        starts[b] = (long)(rng.Bits((ulong)(done * batch + b)) % (ulong)(train.Length - window - 1));
                    var (ids, next) = Windows(train, starts.AsSpan(batch * rank / ranks, batch * (rank + 1) / ranks - batch * rank / ranks), window);
                    report.Step(step(ids, next), batch * window);
                }
                bits[e] = ValidationBits(loss, validation, window);
                at[e] = done;
                curve.Add(done, "train bits/char", report.MeanLoss / Math.Log(2));
                curve.Add(done, "validation bits/char", bits[e]);
                report.EndEpoch($"step {done}: validation {bits[e]:F3} bits/char");
            }
            tokensPerSecond = report.SamplesPerSecond;
        });
        return new Training(bits, at, tokensPerSecond, curve);
    }

    /// <summary>Mean bits per character of <paramref name="loss"/> (nats per character of a batch) over evenly spaced validation windows.</summary>
    public static double ValidationBits(Func<Tensor, Tensor, float> loss, float[] validation, int length, int windows = 64, int batch = 32)
    {
        double total = 0;
        int count = 0;
        long span = validation.Length - length - 1;
        var starts = new long[batch];
        for (int w = 0; w < windows; w += batch)
        {
            int n = Math.Min(batch, windows - w);
            for (int i = 0; i < n; i++) starts[i] = (w + i) * span / windows;
            var (ids, next) = Windows(validation, starts.AsSpan(0, n), length);
            total += loss(ids, next) * n;
            count += n;
        }
        return total / count / Math.Log(2);
    }
}
