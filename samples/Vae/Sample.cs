using System;
using System.Linq;
using GraphNet;
using Samples.Shared;

namespace Samples.Vae;

/// <summary>One trained model's test figures in nats per image: the reconstruction term, the KL, and the negative ELBO.</summary>
public sealed record Trained(float Beta, VariationalAutoencoder Model, double[] TrainLoss, double Reconstruction, double Kl)
{
    public double NegativeElbo => Reconstruction + Kl;
}

public sealed record Result(Trained Vae, Trained BetaVae, Tensor TestImages, TrainingLog Curve);

/// <summary>MNIST-10k intensities as Bernoulli targets; Adam 1e-3, batch 64; the VAE (β = 1) and a β-VAE (β = 4).</summary>
public static class Sample
{
    public static Result Run(int epochs = 20, int batch = 64, float betaVae = 4f, int limit = int.MaxValue, int seed = 1)
    {
        var (trainSet, testSet) = MnistClassifier.Load();
        var train = trainSet.Subset(Enumerable.Range(0, Math.Min(limit, trainSet.Count)).ToArray());
        var test = testSet.Features;
        var curve = new TrainingLog { XLabel = "epoch" };

        Trained Fit(float beta)
        {
            var model = new VariationalAutoencoder(seed: seed);
            var opt = new Adam(1e-3f);
            var losses = new double[epochs];
            for (int e = 0; e < epochs; e++)
            {
                double sum = 0; int count = 0;
                foreach (var (x, _) in train.Batches(batch, seed: seed, epoch: e + 1)) { sum += model.Step(x, beta, opt); count++; }
                losses[e] = sum / count;
                curve.Add(e + 1, $"β = {beta}: training loss (nats/image)", losses[e]);
            }
            var (reconstruction, kl) = model.Score(test);
            return new Trained(beta, model, losses, reconstruction.ToScalar(), kl.ToScalar());
        }

        return new Result(Fit(1f), Fit(betaVae), test, curve);
    }
}
