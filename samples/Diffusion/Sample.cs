using System;
using System.Linq;
using GraphNet;
using GraphNet.Data;
using Samples.Shared;

namespace Samples.Diffusion;

/// <summary>Where a set of 2-D samples lies: the share near any mode and, of those, each mode's share beside its weight.</summary>
public sealed record Modes(string Kind, double Near, double[] Shares, double TotalVariation, Tensor Samples);

public sealed record PointResult(Modes Annealed, Modes SingleLevel, Modes Ddpm, double[] ScoreLoss, double[] DdpmLoss, TrainingLog Curve);

public sealed record DigitResult(Reading Samples, Reading Untrained, Reading Training, double JudgeAccuracy, double[] Loss, Tensor Images, TrainingLog Curve);

/// <summary>
/// Four Gaussians (σ 0.2) at (±2, ±2) with weights 0.4, 0.3, 0.2, 0.1: a noise-conditional score network trained by
/// denoising score matching (log σ uniform between 0.05 and 4) and sampled by annealed Langevin dynamics over ten
/// geometric levels, beside plain Langevin dynamics at the smallest level for as many steps (it finds the modes but not
/// their weights: a chain stays in the basin it starts in); and a DDPM on the same points. Chains start uniform on
/// [−4, 4]²; a sample is near a mode within 3σ.
/// </summary>
public static class Points
{
    public static readonly (float X, float Y, float Weight)[] Mixture = { (2, 2, 0.4f), (-2, 2, 0.3f), (-2, -2, 0.2f), (2, -2, 0.1f) };
    public const float Sigma = 0.2f, LowestLevel = 0.05f, HighestLevel = 4f;
    public const int Levels = 10, StepsPerLevel = 100;

    public static Tensor Draw(int count, ulong seed)
    {
        var rng = new Rng(seed, 23);
        var x = new Tensor(count, 2);
        for (int i = 0; i < count; i++)
        {
            double u = rng.Uniform((ulong)(3 * i)), c = 0;
            int k = 0;
            while (k < Mixture.Length - 1 && u >= (c += Mixture[k].Weight)) k++;
            x.Data[2 * i] = Mixture[k].X + Sigma * rng.Normal((ulong)(3 * i + 1));
            x.Data[2 * i + 1] = Mixture[k].Y + Sigma * rng.Normal((ulong)(3 * i + 2));
        }
        return x;
    }

    public static Modes Measure(string kind, Tensor samples)
    {
        var counts = new int[Mixture.Length];
        for (int i = 0; i < samples.Shape[0]; i++)
            for (int k = 0; k < Mixture.Length; k++)
            {
                float dx = samples.Data[2 * i] - Mixture[k].X, dy = samples.Data[2 * i + 1] - Mixture[k].Y;
                if (dx * dx + dy * dy < 9 * Sigma * Sigma) { counts[k]++; break; }
            }
        int near = counts.Sum();
        var shares = counts.Select(c => near == 0 ? 0 : (double)c / near).ToArray();
        double tv = 0.5 * shares.Select((s, k) => Math.Abs(s - Mixture[k].Weight)).Sum();
        return new Modes(kind, (double)near / samples.Shape[0], shares, tv, samples);
    }

    static double[] Fit(Func<Tensor, float> step, Tensor data, int epochs, string series, TrainingLog curve)
    {
        var set = new Dataset(data, new Tensor(data.Shape[0]));
        var losses = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            double sum = 0; int n = 0;
            foreach (var (x, _) in set.Batches(256, seed: 3, epoch: e + 1, dropLast: true)) { sum += step(x); n++; }
            losses[e] = sum / n;
            curve.Add(e + 1, series, losses[e]);
        }
        return losses;
    }

    public static PointResult Run(int epochs = 150, int chains = 2000, int seed = 1)
    {
        var data = Draw(4000, 1);
        var curve = new TrainingLog { XLabel = "epoch" };

        var score = new NoiseConditionalScore(seed: seed);
        var adam = new Adam(1e-3f);
        float low = MathF.Log(LowestLevel), high = MathF.Log(HighestLevel);
        var scoreLoss = Fit(x => score.Step(x, low, high, adam), data, epochs, "denoising score matching loss", curve);

        Tensor Start()
        {
            var x = new Tensor(chains, 2);
            var rng = new Rng((ulong)seed, 9);
            for (int i = 0; i < x.Length; i++) x.Data[i] = -4 + 8 * rng.Uniform((ulong)i);
            return x;
        }
        // α_i = ε σ_i² / σ_L²: the same signal-to-noise ratio at every level
        const float ratio = 0.1f;
        var annealed = Start();
        for (int i = 0; i < Levels; i++)
        {
            float logSigma = high + (low - high) * i / (Levels - 1), alpha = ratio * MathF.Exp(2 * logSigma);
            annealed = score.Run(annealed, logSigma, alpha, MathF.Sqrt(alpha), StepsPerLevel);
        }
        annealed = score.Clean(annealed, low, LowestLevel * LowestLevel);
        float lowest = ratio * LowestLevel * LowestLevel;
        var single = score.Clean(score.Run(Start(), low, lowest, MathF.Sqrt(lowest), Levels * StepsPerLevel), low, LowestLevel * LowestLevel);

        var ddpm = new PointDiffusion(seed: seed);
        ddpm.SetSchedule(1e-3f, (0.15f - 1e-3f) / (PointDiffusion.Steps - 1));
        var adam2 = new Adam(1e-3f);
        var ddpmLoss = Fit(x => ddpm.Step(x, adam2), data, epochs, "DDPM noise-prediction loss", curve);
        var drawn = ddpm.Generate(chains, PointDiffusion.Steps, 4f);

        return new PointResult(Measure("annealed Langevin", annealed), Measure("Langevin at the smallest level", single),
            Measure("DDPM", drawn), scoreLoss, ddpmLoss, curve);
    }
}

/// <summary>
/// A DDPM of MNIST-10k digits (8,000 training images scaled to [−1, 1]; Adam 10⁻³ with cosine decay, batch 64), and a
/// judge: an MLP classifier trained on the same images. The judge reads 1,000 sampled digits, 1,000 from the untrained
/// model and 1,000 training digits beside 1,000 test digits (the reference of the Fréchet distance: the training digits'
/// distance is the floor a perfect sampler would reach with this many images).
/// </summary>
public static class Digits
{
    public static DigitResult Run(int epochs = 40, int judgeEpochs = 3, int count = 1000, int seed = 1)
    {
        var (train, test) = MnistClassifier.Load();
        var curve = new TrainingLog { XLabel = "epoch" };
        const int batch = 64;

        var (judge, accuracy) = Judging.Train(train, test, judgeEpochs, seed);

        var model = new DigitDiffusion(seed: seed);
        model.SetSchedule(1e-3f, (0.15f - 1e-3f) / (DigitDiffusion.Steps - 1));
        var reference = test.Subset(Enumerable.Range(0, count).ToArray()).Features;
        var untrained = judge.Read("untrained DDPM", SignedPixels.ToUnit(model.Generate(count, DigitDiffusion.Steps, 1f)), reference);
        int stepsPerEpoch = (train.Count + batch - 1) / batch;
        var opt = new Adam(1e-3f) { Schedule = Schedule.Cosine((long)epochs * stepsPerEpoch, 0.05f) };
        var signed = SignedPixels.FromUnit(train);
        var losses = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            double sum = 0; int n = 0;
            foreach (var (x, _) in signed.Batches(batch, seed: seed, epoch: e + 1)) { sum += model.Step(x, opt); n++; }
            losses[e] = sum / n;
            curve.Add(e + 1, "DDPM noise-prediction loss", losses[e]);
        }
        var images = SignedPixels.ToUnit(model.Generate(count, DigitDiffusion.Steps, 1f));
        var real = train.Subset(Enumerable.Range(0, count).ToArray()).Features;
        return new DigitResult(judge.Read("DDPM samples", images, reference), untrained, judge.Read("training digits", real, reference), accuracy, losses, images, curve);
    }
}
