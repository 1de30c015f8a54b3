using System;
using System.Linq;
using GraphNet;
using Samples.Shared;

namespace Samples.Autoencoders;

/// <summary>One trained autoencoder's figures on the test digits (nats per image, ‖J‖²_F per image).</summary>
public sealed record Trained(string Kind, Autoencoder Model, double[] TrainLoss, double CleanError, double CorruptedError, double Jacobian);

/// <summary>The three autoencoders, a check of the contractive penalty's estimator, and the test images they reconstruct.</summary>
public sealed record Result(Trained Plain, Trained Denoising, Trained Contractive, double EstimatedJacobian, double ExactJacobian, double MeanImageError,
    double KeptFraction, Tensor TestImages, TrainingLog Curve);

/// <summary>MNIST-10k intensities in [0, 1]; Adam 1e-3, batch 64; every figure on the 2,000 test digits.</summary>
public static class Sample
{
    public static Result Run(int epochs = 10, int batch = 64, int limit = int.MaxValue, int seed = 1)
    {
        var (trainSet, testSet) = MnistClassifier.Load();
        int n = Math.Min(limit, trainSet.Count);
        var train = trainSet.Subset(Enumerable.Range(0, n).ToArray());
        var test = testSet.Features;
        var curve = new TrainingLog { XLabel = "epoch" };
        // one corrupted copy of the test digits, drawn by a separate model, for all three
        var corrupted = new Autoencoder(seed: 99).Corrupted(test);

        Trained Fit(string kind, Func<Autoencoder, Func<Tensor, Optimizer, float>> step)
        {
            var model = new Autoencoder(seed: seed);
            var opt = new Adam(5e-3f);
            var losses = new double[epochs];
            for (int e = 0; e < epochs; e++)
            {
                double sum = 0; int count = 0;
                foreach (var (x, _) in train.Batches(batch, seed: seed, epoch: e + 1)) { sum += step(model)(x, opt); count++; }
                losses[e] = sum / count;
                curve.Add(e + 1, kind + " training loss", losses[e]);
            }
            return new Trained(kind, model, losses, model.ReconstructionError(test, test).ToScalar(),
                model.ReconstructionError(corrupted, test).ToScalar(), model.ExactJacobian(test).ToScalar());
        }

        var plain = Fit("plain", m => m.StepPlain);
        var denoising = Fit("denoising", m => m.StepDenoising);
        var contractive = Fit("contractive", m => m.StepContractive);
        // the estimator the contractive step trains with, averaged over draws, against the closed form
        var probe = test.Shape[0] > 200 ? Tensor.FromArray(test.Data.AsSpan(0, 200 * Autoencoder.Pixels).ToArray(), 200, Autoencoder.Pixels) : test;
        double estimate = Enumerable.Range(0, 200).Average(_ => plain.Model.EstimateJacobian(probe).ToScalar());
        // the baseline a code that says nothing reaches: every test digit reconstructed as the training set's mean image
        var mean = new double[Autoencoder.Pixels];
        for (int i = 0; i < n; i++) for (int j = 0; j < mean.Length; j++) mean[j] += train.Features.Data[i * Autoencoder.Pixels + j] / n;
        double baseline = 0;
        for (int i = 0; i < test.Shape[0]; i++)
            for (int j = 0; j < mean.Length; j++)
            {
                double p = Math.Clamp(mean[j], 1e-6, 1 - 1e-6), t = test.Data[i * Autoencoder.Pixels + j];
                baseline -= t * Math.Log(p) + (1 - t) * Math.Log(1 - p);
            }
        double on = test.Data.Count(v => v > 0), kept = corrupted.Data.Count(v => v > 0) / on;
        return new Result(plain, denoising, contractive, estimate, plain.Model.ExactJacobian(probe).ToScalar(), baseline / test.Shape[0], kept, test, curve);
    }
}
