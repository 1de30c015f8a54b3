using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;
using GraphNet.Terminal;

namespace Samples.Seq2Seq;

/// <summary>Sequence and token accuracy of greedy decoding per source length, and the training curve.</summary>
public sealed record Result(int Steps, int[] Lengths, double[] SequenceAccuracy, double[] TokenAccuracy, string Example, TrainingLog Curve, Reverser Model);

/// <summary>
/// Reversing digit strings: the source is <c>L</c> random digits, the target the same digits last to first.
/// Each training batch has its own length, drawn from [<c>minLength</c>, <c>maxLength</c>], so one compiled
/// program runs every length; test sets of a fixed seed are decoded greedily by the compiled loop.
/// </summary>
public static class Sample
{
    /// <summary>A batch of <paramref name="count"/> strings of <paramref name="length"/> digits: source, decoder input (start, then the target but its last) and target.</summary>
    public static (Tensor Source, Tensor DecoderInput, Tensor Target) Batch(Rng rng, ulong first, int count, int length)
    {
        var source = new Tensor(count, length);
        var input = new Tensor(count, length);
        var target = new Tensor(count, length);
        for (int b = 0; b < count; b++)
            for (int i = 0; i < length; i++)
                source.Data[b * length + i] = (float)(rng.Bits(first + (ulong)(b * length + i)) % Reverser.Digits);
        for (int b = 0; b < count; b++)
            for (int i = 0; i < length; i++)
            {
                target.Data[b * length + i] = source.Data[b * length + length - 1 - i];
                input.Data[b * length + i] = i == 0 ? Reverser.Start : target.Data[b * length + i - 1];
            }
        return (source, input, target);
    }

    /// <summary>The greedy decoder's tokens [B, length] as integers.</summary>
    public static int[,] Tokens(Tensor tokens)
    {
        int b = tokens.Shape[0], length = tokens.Shape[1];
        var result = new int[b, length];
        for (int i = 0; i < b; i++)
            for (int t = 0; t < length; t++)
                result[i, t] = (int)tokens.Data[i * length + t];
        return result;
    }

    /// <summary>Sequence accuracy (every digit right) and token accuracy of greedy decoding on <paramref name="count"/> fixed test strings of one length.</summary>
    public static (double Sequence, double Token) Accuracy(Reverser model, int length, int count = 500)
    {
        var (source, _, target) = Batch(new Rng(12345, (ulong)length), 0, count, length);
        var tokens = Tokens(model.Decode(source, length));
        int sequences = 0, right = 0;
        for (int b = 0; b < count; b++)
        {
            int ok = 0;
            for (int t = 0; t < length; t++) if (tokens[b, t] == (int)target.Data[b * length + t]) ok++;
            right += ok;
            if (ok == length) sequences++;
        }
        return ((double)sequences / count, (double)right / (count * length));
    }

    public static Result Run(int steps = 1000, int batch = 64, int minLength = 3, int maxLength = 10, float learningRate = 3e-3f,
        int evaluateEvery = 250, int seed = 1, int[]? testLengths = null, TrainingProgress? progress = null)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"steps must be positive, got {steps}.");
        if (minLength < 1 || maxLength < minLength)
            throw new ArgumentOutOfRangeException(nameof(minLength), $"lengths must satisfy 1 <= minLength <= maxLength, got {minLength} and {maxLength}.");
        testLengths ??= new[] { 5, 8, 10, 12 };
        evaluateEvery = Math.Min(evaluateEvery, steps);
        var model = new Reverser(seed: seed);
        var opt = new Adam(learningRate) { Schedule = Schedule.Cosine(steps, 0.05f), ClipNorm = 1f };
        var curve = new TrainingLog();
        var rng = new Rng((ulong)seed, 17);
        int evaluations = steps / evaluateEvery;
        (progress ?? new TrainingProgress()).Run(evaluations, evaluateEvery, report =>
        {
            int step = 0;
            for (int e = 0; e < evaluations; e++)
            {
                for (int s = 0; s < evaluateEvery; s++, step++)
                {
                    int length = minLength + (int)(rng.Bits((ulong)step) % (ulong)(maxLength - minLength + 1));
                    var (source, input, target) = Batch(rng, (ulong)(1 + step) << 20, batch, length);
                    report.Step(model.TrainStep(source, input, target, opt), batch);
                }
                var (sequence, _) = Accuracy(model, maxLength, 200);
                curve.Add(step, "train loss", report.MeanLoss);
                curve.Add(step, $"sequence accuracy at length {maxLength}", sequence);
                report.EndEpoch($"step {step}: {sequence:P1} of {maxLength} digits right");
            }
        });
        var accuracies = testLengths.Select(l => Accuracy(model, l)).ToArray();
        var (exampleSource, _, _) = Batch(new Rng(99, 1), 0, 1, maxLength);
        var decoded = Tokens(model.Decode(exampleSource, maxLength));
        string example = string.Concat(exampleSource.Data.Select(d => (int)d)) + " -> " + string.Concat(Enumerable.Range(0, maxLength).Select(t => decoded[0, t] < Reverser.Digits ? (char)('0' + decoded[0, t]) : '?'));
        return new Result(steps, testLengths, accuracies.Select(a => a.Sequence).ToArray(), accuracies.Select(a => a.Token).ToArray(), example, curve, model);
    }
}
