using System;
using System.Text;
using GraphNet;
using GraphNet.Data;
using GraphNet.Terminal;
using Samples.Shared;

namespace Samples.CharLstm;

/// <summary>Validation bits per character along training, throughput, and text generated from a prompt.</summary>
public sealed record Result(int Steps, double[] ValidationBits, int[] EvaluatedAt, double TokensPerSecond, string Generated, TrainingLog Curve, CharLstm Model);

/// <summary>
/// Trains the character-level LSTM on fortunes.txt (first 90% train, last 10% validation) with Adam on random
/// windows of <c>window</c> characters, reports validation bits per character, and generates text with the
/// compiled sampling loop.
/// </summary>
public static class Sample
{
    /// <summary>
    /// Continues <paramref name="prompt"/> by <paramref name="length"/> characters drawn at <paramref name="temperature"/>
    /// by the compiled generation loop, from position <paramref name="rngSeed"/> of the model's random stream (the same
    /// arguments give the same text).
    /// </summary>
    public static string Generate(CharLstm model, string prompt, int length, float temperature = 0.8f, int rngSeed = 7)
    {
        if (prompt.Length == 0) throw new ArgumentException("The prompt needs at least one character to condition on.", nameof(prompt));
        var ids = new Tensor(1, prompt.Length);
        for (int i = 0; i < prompt.Length; i++) ids.Data[i] = CharText.Id(prompt[i]);
        model.RandomDraws = (ulong)rngSeed;
        var drawn = model.Continue(ids, length, temperature);
        var text = new StringBuilder(prompt);
        foreach (var id in drawn.Data) text.Append(CharText.Char((int)id));
        return text.ToString();
    }

    public static Result Run(int steps = 1000, int batch = 32, int window = 64, float learningRate = 3e-3f, int evaluateEvery = 250, int seed = 1,
        string prompt = "The ", int generate = 300, TrainingProgress? progress = null)
    {
        var (train, validation) = CharText.Load();
        var model = new CharLstm(seed: seed);
        var opt = new Adam(learningRate) { Schedule = Schedule.Cosine(steps, 0.1f), ClipNorm = 1f };
        var run = CharText.Train((ids, next) => model.Step(ids, next, opt), (ids, next) => model.Evaluate(ids, next).ToScalar(),
            train, validation, steps, batch, window, evaluateEvery, seed, progress);
        var text = Generate(model, prompt, generate);
        return new Result(steps, run.ValidationBits, run.EvaluatedAt, run.TokensPerSecond, text, run.Curve, model);
    }
}
