using System;
using GraphNet;
using static GraphNet.Ops;

namespace Samples.Langevin;

/// <summary>
/// Langevin dynamics sampling a 2-D Gaussian mixture with <see cref="Particles"/> independent chains. The particles are
/// the model's parameter: a [Train] step on the energy U(x) = −log p(x) with plain SGD at rate ε/2 is the drift
/// x − (ε/2)∇U(x), and its update after the step adds the diffusion √ε·N(0, I), drawn in the compiled program:
/// x ← x + (ε/2)∇log p(x) + √ε·z, the unadjusted Langevin algorithm. Beside it, MALA: the same proposal from chains
/// held in buffers, the gradient at the proposal from the input-gradient entry, and a Metropolis–Hastings accept step
/// drawn in the compiled program, which keeps the mixture exact at a step size where the unadjusted chain is biased.
/// </summary>
[Model]
public sealed partial class LangevinSampler
{
    public const int Particles = 4000, Modes = 3;
    public const float StepSize = 0.02f, Sigma = 0.7f;

    [Param(Particles, 2, Init = Init.StandardNormal)] Tensor x;
    [Buffer(Modes, 2)] Tensor means;
    [Buffer(Modes)] Tensor logWeights;

    /// <summary>log w_k + log N(x; μ_k, σ²I) for every particle and mode: [Particles, Modes].</summary>
    public Tensor Joint(Tensor points)
    {
        var d2 = Sum(points * points, 1, keepDims: true) - 2 * MatMul(points, means, transposeB: true) + Reshape(Sum(means * means, 1), 1, Modes);
        return Reshape(logWeights, 1, Modes) - d2 / (2 * Sigma * Sigma) - MathF.Log(2 * MathF.PI * Sigma * Sigma);
    }

    /// <summary>The energy of all chains: −Σ log p(x).</summary>
    public Tensor Energy() => -Sum(LogSumExp(Joint(x), -1));

    /// <summary>The diffusion after each drift step.</summary>
    public Tensor Diffuse()
    {
        x = x + MathF.Sqrt(StepSize) * Normal(Particles, 2);
        return Sum(x);
    }

    /// <summary>Each mode's mean responsibility over the particles: under the mixture itself, exactly its weight.</summary>
    public Tensor Occupancy() => Mean(Softmax(Joint(x)), 0);

    /// <summary>Sets the mixture (means [Modes, 2], weights [Modes]).</summary>
    public Tensor Define([Shape(Modes, 2)] Tensor m, [Shape(Modes)] Tensor w)
    {
        means = m;
        logWeights = Log(w);
        return Sum(w);
    }

    // ---- MALA: the Langevin proposal with a Metropolis-Hastings correction, so a large step stays exact ----

    public const float MalaStep = 0.25f;

    [Buffer(Particles, 2)] Tensor current;   // the MALA chains
    [Buffer(Particles, 2)] Tensor gradient;  // ∇U at the chains, kept from the step that accepted them

    /// <summary>U(x) = −log p(x) of each point: [N].</summary>
    public Tensor EnergyOf([Shape("N", 2)] Tensor points) => -LogSumExp(Joint(points), -1);

    public Tensor TotalEnergy([Shape("N", 2)] Tensor points) => Sum(EnergyOf(points));

    /// <summary>Starting points for the chains, N(0, I).</summary>
    public Tensor Draw() => Normal(Particles, 2);

    /// <summary>Puts the chains at <paramref name="points"/>, whose energy gradient is <paramref name="g"/>.</summary>
    public Tensor Restart([Shape(Particles, 2)] Tensor points, [Shape(Particles, 2)] Tensor g)
    {
        current = points;
        gradient = g;
        return Sum(points);
    }

    /// <summary>The Langevin proposal y = x − (ε/2)∇U(x) + √ε·z for every chain.</summary>
    public Tensor Propose() => current - 0.5f * MalaStep * gradient + MathF.Sqrt(MalaStep) * Normal(Particles, 2);

    /// <summary>
    /// Accepts each chain's proposal y (energy gradient <paramref name="gy"/>) with probability
    /// min(1, p(y)·q(x | y) / (p(x)·q(y | x))), q the proposal's Gaussian; returns the acceptance rate.
    /// </summary>
    public Tensor Accept([Shape(Particles, 2)] Tensor y, [Shape(Particles, 2)] Tensor gy)
    {
        var there = y - current + 0.5f * MalaStep * gradient;   // y − mean of q(· | x)
        var back = current - y + 0.5f * MalaStep * gy;          // x − mean of q(· | y)
        var logRatio = EnergyOf(current) - EnergyOf(y) + (Sum(there * there, 1) - Sum(back * back, 1)) / (2 * MalaStep);
        var accepted = Lt(Log(Uniform(Particles)), logRatio);
        var keep = Reshape(accepted, Particles, 1);
        current = Where(keep, y, current);
        gradient = Where(keep, gy, gradient);
        return Mean(accepted);
    }

    /// <summary>The MALA chains' mean responsibility per mode.</summary>
    public Tensor MalaOccupancy() => Mean(Softmax(Joint(current)), 0);

    [Compile(nameof(Draw))] public partial Tensor DrawStart();
    [Gradient(nameof(TotalEnergy), "points")] public partial Tensor EnergyGradient(Tensor points);
    [Update(nameof(Restart))] public partial Tensor StartMala(Tensor points, Tensor g);
    [Compile(nameof(Propose))] public partial Tensor Proposal();
    [Update(nameof(Accept))] public partial Tensor MalaStepAccept(Tensor y, Tensor gy);
    [Compile(nameof(MalaOccupancy))] public partial Tensor MeasureMalaOccupancy();

    [Train(nameof(Energy), Then = nameof(Diffuse))] public partial float Step(Optimizer drift);
    [Compile(nameof(Occupancy))] public partial Tensor MeasureOccupancy();
    [Update(nameof(Define))] public partial Tensor SetMixture(Tensor m, Tensor w);
}
