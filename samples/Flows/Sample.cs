using System;
using System.Linq;
using GraphNet;

namespace Samples.Flows;

/// <summary>Held-out average log-likelihood (nats per point) of each fitted density.</summary>
public sealed record Result(double RealNvp, double Nice, double Gaussian, double RealNvpMass, double NiceMass, TrainingLog Curve);

/// <summary>
/// Two interleaved half-moons (noise 0.08, scaled to unit spread), 4,000 training and 2,000 held-out points; the flows by
/// Adam (1e-3, batch 256) against the best Gaussian (the training set's mean and covariance).
/// </summary>
public static class Sample
{
    public static Tensor Moons(int count, ulong seed)
    {
        var rng = new Rng(seed, 77);
        var x = new Tensor(count, 2);
        for (int i = 0; i < count; i++)
        {
            double angle = Math.PI * rng.Uniform((ulong)(3 * i));
            bool lower = i % 2 == 1;
            double px = lower ? 1 - Math.Cos(angle) : Math.Cos(angle), py = lower ? 0.5 - Math.Sin(angle) : Math.Sin(angle);
            x.Data[2 * i] = (float)((px - 0.5) / 0.9 + 0.08 * rng.Normal((ulong)(3 * i + 1)) / 0.9);
            x.Data[2 * i + 1] = (float)((py - 0.25) / 0.5 + 0.08 * rng.Normal((ulong)(3 * i + 2)) / 0.5);
        }
        return x;
    }

    /// <summary>The average log-density of <paramref name="test"/> under the Gaussian fitted to <paramref name="train"/> by maximum likelihood.</summary>
    public static double GaussianLogLikelihood(Tensor train, Tensor test)
    {
        int n = train.Shape[0];
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += train.Data[2 * i]; my += train.Data[2 * i + 1]; }
        mx /= n; my /= n;
        double sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = train.Data[2 * i] - mx, dy = train.Data[2 * i + 1] - my;
            sxx += dx * dx / n; sxy += dx * dy / n; syy += dy * dy / n;
        }
        double det = sxx * syy - sxy * sxy, total = 0;
        for (int i = 0; i < test.Shape[0]; i++)
        {
            double dx = test.Data[2 * i] - mx, dy = test.Data[2 * i + 1] - my;
            double q = (syy * dx * dx - 2 * sxy * dx * dy + sxx * dy * dy) / det;
            total += -0.5 * q - Math.Log(2 * Math.PI) - 0.5 * Math.Log(det);
        }
        return total / test.Shape[0];
    }

    public static Result Run(int epochs = 150, int batch = 256, int seed = 1)
    {
        var train = Moons(4000, 1);
        var test = Moons(2000, 2);
        var curve = new TrainingLog { XLabel = "epoch" };
        var order = Enumerable.Range(0, train.Shape[0]).ToArray();

        double Fit(string name, Func<Tensor, Optimizer, float> step, Func<Tensor, Tensor> nll)
        {
            var opt = new Adam(1e-3f);
            for (int e = 1; e <= epochs; e++)
            {
                var rng = new Rng((ulong)seed, (ulong)e);
                for (int k = order.Length - 1; k > 0; k--) { int j = (int)(rng.Bits((ulong)k) % (ulong)(k + 1)); (order[k], order[j]) = (order[j], order[k]); }
                for (int s = 0; s + batch <= order.Length; s += batch)
                {
                    var x = new Tensor(batch, 2);
                    for (int i = 0; i < batch; i++) { x.Data[2 * i] = train.Data[2 * order[s + i]]; x.Data[2 * i + 1] = train.Data[2 * order[s + i] + 1]; }
                    step(x, opt);
                }
                if (e % 10 == 0) curve.Add(e, name + " held-out log-likelihood", -nll(test).ToScalar());
            }
            return -nll(test).ToScalar();
        }

        var realNvp = new RealNvp(seed: seed);
        var nice = new Nice(seed: seed);
        double r = Fit("RealNVP", realNvp.Step, realNvp.NegativeLogLikelihood), n = Fit("NICE", nice.Step, nice.NegativeLogLikelihood);
        return new Result(r, n, GaussianLogLikelihood(train, test), Mass(realNvp.LogDensity), Mass(nice.LogDensity), curve);
    }

    /// <summary>
    /// The total probability the density puts on [−6, 6]², by the midpoint rule on a 600×600 grid: 1 when the
    /// log-determinants are right (a density that does not integrate to 1 has a wrong change of variables).
    /// </summary>
    public static double Mass(Func<Tensor, Tensor> logDensity)
    {
        const int side = 600;
        const double low = -6, step = 12.0 / side;
        var grid = new Tensor(side * side, 2);
        for (int i = 0; i < side; i++)
            for (int j = 0; j < side; j++)
            {
                grid.Data[2 * (i * side + j)] = (float)(low + (i + 0.5) * step);
                grid.Data[2 * (i * side + j) + 1] = (float)(low + (j + 0.5) * step);
            }
        return logDensity(grid).Data.Sum(v => Math.Exp(v)) * step * step;
    }
}
