using System;
using GraphNet;
using static GraphNet.Ops;

namespace Samples.Flows;

/// <summary>
/// One coupling layer on 2-D points: one coordinate passes through unchanged and conditions an affine map of the other,
/// x₂ ↦ x₂·exp(s(x₁)) + t(x₁) (RealNVP; NICE's additive form has s = 0), so the Jacobian is triangular and its
/// log-determinant is s. <paramref name="flip"/> swaps the coordinates' roles.
/// </summary>
[Module]
public partial class Coupling(int hidden, bool flip, bool additive)
{
    [Param(1, nameof(hidden), Init = Init.He)] Tensor w1;
    [Param(nameof(hidden))] Tensor b1;
    [Param(nameof(hidden), nameof(hidden), Init = Init.He)] Tensor w2;
    [Param(nameof(hidden))] Tensor b2;
    [Param(nameof(hidden), 2, Init = Init.Zeros)] Tensor w3; // the identity map at the start
    [Param(2)] Tensor b3;

    public (Tensor y, Tensor logDet) Forward(Tensor x)
    {
        var first = Slice(x, 1, 0, 1);
        var second = Slice(x, 1, 1, 1);
        var condition = second;
        var moved = first;
        if (!flip) { condition = first; moved = second; }
        var h = Relu(MatMul(Relu(MatMul(condition, w1) + b1), w2) + b2);
        var st = MatMul(h, w3) + b3;
        var shift = Slice(st, 1, 1, 1);
        var scale = 0f * shift;
        if (!additive) scale = Tanh(Slice(st, 1, 0, 1));
        var output = moved * Exp(scale) + shift;
        var y = Concat([output, condition], 1);
        if (!flip) y = Concat([condition, output], 1);
        return (y, Sum(scale, 1));
    }
}

/// <summary>
/// A normalizing flow of four couplings (alternating which coordinate moves) onto a standard normal: the exact
/// log-likelihood log p(x) = log N(f(x); 0, I) + Σ log|det ∂f|, trained by maximum likelihood. <see cref="Additive"/>
/// gives NICE (additive couplings and a final per-coordinate scaling), otherwise RealNVP.
/// </summary>
[Model]
public sealed partial class RealNvp
{
    public const int Hidden = 64;
    public const bool Additive = false;

    Coupling[] layers = [new(Hidden, false, Additive), new(Hidden, true, Additive), new(Hidden, false, Additive), new(Hidden, true, Additive)];

    public Tensor LogLikelihood([Shape("N", 2)] Tensor x)
    {
        var y = x;
        var logDet = 0f * Sum(x, 1);
        foreach (var layer in layers)
        {
            var (next, d) = layer.Forward(y);
            y = next;
            logDet = logDet + d;
        }
        return -0.5f * Sum(y * y, 1) - MathF.Log(2 * MathF.PI) + logDet;
    }

    public Tensor Loss([Shape("N", 2)] Tensor x) => -Mean(LogLikelihood(x));

    [Train(nameof(Loss))] public partial float Step(Tensor x, Optimizer optimizer);
    [Compile(nameof(Loss))] public partial Tensor NegativeLogLikelihood(Tensor x);
    [Compile(nameof(LogLikelihood))] public partial Tensor LogDensity(Tensor x);
}

/// <summary>NICE: additive couplings (volume preserving) and a learned per-coordinate scaling at the end.</summary>
[Model]
public sealed partial class Nice
{
    public const int Hidden = 64;

    Coupling[] layers = [new(Hidden, false, true), new(Hidden, true, true), new(Hidden, false, true), new(Hidden, true, true)];
    [Param(2)] Tensor logScale;

    public Tensor LogLikelihood([Shape("N", 2)] Tensor x)
    {
        var y = x;
        foreach (var layer in layers)
        {
            var (next, _) = layer.Forward(y);
            y = next;
        }
        y = y * Exp(logScale);
        return -0.5f * Sum(y * y, 1) - MathF.Log(2 * MathF.PI) + Sum(logScale);
    }

    public Tensor Loss([Shape("N", 2)] Tensor x) => -Mean(LogLikelihood(x));

    [Train(nameof(Loss))] public partial float Step(Tensor x, Optimizer optimizer);
    [Compile(nameof(Loss))] public partial Tensor NegativeLogLikelihood(Tensor x);
    [Compile(nameof(LogLikelihood))] public partial Tensor LogDensity(Tensor x);
}
