using System;
using GraphNet;
using static GraphNet.Ops;

namespace Samples.Langevin;

/// <summary>
/// Langevin dynamics sampling a 2-D Gaussian mixture with <see cref="Particles"/> independent chains. The particles are
/// the model's parameter: a [Train] step on the energy U(x) = −log p(x) with plain SGD at rate ε/2 is the drift
/// x − (ε/2)∇U(x), and its update after the step adds the diffusion √ε·N(0, I), drawn in the compiled program:
/// x ← x + (ε/2)∇log p(x) + √ε·z, the unadjusted Langevin algorithm.
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

    [Train(nameof(Energy), Then = nameof(Diffuse))] public partial float Step(Optimizer drift);
    [Compile(nameof(Occupancy))] public partial Tensor MeasureOccupancy();
    [Update(nameof(Define))] public partial Tensor SetMixture(Tensor m, Tensor w);
}
