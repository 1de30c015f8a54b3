using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;

namespace Samples.LinearRegression;

/// <summary>What the sample found: both coefficient vectors, their largest gap, and test-set errors.</summary>
public sealed record Result(float[] ClosedForm, float ClosedFormBias, float[] GradientDescent, float GradientDescentBias,
    double MaxCoefficientGap, double TestMseClosedForm, double TestMseGradientDescent, double TestR2, TrainingLog Curve);

/// <summary>Diabetes progression from 10 clinical features: the normal equations against full-batch gradient descent.</summary>
public static class Sample
{
    public static Result Run(int steps = 3000, float learningRate = 0.2f, int seed = 1)
    {
        var table = Csv.Read(DataFiles.Find("tabular/diabetes.csv"), target: "progression");
        var (train, test) = Standardizer.Standardize(table.Data.Split(0.2, seed));

        // Closed form: w from the Solve op, b = mean(y) (features are centered on the training set).
        var exact = new LinearModel(seed: seed);
        var wExact = exact.ClosedForm(train.Features, train.Targets).ToArray();
        float bExact = train.Targets.Data.Average();

        // Gradient descent on the same loss, full batch.
        var gd = new LinearModel(seed: seed);
        var opt = new Sgd(learningRate);
        var curve = new TrainingLog { XLabel = "step" };
        for (int s = 1; s <= steps; s++)
        {
            float loss = gd.Step(train.Features, train.Targets, opt);
            if (s == 1 || s % Math.Max(1, steps / 100) == 0) curve.Add(s, "train MSE", loss);
        }
        var wGd = gd.Parameters["w"].Value.ToArray();
        float bGd = gd.Parameters["b"].Value.ToScalar();

        exact.Parameters.Assign(Tensor.FromArray(wExact.Append(bExact).ToArray(), LinearModel.Features + 1));
        double gap = wExact.Zip(wGd, (a, b) => Math.Abs(a - b)).Append(Math.Abs(bExact - bGd)).Max();
        var predExact = exact.Forward(test.Features).Clone();
        var predGd = gd.Forward(test.Features);
        return new Result(wExact, bExact, wGd, bGd, gap,
            Metrics.Mse(predExact, test.Targets), Metrics.Mse(predGd, test.Targets), Metrics.RSquared(predExact, test.Targets), curve);
    }

    public static void Print(Result r, string[] names)
    {
        Console.WriteLine($"{"feature",-8} {"closed form",12} {"grad. descent",14}");
        for (int i = 0; i < r.ClosedForm.Length; i++) Console.WriteLine($"{names[i],-8} {r.ClosedForm[i],12:F3} {r.GradientDescent[i],14:F3}");
        Console.WriteLine($"{"(bias)",-8} {r.ClosedFormBias,12:F3} {r.GradientDescentBias,14:F3}");
        Console.WriteLine($"largest coefficient gap: {r.MaxCoefficientGap:E2}");
        Console.WriteLine($"test MSE: closed form {r.TestMseClosedForm:F1}, gradient descent {r.TestMseGradientDescent:F1}; test R² {r.TestR2:F3}");
    }
}
