using System;
using System.Linq;
using GraphNet;

namespace Samples.Gan;

/// <summary>How a trained generator covers the ring: modes with at least 1% of the samples near them, and the fraction of samples near any mode.</summary>
public sealed record Coverage(string Kind, int ModesCovered, double NearFraction, Tensor Samples);

public sealed record Result(Coverage Gan, Coverage Wasserstein, Coverage Penalized, TrainingLog Curve);

/// <summary>
/// Eight Gaussians on a circle of radius 2 (σ = 0.02), the usual mode-coverage test: each variant trained for the same
/// number of generator steps (the Wasserstein critics 5 steps per generator step), then 2,000 samples counted per mode
/// (a sample is near a mode within 3σ·5 = 0.3).
/// </summary>
public static class Sample
{
    public const int Modes = 8;
    public const float Radius = 2f, Sigma = 0.02f, Near = 0.3f;

    public static Tensor Ring(int count, ulong seed)
    {
        var rng = new Rng(seed, 41);
        var x = new Tensor(count, 2);
        for (int i = 0; i < count; i++)
        {
            int k = (int)(rng.Bits((ulong)(3 * i)) % Modes);
            double angle = 2 * Math.PI * k / Modes;
            x.Data[2 * i] = (float)(Radius * Math.Cos(angle)) + Sigma * rng.Normal((ulong)(3 * i + 1));
            x.Data[2 * i + 1] = (float)(Radius * Math.Sin(angle)) + Sigma * rng.Normal((ulong)(3 * i + 2));
        }
        return x;
    }

    public static Coverage Measure(string kind, Tensor samples)
    {
        var counts = new int[Modes];
        int near = 0;
        for (int i = 0; i < samples.Shape[0]; i++)
            for (int k = 0; k < Modes; k++)
            {
                double angle = 2 * Math.PI * k / Modes;
                double dx = samples.Data[2 * i] - Radius * Math.Cos(angle), dy = samples.Data[2 * i + 1] - Radius * Math.Sin(angle);
                if (dx * dx + dy * dy < Near * Near) { counts[k]++; near++; break; }
            }
        return new Coverage(kind, counts.Count(c => c >= samples.Shape[0] / 100), (double)near / samples.Shape[0], samples);
    }

    public static Result Run(int steps = 2000, int batch = 256, int seed = 1)
    {
        var curve = new TrainingLog { XLabel = "generator step" };
        ulong draw = 0;
        Tensor Real() => Ring(batch, (ulong)seed * 1000003 + draw++);

        var gan = new Gan(seed: seed);
        Adam d = new(1e-3f, 0.5f), g = new(1e-3f, 0.5f);
        for (int s = 1; s <= steps; s++)
        {
            float dl = gan.StepDiscriminator(Real(), d);
            float gl = gan.StepGenerator(batch, g);
            if (s % 100 == 0) { curve.Add(s, "GAN discriminator loss", dl); curve.Add(s, "GAN generator loss", gl); }
        }

        var wgan = new Gan(seed: seed);
        RmsProp c1 = new(5e-5f * 20), g1 = new(5e-5f * 20);
        for (int s = 1; s <= steps; s++)
        {
            float cl = 0;
            for (int k = 0; k < 5; k++) cl = wgan.StepClippedCritic(Real(), c1);
            wgan.StepWassersteinGenerator(batch, g1);
            if (s % 100 == 0) curve.Add(s, "WGAN (clipped) critic loss", cl);
        }

        var gp = new Gan(seed: seed);
        Adam c2 = new(1e-4f * 5, 0.5f, 0.9f), g2 = new(1e-4f * 5, 0.5f, 0.9f);
        for (int s = 1; s <= steps; s++)
        {
            float cl = 0;
            for (int k = 0; k < 5; k++) cl = gp.StepPenalizedCritic(Real(), c2);
            gp.StepWassersteinGenerator(batch, g2);
            if (s % 100 == 0) curve.Add(s, "WGAN-GP critic loss", cl);
        }

        return new Result(Measure("GAN", gan.Sample(2000)), Measure("WGAN (clipped)", wgan.Sample(2000)), Measure("WGAN-GP", gp.Sample(2000)), curve);
    }
}
