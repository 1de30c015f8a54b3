using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;
using Samples.Shared;

namespace Samples.Adversarial;

/// <summary>Test accuracy of one model on clean digits and under each attack.</summary>
public sealed record Accuracies(double Clean, double Fgsm, double PgdLinf, double PgdL2);

public sealed record Result(Accuracies Standard, Accuracies Robust, double LargestLinf, double LargestL2, Tensor Clean, Tensor Adversarial, TrainingLog Curve);

/// <summary>
/// A standard and an adversarially trained classifier on MNIST-10k (Adam 1e-3, batch 128), then every attack on the
/// 2,000 test digits: ε = 0.1 in L∞ (FGSM, PGD), ε = 1.5 in L2 (PGD), 10 PGD steps.
/// </summary>
public static class Sample
{
    public static Result Run(int epochs = 5, int robustEpochs = 5, int batch = 128, int seed = 1)
    {
        var (train, test) = MnistClassifier.Load();
        var curve = new TrainingLog { XLabel = "epoch" };

        Accuracies Measure(Classifier m)
        {
            double Accuracy(Func<Tensor, Tensor, Tensor> attack) => Metrics.Accuracy(m.Predict(attack(test.Features, test.Targets)), test.Targets);
            return new Accuracies(Accuracy((x, _) => x), Accuracy(m.AttackFgsm), Accuracy(m.AttackPgd), Accuracy(m.AttackPgdL2));
        }

        var standard = new Classifier(seed: seed);
        var opt = new Adam(1e-3f);
        for (int e = 1; e <= epochs; e++)
        {
            double sum = 0; int n = 0;
            foreach (var (x, y) in train.Batches(batch, seed: seed, epoch: e)) { sum += standard.Step(x, y, opt); n++; }
            curve.Add(e, "standard training loss", sum / n);
        }
        var robust = new Classifier(seed: seed);
        var ropt = new Adam(1e-3f);
        for (int e = 1; e <= robustEpochs; e++)
        {
            double sum = 0; int n = 0;
            foreach (var (x, y) in train.Batches(batch, seed: seed, epoch: e)) { sum += robust.RobustStep(x, y, ropt); n++; }
            curve.Add(e, "adversarial training loss (at PGD examples)", sum / n);
        }
        // how far the attacks moved the digits: the constraints hold
        var shown = Tensor.FromArray(test.Features.Data.AsSpan(0, 200 * Classifier.Pixels).ToArray(), 200, Classifier.Pixels);
        var labels = Tensor.FromArray(test.Targets.Data.AsSpan(0, 200).ToArray(), 200);
        var linf = standard.AttackPgd(shown, labels);
        var l2 = standard.AttackPgdL2(shown, labels);
        double largestLinf = 0, largestL2 = 0;
        for (int i = 0; i < 200; i++)
        {
            double sq = 0;
            for (int j = 0; j < Classifier.Pixels; j++)
            {
                int at = i * Classifier.Pixels + j;
                largestLinf = Math.Max(largestLinf, Math.Abs(linf.Data[at] - shown.Data[at]));
                sq += (l2.Data[at] - shown.Data[at]) * (l2.Data[at] - shown.Data[at]);
            }
            largestL2 = Math.Max(largestL2, Math.Sqrt(sq));
        }
        return new Result(Measure(standard), Measure(robust), largestLinf, largestL2, shown, linf, curve);
    }
}
