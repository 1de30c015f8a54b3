using System;
using GraphNet;
using GraphNet.Data;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace Samples.Shared;

/// <summary>
/// A two-layer MLP digit classifier that judges generated digits: which class it reads, how confidently, and its hidden
/// layer as the features of a Fréchet distance to real digits (an FID with an MNIST classifier's features).
/// </summary>
[Model]
public sealed partial class DigitJudge
{
    Linear hidden = new(784, 256);
    Linear output = new(256, 10);

    public Tensor Features([Shape("B", 784)] Tensor x) => Relu(hidden.Forward(x));
    public Tensor Logits([Shape("B", 784)] Tensor x) => output.Forward(Features(x));
    public Tensor Loss([Shape("B", 784)] Tensor x, [Shape("B")] Tensor y) => Mean(SoftmaxCrossEntropy(Logits(x), y));
    public Tensor Probabilities([Shape("B", 784)] Tensor x) => Softmax(Logits(x));

    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
    [Compile(nameof(Probabilities))] public partial Tensor Predict(Tensor x);
    [Compile(nameof(Features))] public partial Tensor Hidden(Tensor x);
}

/// <summary>
/// How the judge reads a set of images: the Fréchet distance of its features from a reference set's, the share it reads
/// with probability at least 0.9, how many it puts in each class, and (for digits drawn for given classes) the share
/// read as the class they were drawn for.
/// </summary>
public sealed record Reading(string Kind, double Frechet, double Confident, int[] Classes, double AsAsked);

public static class Judging
{
    /// <summary>A judge trained by Adam (10⁻³, batch 128) on <paramref name="train"/> for a few epochs, and its test accuracy.</summary>
    public static (DigitJudge Judge, double Accuracy) Train(Dataset train, Dataset test, int epochs = 3, int seed = 1)
    {
        var judge = new DigitJudge(seed: seed);
        var opt = new Adam(1e-3f);
        for (int e = 1; e <= epochs; e++)
            foreach (var (x, y) in train.Batches(128, seed: seed, epoch: e)) judge.Step(x, y, opt);
        return (judge, Metrics.Accuracy(MnistClassifier.Predict(judge.Predict, test), test.Targets));
    }

    /// <summary>Reads images [N, 784] against <paramref name="reference"/> [M, 784]; <paramref name="asked"/> [N], when given, the classes they were drawn for.</summary>
    public static Reading Read(this DigitJudge judge, string kind, Tensor images, Tensor reference, Tensor? asked = null)
    {
        var p = judge.Predict(images);
        int n = images.Shape[0], confident = 0, agree = 0;
        var classes = new int[10];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int c = 1; c < 10; c++) if (p.Data[10 * i + c] > p.Data[10 * i + best]) best = c;
            classes[best]++;
            if (p.Data[10 * i + best] >= 0.9f) confident++;
            if (asked is not null && asked.Data[i] == best) agree++;
        }
        return new Reading(kind, Metrics.FrechetDistance(judge.Hidden(images), judge.Hidden(reference)), (double)confident / n, classes,
            asked is null ? double.NaN : (double)agree / n);
    }
}

/// <summary>Pixel intensities in [0, 1] and the [−1, 1] range generative models with tanh or Gaussian noise work in.</summary>
public static class SignedPixels
{
    /// <summary>x ↦ 2x − 1.</summary>
    public static Tensor FromUnit(Tensor x)
    {
        var s = new Tensor(x.Shape);
        for (int i = 0; i < s.Length; i++) s.Data[i] = 2 * x.Data[i] - 1;
        return s;
    }

    /// <summary>x ↦ (x + 1) / 2, clamped to [0, 1].</summary>
    public static Tensor ToUnit(Tensor x)
    {
        var s = new Tensor(x.Shape);
        for (int i = 0; i < s.Length; i++) s.Data[i] = Math.Clamp(0.5f * (x.Data[i] + 1), 0, 1);
        return s;
    }

    /// <summary>The data set with its images mapped to [−1, 1] once (not per batch).</summary>
    public static Dataset FromUnit(Dataset data) => new(FromUnit(data.Features), data.Targets);
}
