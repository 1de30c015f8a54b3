using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;

namespace Samples.Svm;

/// <summary>The SVM's objective, accuracy, and how many training points sit on or inside the margin.</summary>
public sealed record Result(double TrainObjective, double TrainAccuracy, double TestAccuracy, int MarginPoints, int TrainCount, ConfusionMatrix Confusion, TrainingLog Curve);

/// <summary>Breast-cancer diagnosis with a linear soft-margin SVM trained by mini-batch subgradient SGD.</summary>
public static class Sample
{
    public static Result Run(int epochs = 60, int batch = 32, int seed = 1)
    {
        var table = Csv.Read(DataFiles.Find("tabular/breast_cancer.csv"));
        var (train, test) = Standardizer.Standardize(PlusMinusOne(table.Data).Split(0.25, seed));

        var svm = new LinearSvm(seed: seed);
        // Step size 1/(1 + t/50): the decaying schedule subgradient methods need to converge.
        var opt = new Sgd(0.1f) { Schedule = Schedule.InverseTime(0.02f) };
        var curve = new TrainingLog();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            foreach (var (x, y) in train.Batches(batch, seed: seed, epoch: epoch)) svm.Step(x, y, opt);
            curve.Add(epoch, "objective", svm.Objective(train.Features, train.Targets).ToScalar());
            curve.Add(epoch, "test accuracy", Metrics.Accuracy(svm.Decision(test.Features), test.Targets, plusMinusOne: true));
        }
        var margins = svm.Decision(train.Features).ToArray();
        int onMargin = margins.Zip(train.Targets.Data, (m, y) => m * y <= 1 + 1e-3f).Count(v => v);
        double trainAcc = Metrics.Accuracy(svm.Decision(train.Features), train.Targets, plusMinusOne: true);
        var decision = svm.Decision(test.Features);
        var asClasses = new Tensor(test.Count);
        for (int i = 0; i < test.Count; i++) asClasses.Data[i] = test.Targets.Data[i] > 0 ? 1 : 0;
        return new Result(svm.Objective(train.Features, train.Targets).ToScalar(), trainAcc,
            Metrics.Accuracy(decision, test.Targets, plusMinusOne: true), onMargin, train.Count,
            Metrics.Confusion(decision, asClasses, 2), curve);
    }

    /// <summary>Labels 0/1 to −1/+1, as the hinge loss expects.</summary>
    private static Dataset PlusMinusOne(Dataset d)
    {
        var y = new Tensor(d.Count);
        for (int i = 0; i < d.Count; i++) y.Data[i] = d.Targets.Data[i] > 0.5f ? 1 : -1;
        return new Dataset(d.Features, y);
    }

    public static void Print(Result r)
    {
        Console.WriteLine($"primal objective {r.TrainObjective:F4}; {r.MarginPoints} of {r.TrainCount} training points on or inside the margin (support vectors)");
        Console.WriteLine($"accuracy: train {r.TrainAccuracy:P2}, test {r.TestAccuracy:P2}");
        Console.WriteLine("confusion matrix on the test set (0 = malignant, 1 = benign):");
        Console.Write(r.Confusion);
    }
}
