using System;
using System.Diagnostics;
using System.Linq;
using GraphNet;
using Samples.Shared;

namespace Samples.Contrastive;

/// <summary>One self-supervised training: the model, its mean loss per epoch, the linear probe's test accuracy, and the seconds it trained.</summary>
public sealed record Trained<T>(T Model, double[] Loss, double ProbeAccuracy, double Seconds);

/// <summary>The probe accuracies of SimCLR's and BYOL's encoders against an untrained encoder of the same seed and the raw pixels.</summary>
public sealed record Result(Trained<SimClr> SimClr, Trained<Byol> Byol, double RandomProbeAccuracy, double PixelProbeAccuracy, Tensor TestImages, TrainingLog Curve)
{
    public override string ToString() => string.Join(Environment.NewLine,
        $"linear probe test accuracy (MNIST-10k, 2,000 test digits):",
        $"  SimCLR encoder          {SimClr.ProbeAccuracy:P2}  (NT-Xent {SimClr.Loss[0]:F3} → {SimClr.Loss[^1]:F3}, {SimClr.Seconds:F0} s)",
        $"  BYOL encoder            {Byol.ProbeAccuracy:P2}  (loss {Byol.Loss[0]:F3} → {Byol.Loss[^1]:F3}, {Byol.Seconds:F0} s)",
        $"  random encoder          {RandomProbeAccuracy:P2}  (untrained, same seed)",
        $"  raw pixels              {PixelProbeAccuracy:P2}");
}

/// <summary>
/// Self-supervised pretraining on MNIST-10k's 8,000 training digits without their labels (SimCLR 30 epochs and BYOL 60,
/// Adam 3e-3, batch 256, every view augmented inside the compiled step), then linear probes: each frozen encoder's features of the
/// training digits (standardized) fit a softmax classifier, whose accuracy on the 2,000 test digits is the figure.
/// </summary>
public static class Sample
{
    public const float LearningRate = 3e-3f;

    public static Result Run(int simClrEpochs = 30, int byolEpochs = 60, int probeEpochs = 30, int batch = 256, int limit = int.MaxValue, int seed = 1)
    {
        var (trainSet, test) = MnistClassifier.Load();
        var train = trainSet.Subset(Enumerable.Range(0, Math.Min(limit, trainSet.Count)).ToArray());
        var curve = new TrainingLog { XLabel = "epoch" };

        double[] Pretrain(string name, int epochs, Func<Tensor, Optimizer, float> step)
        {
            var opt = new Adam(LearningRate);
            var losses = new double[epochs];
            for (int e = 0; e < epochs; e++)
            {
                double sum = 0; int count = 0;
                foreach (var (x, _) in train.Batches(batch, seed: seed, epoch: e + 1, dropLast: true)) { sum += step(x, opt); count++; }
                losses[e] = sum / count;
                curve.Add(e + 1, name, losses[e]);
            }
            return losses;
        }
        double ProbeOf(Func<Tensor, Tensor> encode) => Probe.Accuracy(encode, train, test, probeEpochs, seed);

        var clock = Stopwatch.StartNew();
        var simClr = new SimClr(seed: seed);
        var simClrLoss = Pretrain("SimCLR: NT-Xent loss", simClrEpochs, simClr.Step);
        double simClrSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var byol = new Byol(seed: seed);
        byol.SyncTarget();
        var byolLoss = Pretrain("BYOL: loss (2 − 2·cos in both directions)", byolEpochs, byol.Step);
        double byolSeconds = clock.Elapsed.TotalSeconds;

        return new Result(
            new Trained<SimClr>(simClr, simClrLoss, ProbeOf(simClr.Encode), simClrSeconds),
            new Trained<Byol>(byol, byolLoss, ProbeOf(byol.Encode), byolSeconds),
            ProbeOf(new SimClr(seed: seed).Encode),
            Probe.PixelAccuracy(train, test, probeEpochs, seed),
            test.Features, curve);
    }
}
