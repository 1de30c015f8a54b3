using System;
using System.Linq;
using GraphNet;
using Samples.Shared;

namespace Samples.Gan;

/// <summary>The conditional GAN's digits for each class (a 10 × 8 grid, one column per class) and how the judge reads them.</summary>
public sealed record ConditionalResult(Reading Samples, Reading Untrained, Reading Training, double JudgeAccuracy, Tensor Grid, TrainingLog Curve);

/// <summary>
/// The conditional GAN trained on MNIST-10k's 8,000 training digits (Adam 2·10⁻⁴, β₁ 0.5, batch 64), then judged: 1,000
/// digits drawn for the classes 0–9 (100 each) read by an MLP classifier trained on the same digits, beside 1,000 from
/// the untrained generator and 1,000 real training digits; the Fréchet distances are to 1,000 test digits.
/// </summary>
public static class Digits
{
    public static Tensor Labels(int count)
    {
        var labels = new Tensor(count);
        for (int i = 0; i < count; i++) labels.Data[i] = i % ConditionalGan.Classes;
        return labels;
    }

    public static ConditionalResult Run(int epochs = 30, int count = 1000, int seed = 1)
    {
        var (train, test) = MnistClassifier.Load();
        var (judge, accuracy) = Judging.Train(train, test, seed: seed);
        var reference = test.Subset(Enumerable.Range(0, count).ToArray()).Features;
        var asked = Labels(count);

        var model = new ConditionalGan(seed: seed);
        var untrained = judge.Read("untrained generator", SignedPixels.ToUnit(model.Sample(asked)), reference, asked);
        Adam d = new(2e-4f, 0.5f), g = new(2e-4f, 0.5f);
        var curve = new TrainingLog { XLabel = "epoch" };
        var signed = SignedPixels.FromUnit(train);
        for (int e = 1; e <= epochs; e++)
        {
            double dSum = 0, gSum = 0; int n = 0;
            foreach (var (x, y) in signed.Batches(64, seed: seed, epoch: e, dropLast: true))
            {
                dSum += model.StepDiscriminator(x, y, d);
                gSum += model.StepGenerator(y, g);
                n++;
            }
            curve.Add(e, "discriminator loss", dSum / n);
            curve.Add(e, "generator loss", gSum / n);
        }
        var samples = SignedPixels.ToUnit(model.Sample(asked));
        var real = train.Subset(Enumerable.Range(0, count).ToArray());
        return new ConditionalResult(judge.Read("conditional GAN", samples, reference, asked), untrained,
            judge.Read("training digits", real.Features, reference, real.Targets), accuracy, samples[..80], curve);
    }
}
