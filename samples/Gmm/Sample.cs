using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet;
using GraphNet.Data;

namespace Samples.Gmm;

/// <summary>The average log-likelihood after each EM iteration, the final one, and the mixture weights.</summary>
public sealed record Result(double[] LogLikelihood, double Final, float[] Weights, TrainingLog Curve);

/// <summary>EM for a three-component full-covariance mixture on iris's four features, from one flower of each species as the initial means.</summary>
public static class Sample
{
    public static Result Run(int maxIterations = 1000, double tolerance = 1e-7)
    {
        var x = Csv.Read(DataFiles.Find("tabular/iris.csv")).Data.Features;
        var model = new GaussianMixture();
        var start = new float[GaussianMixture.K * GaussianMixture.D];
        int[] rows = { 0, 50, 100 };
        for (int k = 0; k < rows.Length; k++) Array.Copy(x.Data, rows[k] * GaussianMixture.D, start, k * GaussianMixture.D, GaussianMixture.D);
        model.Start(Tensor.FromArray(start, GaussianMixture.K, GaussianMixture.D));
        var history = new List<double>();
        var curve = new TrainingLog { XLabel = "EM iteration" };
        for (int it = 0; it < maxIterations; it++)
        {
            double ll = model.Step(x).ToScalar(); // the log-likelihood of the parameters this iteration started from
            history.Add(ll);
            curve.Add(it, "average log-likelihood", ll);
            if (it > 0 && Math.Abs(ll - history[^2]) < tolerance) break;
        }
        var weights = model.Buffers.Single(b => b.Key == "logWeights").Value.Data.Select(MathF.Exp).ToArray();
        return new Result(history.ToArray(), model.Score(x).ToScalar(), weights, curve);
    }
}
