using System;
using System.Linq;
using GraphNet;

namespace Samples.Langevin;

/// <summary>The mixture's weights and the chains' occupancy of its modes after the run, and the energy along the way.</summary>
public sealed record Result(float[] Weights, float[] Occupancy, double MaxGap, double InitialGap, TrainingLog Curve);

/// <summary>The MALA chains' occupancy of the modes after the run, and the mean acceptance rate.</summary>
public sealed record MalaResult(float[] Weights, float[] Occupancy, double MaxGap, double AcceptanceRate);

/// <summary>Runs the Langevin chains from N(0, I) on a three-mode mixture and measures how they share the modes.</summary>
public static class Sample
{
    public static readonly float[] Means = { -1f, 0f, 1f, 0f, 0f, 1.6f };
    public static readonly float[] Weights = { 0.5f, 0.3f, 0.2f };

    public static Result Run(int steps = 3000, int seed = 1)
    {
        var model = new LangevinSampler(seed: seed);
        model.SetMixture(Tensor.FromArray(Means, LangevinSampler.Modes, 2), Tensor.FromArray(Weights, LangevinSampler.Modes));
        double Gap(float[] occupancy) => occupancy.Zip(Weights).Max(p => Math.Abs(p.First - p.Second));
        double initial = Gap(model.MeasureOccupancy().Data);
        var drift = new Sgd(LangevinSampler.StepSize / 2);
        var curve = new TrainingLog { XLabel = "step" };
        for (int s = 1; s <= steps; s++)
        {
            float energy = model.Step(drift);
            if (s % 100 == 0) curve.Add(s, "energy per particle", energy / LangevinSampler.Particles);
        }
        var occupancy = model.MeasureOccupancy().Data.ToArray();
        return new Result(Weights, occupancy, Gap(occupancy), initial, curve);
    }

    /// <summary>MALA at step <see cref="LangevinSampler.MalaStep"/>: per step a proposal, the energy gradient there, and the accept step.</summary>
    public static MalaResult RunMala(int steps = 1000, int seed = 1)
    {
        var model = new LangevinSampler(seed: seed);
        model.SetMixture(Tensor.FromArray(Means, LangevinSampler.Modes, 2), Tensor.FromArray(Weights, LangevinSampler.Modes));
        var start = model.DrawStart();
        model.StartMala(start, model.EnergyGradient(start));
        double accepted = 0;
        for (int s = 0; s < steps; s++)
        {
            var y = model.Proposal();
            accepted += model.MalaStepAccept(y, model.EnergyGradient(y)).ToScalar();
        }
        var occupancy = model.MeasureMalaOccupancy().Data.ToArray();
        return new MalaResult(Weights, occupancy, occupancy.Zip(Weights).Max(p => Math.Abs(p.First - p.Second)), accepted / steps);
    }
}
