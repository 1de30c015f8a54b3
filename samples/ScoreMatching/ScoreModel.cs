using System;
using GraphNet;
using static GraphNet.Ops;

namespace Samples.ScoreMatching;

/// <summary>
/// An energy-based model of 2-D points fitted by Hyvärinen's score matching: the score s(x) = −∇E(x) comes from
/// <c>Grad</c> of the energy, and the loss E[½‖s(x)‖² + tr ∂s/∂x] takes the diagonal of the score's Jacobian with
/// <c>Grad</c> again, so the training step differentiates the energy three times. Samples come from Langevin dynamics on
/// the learned score, x ← x + (ε/2)·s(x) + √ε·z, each step a compiled program drawing z.
/// </summary>
[Model]
public sealed partial class ScoreModel
{
    public const int Hidden = 64;
    public const float StepSize = 0.01f;

    [Param(2, Hidden, Init = Init.Xavier)] Tensor w1;
    [Param(Hidden)] Tensor b1;
    [Param(Hidden, Hidden, Init = Init.Xavier)] Tensor w2;
    [Param(Hidden)] Tensor b2;
    [Param(Hidden, 1, Init = Init.Xavier)] Tensor w3;

    /// <summary>E(x) per point (smooth activations: the loss needs second derivatives of it).</summary>
    public Tensor Energy([Shape("N", 2)] Tensor x) => Reshape(MatMul(Tanh(MatMul(Tanh(MatMul(x, w1) + b1), w2) + b2), w3), x.Shape[0]);

    public Tensor Score([Shape("N", 2)] Tensor x) => -Grad(Sum(Energy(x)), x);

    public Tensor Loss([Shape("N", 2)] Tensor x)
    {
        var s = Score(x);
        var trace = Slice(Grad(Sum(Slice(s, 1, 0, 1)), x), 1, 0, 1) + Slice(Grad(Sum(Slice(s, 1, 1, 1)), x), 1, 1, 1);
        return Mean(0.5f * Sum(s * s, 1) + Reshape(trace, x.Shape[0]));
    }

    public Tensor Langevin([Shape("N", 2)] Tensor x) => x + 0.5f * StepSize * Score(x) + MathF.Sqrt(StepSize) * Normal(x.Shape[0], 2);

    [Train(nameof(Loss))] public partial float Step(Tensor x, Optimizer optimizer);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x);
    [Compile(nameof(Langevin))] public partial Tensor LangevinStep(Tensor x);
}
