using System;

namespace GraphNet;

/// <summary>A learning-rate schedule: the factor applied to the base learning rate at step t (0-based).</summary>
public abstract class Schedule
{
    /// <summary>The factor for step <paramref name="step"/> (0-based: the number of steps already taken).</summary>
    public abstract float Factor(long step);

    /// <summary>Factor 1 at every step.</summary>
    public static Schedule Constant { get; } = new ConstantSchedule();

    /// <summary>Multiplies by <paramref name="gamma"/> every <paramref name="every"/> steps: γ^⌊t/every⌋.</summary>
    public static Schedule Step(long every, float gamma = 0.1f) =>
        every > 0 ? new StepSchedule(every, gamma) : throw new ArgumentOutOfRangeException(nameof(every), every, "The step interval must be positive.");

    /// <summary>γ^t.</summary>
    public static Schedule Exponential(float gamma) =>
        gamma is > 0 and <= 1 ? new ExponentialSchedule(gamma) : throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be in (0, 1].");

    /// <summary>1 / (1 + decay·t), the Robbins–Monro 1/t schedule.</summary>
    public static Schedule InverseTime(float decay) =>
        decay >= 0 ? new InverseTimeSchedule(decay) : throw new ArgumentOutOfRangeException(nameof(decay), decay, "decay must be non-negative.");

    /// <summary>Cosine annealing from 1 to <paramref name="minFactor"/> over <paramref name="totalSteps"/>, then constant.</summary>
    public static Schedule Cosine(long totalSteps, float minFactor = 0f) =>
        totalSteps > 0 ? new CosineSchedule(totalSteps, minFactor) : throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "totalSteps must be positive.");

    private sealed class ConstantSchedule : Schedule
    {
        public override float Factor(long step) => 1f;
    }

    private sealed class StepSchedule(long every, float gamma) : Schedule
    {
        public override float Factor(long step) => MathF.Pow(gamma, step / every);
    }

    private sealed class ExponentialSchedule(float gamma) : Schedule
    {
        public override float Factor(long step) => (float)Math.Pow(gamma, step);
    }

    private sealed class InverseTimeSchedule(float decay) : Schedule
    {
        public override float Factor(long step) => 1f / (1f + decay * step);
    }

    private sealed class CosineSchedule(long total, float min) : Schedule
    {
        public override float Factor(long step) =>
            step >= total ? min : min + (1 - min) * 0.5f * (1 + MathF.Cos(MathF.PI * step / total));
    }
}
