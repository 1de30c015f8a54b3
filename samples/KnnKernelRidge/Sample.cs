using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;

namespace Samples.KnnKernelRidge;

/// <summary>k-NN test accuracy on digits (k = 1 and 5) and kernel ridge's test error on diabetes, with its first predictions.</summary>
public sealed record Result(double Knn1Accuracy, double Knn5Accuracy, double KernelRidgeMse, double KernelRidgeR2, float[] FirstPredictions);

/// <summary>
/// Digits: the first 1397 of 1797 train, the last 400 test. Diabetes: the first 353 of 442 train, the last 89 test,
/// features standardized by the training rows, the target centred by its training mean. The same splits as the
/// scikit-learn reference (tests/GraphNet.Samples.Tests/reference/knn_kernel_ridge.py).
/// </summary>
public static class Sample
{
    public const float Gamma = 0.05f, Lambda = 1f;

    public static Result Run()
    {
        var digits = Csv.Read(DataFiles.Find("tabular/digits8x8.csv")).Data;
        var train = digits.Subset(Enumerable.Range(0, Knn.Train).ToArray());
        var test = digits.Subset(Enumerable.Range(Knn.Train, digits.Count - Knn.Train).ToArray());
        var knn = new Knn();
        double Accuracy(Tensor predicted) => predicted.Data.Zip(test.Targets.Data).Average(p => p.First == p.Second ? 1.0 : 0.0);
        double knn1 = Accuracy(knn.Classify1(test.Features, train.Features, train.Targets));
        double knn5 = Accuracy(knn.Classify5(test.Features, train.Features, train.Targets));

        var diabetes = Csv.Read(DataFiles.Find("tabular/diabetes.csv")).Data;
        var fit = diabetes.Subset(Enumerable.Range(0, KernelRidge.Train).ToArray());
        var held = diabetes.Subset(Enumerable.Range(KernelRidge.Train, diabetes.Count - KernelRidge.Train).ToArray());
        var scale = Standardizer.Fit(fit.Features);
        float mean = fit.Targets.Data.Average();
        var centred = Tensor.FromArray(fit.Targets.Data.Select(v => v - mean).ToArray(), KernelRidge.Train);
        var ridge = new KernelRidge();
        ridge.FitDual(scale.Transform(fit.Features), centred, Gamma, Lambda);
        var predicted = ridge.Regress(scale.Transform(held.Features), Gamma).Data.Select(v => v + mean).ToArray();
        double mse = predicted.Zip(held.Targets.Data).Average(p => (p.First - p.Second) * (double)(p.First - p.Second));
        double targetMean = held.Targets.Data.Average();
        double r2 = 1 - mse * held.Count / held.Targets.Data.Sum(v => (v - targetMean) * (double)(v - targetMean));
        return new Result(knn1, knn5, mse, r2, predicted.Take(5).ToArray());
    }
}
