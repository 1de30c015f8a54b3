using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;

namespace Samples.LogisticRegression;

/// <summary>Both optima, their distance, each method's loss trajectory and test accuracy.</summary>
public sealed record Result(float[] GradientDescent, float[] Newton, double MaxParameterGap, float LossGd, float LossNewton,
    int NewtonSteps, double TestAccuracyGd, double TestAccuracyNewton, double TestLogLoss, ConfusionMatrix Confusion, TrainingLog Curve);

/// <summary>Breast-cancer diagnosis: gradient descent against Newton's method with the generated Hessian.</summary>
public static class Sample
{
    public static Result Run(int gdSteps = 4000, float learningRate = 1f, int newtonSteps = 8, int seed = 1)
    {
        var table = Csv.Read(DataFiles.Find("tabular/breast_cancer.csv"));
        var (train, test) = Standardizer.Standardize(table.Data.Split(0.25, seed));
        var curve = new TrainingLog { XLabel = "step" };

        var gd = new Classifier(seed: seed);
        var opt = new Sgd(learningRate);
        float lossGd = 0;
        for (int s = 1; s <= gdSteps; s++)
        {
            lossGd = gd.Step(train.Features, train.Targets, opt);
            if (s <= 20 || s % 50 == 0) curve.Add(s, "gradient descent loss", lossGd);
        }
        lossGd = gd.LossAndGradients(train.Features, train.Targets);

        // Newton: θ ← θ − H⁻¹∇L, with H from the generated [Hessian] entry (P Hessian-vector products).
        var newton = new Classifier(seed: seed);
        float lossNewton = 0;
        for (int s = 1; s <= newtonSteps; s++)
        {
            lossNewton = newton.LossAndGradients(train.Features, train.Targets);
            curve.Add(s, "Newton loss", lossNewton);
            var step = Linalg.CholeskySolve(newton.Hessian(train.Features, train.Targets), newton.Parameters.FlattenGradients());
            var theta = newton.Parameters.Flatten();
            for (int i = 0; i < theta.Length; i++) theta.Data[i] -= step.Data[i];
            newton.Parameters.Assign(theta);
        }
        lossNewton = newton.LossAndGradients(train.Features, train.Targets);

        var a = gd.Parameters.Flatten().Data;
        var b = newton.Parameters.Flatten().Data;
        var logits = newton.Forward(test.Features).Clone();
        return new Result(a, b, a.Zip(b, (p, q) => Math.Abs(p - q)).Max(), lossGd, lossNewton, newtonSteps,
            Metrics.Accuracy(gd.Forward(test.Features), test.Targets), Metrics.Accuracy(logits, test.Targets),
            Metrics.LogLoss(logits, test.Targets), Metrics.Confusion(logits, test.Targets, 2), curve);
    }

    public static void Print(Result r)
    {
        Console.WriteLine($"training loss: gradient descent {r.LossGd:F6}, Newton ({r.NewtonSteps} steps) {r.LossNewton:F6}");
        Console.WriteLine($"largest parameter gap between the two optima: {r.MaxParameterGap:E2}");
        Console.WriteLine($"test accuracy: gradient descent {r.TestAccuracyGd:P2}, Newton {r.TestAccuracyNewton:P2}; test log-loss {r.TestLogLoss:F4}");
        Console.WriteLine("confusion matrix on the test set (0 = malignant, 1 = benign):");
        Console.Write(r.Confusion);
    }
}
