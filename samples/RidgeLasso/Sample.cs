using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;

namespace Samples.RidgeLasso;

/// <summary>Coefficients of each fit, and the lasso's zeroed coefficients.</summary>
public sealed record Result(string[] Names, float[] Ridge, float[] RidgeGd, float[] LassoSubgradient, double[] LassoCoordinateDescent,
    bool[] Zeroed, double RidgeTestMse, double LassoTestMse);

/// <summary>Ridge (closed form and gradient descent) and lasso (subgradient descent, checked by coordinate descent) on diabetes.</summary>
public static class Sample
{
    /// <summary>A lasso coefficient counts as zero when it is below this (subgradient descent hovers within a step of 0).</summary>
    public const float ZeroTolerance = 0.05f;

    public static Result Run(int ridgeSteps = 3000, int lassoSteps = 20000, int seed = 1)
    {
        var table = Csv.Read(DataFiles.Find("tabular/diabetes.csv"), target: "progression");
        var (train, test) = Standardizer.Standardize(table.Data.Split(0.2, seed));
        float mean = train.Targets.Data.Average();

        var ridge = new PenalizedModel(seed: seed);
        var ridgeExact = ridge.RidgeClosedForm(train.Features, train.Targets).ToArray();
        var opt = new Sgd(0.2f);
        for (int s = 0; s < ridgeSteps; s++) ridge.RidgeStep(train.Features, train.Targets, opt);
        var ridgeGd = ridge.Parameters["w"].Value.ToArray();
        double ridgeMse = Metrics.Mse(ridge.Forward(test.Features), test.Targets);

        var lasso = new PenalizedModel(seed: seed);
        lasso.Parameters["b"].Value.Data[0] = mean;
        var sub = new Sgd(0.05f) { Schedule = Schedule.InverseTime(0.002f) };
        for (int s = 0; s < lassoSteps; s++) lasso.LassoStep(train.Features, train.Targets, sub);
        var lassoW = lasso.Parameters["w"].Value.ToArray();
        double lassoMse = Metrics.Mse(lasso.Forward(test.Features), test.Targets);

        var cd = CoordinateDescent(train.Features, train.Targets, PenalizedModel.Alpha);
        return new Result(table.FeatureNames.ToArray(), ridgeExact, ridgeGd, lassoW, cd,
            lassoW.Select(v => MathF.Abs(v) < ZeroTolerance).ToArray(), ridgeMse, lassoMse);
    }

    /// <summary>
    /// The exact lasso minimizer of ½·mean((y − ȳ − Xw)²) + α‖w‖₁ by cyclic coordinate descent with soft
    /// thresholding (in double), as an independent check of the subgradient result.
    /// </summary>
    public static double[] CoordinateDescent(Tensor x, Tensor y, double alpha, int sweeps = 2000)
    {
        int n = x.Shape[0], f = x.Shape[1];
        double mean = y.Data.Average(v => (double)v);
        var r = y.Data.Select(v => v - mean).ToArray();
        var w = new double[f];
        var sq = new double[f];
        for (int j = 0; j < f; j++) for (int i = 0; i < n; i++) sq[j] += (double)x.Data[i * f + j] * x.Data[i * f + j] / n;
        for (int sweep = 0; sweep < sweeps; sweep++)
            for (int j = 0; j < f; j++)
            {
                double rho = 0;
                for (int i = 0; i < n; i++) rho += x.Data[i * f + j] * (r[i] + w[j] * x.Data[i * f + j]) / n;
                double next = Math.Sign(rho) * Math.Max(Math.Abs(rho) - alpha, 0) / sq[j];
                for (int i = 0; i < n; i++) r[i] -= (next - w[j]) * x.Data[i * f + j];
                w[j] = next;
            }
        return w;
    }

    public static void Print(Result r)
    {
        Console.WriteLine($"ridge λ = {PenalizedModel.Lambda}, lasso α = {PenalizedModel.Alpha} (standardized features)");
        Console.WriteLine($"{"feature",-8} {"ridge exact",12} {"ridge GD",10} {"lasso subgrad",14} {"lasso CD",10}");
        for (int i = 0; i < r.Names.Length; i++)
            Console.WriteLine($"{r.Names[i],-8} {r.Ridge[i],12:F3} {r.RidgeGd[i],10:F3} {r.LassoSubgradient[i],14:F3} {r.LassoCoordinateDescent[i],10:F3}{(r.Zeroed[i] ? "  <- zeroed by the lasso" : "")}");
        Console.WriteLine($"lasso zeroed {r.Zeroed.Count(z => z)} of {r.Names.Length} coefficients; test MSE ridge {r.RidgeTestMse:F1}, lasso {r.LassoTestMse:F1}");
    }
}
