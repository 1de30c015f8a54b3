using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet;

namespace Samples.MatrixFactorization;

/// <summary>Test RMSE along training for SGD (Adam) and ALS, the ALS objective per sweep, and the noise level (the best achievable RMSE).</summary>
public sealed record Result(double[] SgdTestRmse, double[] AlsTestRmse, double[] AlsObjective, double Noise, TrainingLog Curve);

/// <summary>
/// A synthetic ratings matrix: 300 users × 200 items, rank-4 truth plus N(0, 0.1²) noise, 15% of the cells observed
/// (9,000 ratings), 10% of them held out.
/// </summary>
public static class Sample
{
    public const float Noise = 0.1f;

    public static (Tensor U, Tensor I, Tensor R) Ratings(IEnumerable<(int U, int I, float R)> rows)
    {
        var list = rows.ToList();
        return (Tensor.FromArray(list.Select(r => (float)r.U).ToArray(), list.Count), Tensor.FromArray(list.Select(r => (float)r.I).ToArray(), list.Count),
            Tensor.FromArray(list.Select(r => r.R).ToArray(), list.Count));
    }

    public static ((Tensor U, Tensor I, Tensor R) Train, (Tensor U, Tensor I, Tensor R) Test) Data(int seed = 3)
    {
        const int truth = 4;
        var rng = new Rng((ulong)seed, 1);
        var pt = new float[RatingsModel.Users * truth];
        var qt = new float[RatingsModel.Items * truth];
        rng.FillNormal(pt, 0, 1);
        new Rng((ulong)seed, 2).FillNormal(qt, 0, 1);
        var cells = new List<(int, int, float)>();
        var noise = new Rng((ulong)seed, 3);
        for (int u = 0; u < RatingsModel.Users; u++)
            for (int i = 0; i < RatingsModel.Items; i++)
            {
                ulong c = (ulong)(u * RatingsModel.Items + i);
                if (rng.Uniform(c) >= 0.15f) continue;
                float r = 0;
                for (int j = 0; j < truth; j++) r += pt[u * truth + j] * qt[i * truth + j];
                cells.Add((u, i, r / MathF.Sqrt(truth) + Noise * noise.Normal(c)));
            }
        var test = cells.Where((_, k) => k % 10 == 0);
        var train = cells.Where((_, k) => k % 10 != 0);
        return (Ratings(train), Ratings(test));
    }

    public static Result Run(int epochs = 60, int sweeps = 10, int batch = 256, int seed = 1)
    {
        var (train, test) = Data();
        var curve = new TrainingLog { XLabel = "epoch (SGD) or sweep (ALS)" };
        var sgd = new RatingsModel(seed: seed);
        var opt = new Adam(0.02f);
        var sgdRmse = new double[epochs];
        int n = train.R.Length;
        var order = Enumerable.Range(0, n).ToArray();
        for (int e = 0; e < epochs; e++)
        {
            var shuffle = new Rng((ulong)seed, (ulong)(100 + e));
            for (int k = n - 1; k > 0; k--) { int j = (int)(shuffle.Bits((ulong)k) % (ulong)(k + 1)); (order[k], order[j]) = (order[j], order[k]); }
            for (int s = 0; s < n; s += batch)
            {
                var idx = order.Skip(s).Take(batch).ToArray();
                sgd.Step(Pick(train.U, idx), Pick(train.I, idx), Pick(train.R, idx), opt);
            }
            sgdRmse[e] = sgd.Evaluate(test.U, test.I, test.R).ToScalar();
            curve.Add(e + 1, "SGD (Adam) test RMSE", sgdRmse[e]);
        }
        var als = new RatingsModel(seed: seed);
        var alsRmse = new double[sweeps];
        var objective = new double[sweeps];
        for (int s = 0; s < sweeps; s++)
        {
            objective[s] = als.AlsSweep(train.U, train.I, train.R).ToScalar();
            alsRmse[s] = als.Evaluate(test.U, test.I, test.R).ToScalar();
            curve.Add(s + 1, "ALS test RMSE", alsRmse[s]);
        }
        return new Result(sgdRmse, alsRmse, objective, Noise, curve);
    }

    private static Tensor Pick(Tensor t, int[] idx) => Tensor.FromArray(idx.Select(i => t.Data[i]).ToArray(), idx.Length);
}
