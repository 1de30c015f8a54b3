using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;
using Samples.Shared;

namespace Samples.Adversarial;

/// <summary>Test accuracy of one model on clean digits and under each attack.</summary>
public sealed record Accuracies(double Clean, double Fgsm, double PgdLinf, double PgdL2, double CertifiedIbp, double SmoothedCertified);

public sealed record Result(Accuracies Standard, Accuracies Robust, Accuracies Ibp, Accuracies Noisy, double BlackBox, double Transfer, double LargestLinf, double LargestL2, Tensor Clean, Tensor Adversarial, TrainingLog Curve);

/// <summary>
/// A standard and an adversarially trained classifier on MNIST-10k (Adam 1e-3, batch 128), then every attack on the
/// 2,000 test digits: ε = 0.1 in L∞ (FGSM, PGD), ε = 1.5 in L2 (PGD), 10 PGD steps.
/// </summary>
public static class Sample
{
    /// <summary>The L2 radius at which the smoothed classifier's certified accuracy is reported.</summary>
    public const double SmoothingRadius = 0.25;

    /// <summary>
    /// Certified accuracy of the smoothed classifier at an L2 <paramref name="radius"/> on the first <paramref name="count"/>
    /// test digits, <paramref name="samples"/> noisy copies each, the top class's probability bounded below by Hoeffding at 99.9% confidence, certified
    /// when that class is right and σ·Φ⁻¹(p_lower) ≥ the radius (Cohen et al.'s bound).
    /// </summary>
    public static double SmoothedCertifiedAccuracy(Classifier m, Dataset test, double radius, int count = 500, int samples = 1000)
    {
        var x = Tensor.FromArray(test.Features.Data.AsSpan(0, count * Classifier.Pixels).ToArray(), count, Classifier.Pixels);
        var votes = m.Votes(x, samples);
        int certified = 0;
        for (int i = 0; i < count; i++)
        {
            int top = 0;
            for (int c = 1; c < Classifier.Classes; c++) if (votes[i, c] > votes[i, top]) top = c;
            double lower = votes[i, top] / samples - Math.Sqrt(Math.Log(1 / 0.001) / (2.0 * samples));
            if (top == (int)test.Targets.Data[i] && lower > 0.5 && Classifier.Sigma * InverseNormal(lower) >= radius) certified++;
        }
        return (double)certified / count;
    }

    /// <summary>Φ⁻¹(p) by bisection on the normal CDF (erf), to 1e-10.</summary>
    public static double InverseNormal(double p)
    {
        double lo = -10, hi = 10;
        while (hi - lo > 1e-10)
        {
            double mid = 0.5 * (lo + hi);
            if (0.5 * (1 + GraphNet.Compiler.ScalarSemantics.Erf(mid / Math.Sqrt(2))) < p) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    public static Result Run(int epochs = 5, int robustEpochs = 5, int batch = 128, int seed = 1, int smoothedDigits = 500, int noisyCopies = 1000, int blackBoxDigits = 200)
    {
        var (train, test) = MnistClassifier.Load();
        var curve = new TrainingLog { XLabel = "epoch" };

        Accuracies Measure(Classifier m)
        {
            double Accuracy(Func<Tensor, Tensor, Tensor> attack) => Metrics.Accuracy(m.Predict(attack(test.Features, test.Targets)), test.Targets);
            double certified = m.Certify(test.Features, test.Targets).Data.Count(v => v > 0) / (double)test.Count;
            return new Accuracies(Accuracy((x, _) => x), Accuracy(m.AttackFgsm), Accuracy(m.AttackPgd), Accuracy(m.AttackPgdL2), certified,
                SmoothedCertifiedAccuracy(m, test, SmoothingRadius, smoothedDigits, noisyCopies));
        }

        Classifier Train(string kind, Func<Classifier, Func<Tensor, Tensor, Optimizer, float>> step, int count)
        {
            var m = new Classifier(seed: seed);
            var o = new Adam(1e-3f);
            for (int e = 1; e <= count; e++)
            {
                double sum = 0; int n = 0;
                foreach (var (x, y) in train.Batches(batch, seed: seed, epoch: e)) { sum += step(m)(x, y, o); n++; }
                curve.Add(e, kind + " training loss", sum / n);
            }
            return m;
        }
        var standard = Train("standard", m => m.Step, epochs);
        var robust = Train("PGD adversarial", m => m.RobustStep, robustEpochs);
        // IBP from scratch needs its box grown slowly: ε rises linearly over the first 60% of the steps
        int ibpSteps = 0, ibpTotal = robustEpochs * ((train.Count + batch - 1) / batch);
        var ibp = Train("IBP", m => (x, y, o) => m.IbpStep(x, y, Classifier.Epsilon * Math.Min(1f, ibpSteps++ / (0.6f * ibpTotal)), o), robustEpochs);
        var noisy = Train("Gaussian noise", m => m.NoisyStep, epochs);
        // the standard model attacked without its gradients: by queries of its loss only, and by PGD examples made on a
        // surrogate (the same architecture trained from another seed)
        var first = Tensor.FromArray(test.Features.Data.AsSpan(0, blackBoxDigits * Classifier.Pixels).ToArray(), blackBoxDigits, Classifier.Pixels);
        var firstLabels = Tensor.FromArray(test.Targets.Data.AsSpan(0, blackBoxDigits).ToArray(), blackBoxDigits);
        double blackBox = Metrics.Accuracy(standard.Predict(standard.AttackBlackBox(first, firstLabels)), firstLabels);
        var surrogate = new Classifier(seed: seed + 1);
        var sopt = new Adam(1e-3f);
        for (int e = 1; e <= epochs; e++) foreach (var (x, y) in train.Batches(batch, seed: seed + 1, epoch: e)) surrogate.Step(x, y, sopt);
        double transfer = Metrics.Accuracy(standard.Predict(surrogate.AttackPgd(test.Features, test.Targets)), test.Targets);
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
        return new Result(Measure(standard), Measure(robust), Measure(ibp), Measure(noisy), blackBox, transfer, largestLinf, largestL2, shown, linf, curve);
    }
}
