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
    /// <summary>Runs EM until the log-likelihood moves less than <paramref name="tolerance"/>; given a <paramref name="device"/>, each iteration runs there (GraphNet.Gpu).</summary>
    public static Result Run(int maxIterations = 1000, double tolerance = 1e-7, GraphNet.Gpu.GpuDevice? device = null)
    {
        var x = Csv.Read(DataFiles.Find("tabular/iris.csv")).Data.Features;
        var model = new GaussianMixture();
        var onDevice = device is null ? null : model.OnGpu(device);
        Func<Tensor, Tensor> start = onDevice is null ? model.Start : onDevice.Start, step = onDevice is null ? model.Step : onDevice.Step, score = onDevice is null ? model.Score : onDevice.Score;
        var initial = new float[GaussianMixture.K * GaussianMixture.D];
        int[] rows = { 0, 50, 100 };
        for (int k = 0; k < rows.Length; k++) Array.Copy(x.Data, rows[k] * GaussianMixture.D, initial, k * GaussianMixture.D, GaussianMixture.D);
        start(Tensor.FromArray(initial, GaussianMixture.K, GaussianMixture.D));
        var history = new List<double>();
        var curve = new TrainingLog { XLabel = "EM iteration" };
        for (int it = 0; it < maxIterations; it++)
        {
            double ll = step(x).ToScalar(); // the log-likelihood of the parameters this iteration started from
            history.Add(ll);
            curve.Add(it, "average log-likelihood", ll);
            if (it > 0 && Math.Abs(ll - history[^2]) < tolerance) break;
        }
        var weights = model.Buffers.Single(b => b.Key == "logWeights").Value.Data.Select(MathF.Exp).ToArray();
        return new Result(history.ToArray(), score(x).ToScalar(), weights, curve);
    }
}
