using System;
using GraphNet;
using GraphNet.Data;

namespace Samples.Contrastive;

/// <summary>
/// The linear probe: a frozen encoder's features of every digit (extracted in batches by its compiled entry),
/// standardized with the training features' mean and deviation, fit by a softmax classifier (Adam with cosine decay,
/// batch 256); the figure is its accuracy on the test digits.
/// </summary>
public static class Probe
{
    public const int Batch = 256;
    public const float LearningRate = 1e-2f;

    /// <summary>The encoder's features [N, width] of a whole data set.</summary>
    public static Tensor Extract(Func<Tensor, Tensor> encode, Dataset data, int width)
    {
        var features = new Tensor(data.Count, width);
        int at = 0;
        foreach (var b in data.Batches(500, shuffle: false))
        {
            var f = encode(b.Features);
            f.Data.CopyTo(features.Data, at);
            at += f.Length;
        }
        return features;
    }

    public static double Accuracy(Func<Tensor, Tensor> encode, Dataset train, Dataset test, int epochs, int seed)
    {
        var features = Extract(encode, train, LinearProbes.Features);
        var scale = Standardizer.Fit(features);
        var probe = new LinearProbes(seed: seed);
        return Fit(probe.StepOnFeatures, probe.PredictFromFeatures, scale.Transform(new Dataset(features, train.Targets)),
            scale.Transform(new Dataset(Extract(encode, test, LinearProbes.Features), test.Targets)), epochs, seed);
    }

    /// <summary>The same probe on the raw pixels, not standardized (already in [0, 1]; standardizing would blow up a pixel that is almost never on).</summary>
    public static double PixelAccuracy(Dataset train, Dataset test, int epochs, int seed)
    {
        var probe = new LinearProbes(seed: seed);
        return Fit(probe.StepOnPixels, probe.PredictFromPixels, train, test, epochs, seed);
    }

    static double Fit(Func<Tensor, Tensor, Optimizer, float> step, Func<Tensor, Tensor> predict, Dataset train, Dataset test, int epochs, int seed)
    {
        var opt = new Adam(LearningRate) { Schedule = Schedule.Cosine((long)epochs * ((train.Count + Batch - 1) / Batch), 0.05f) };
        for (int e = 1; e <= epochs; e++)
            foreach (var (x, y) in train.Batches(Batch, seed: seed, epoch: e)) step(x, y, opt);
        return Metrics.Accuracy(Extract(predict, test, Classifier.Classes), test.Targets);
    }
}
