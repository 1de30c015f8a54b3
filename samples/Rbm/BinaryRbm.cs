using GraphNet;
using static GraphNet.Ops;

namespace Samples.Rbm;

/// <summary>
/// A binary restricted Boltzmann machine on 28×28 images: p(h = 1 | v) = σ(vW + c), p(v = 1 | h) = σ(hWᵀ + b). It is
/// not trained by a loss's gradient: contrastive divergence is an update rule, so each step is an [Update] entry
/// that runs the Gibbs chain (Bernoulli draws in the program) and commits W, b and c. CD-k starts the negative
/// chain at the data; persistent CD keeps <see cref="Chains"/> fantasy particles in a buffer across steps.
/// </summary>
[Model]
public sealed partial class BinaryRbm
{
    public const int Visible = 784, Hidden = 128, Chains = 64, K = 1;

    [Param(Visible, Hidden, Init = Init.Normal)] Tensor w;
    [Param(Visible)] Tensor b;
    [Param(Hidden)] Tensor c;
    [Buffer(Chains, Visible)] Tensor fantasy;

    public Tensor HiddenGivenVisible(Tensor v) => Sigmoid(MatMul(v, w) + c);

    public Tensor VisibleGivenHidden(Tensor h) => Sigmoid(MatMul(h, w, transposeB: true) + b);

    /// <summary>k Gibbs steps v → h → v from <paramref name="v"/>: the chain's last visible sample.</summary>
    public Tensor Gibbs(Tensor v, int steps)
    {
        var x = v;
        for (int i = 0; i < steps; i++) x = Bernoulli(VisibleGivenHidden(Bernoulli(HiddenGivenVisible(x))));
        return x;
    }

    /// <summary>The learning rule: W, b and c moved by ⟨vhᵀ⟩ under the data minus under the model's samples.</summary>
    public (Tensor w, Tensor b, Tensor c) Learned(Tensor data, Tensor model, float rate)
    {
        var hData = HiddenGivenVisible(data);
        var hModel = HiddenGivenVisible(model);
        return (w + rate * (MatMul(data, hData, transposeA: true) / data.Shape[0] - MatMul(model, hModel, transposeA: true) / model.Shape[0]),
            b + rate * (Mean(data, 0) - Mean(model, 0)),
            c + rate * (Mean(hData, 0) - Mean(hModel, 0)));
    }

    /// <summary>One CD-k step on a batch; returns the mean-field reconstruction error before the update.</summary>
    public Tensor ContrastiveDivergence([Shape("B", Visible)] Tensor v, float rate)
    {
        var (nw, nb, nc) = Learned(v, Gibbs(v, K), rate);
        w = nw;
        b = nb;
        c = nc;
        return Mean(Square(v - VisibleGivenHidden(HiddenGivenVisible(v))));
    }

    /// <summary>One persistent-CD step: the negative phase continues the fantasy chains, which are kept for the next step.</summary>
    public Tensor PersistentContrastiveDivergence([Shape("B", Visible)] Tensor v, float rate)
    {
        var next = Gibbs(fantasy, K);
        var (nw, nb, nc) = Learned(v, next, rate);
        w = nw;
        b = nb;
        c = nc;
        fantasy = next;
        return Mean(Square(v - VisibleGivenHidden(HiddenGivenVisible(v))));
    }

    /// <summary>Mean-field reconstruction error of a batch (no update).</summary>
    public Tensor Reconstruction([Shape("B", Visible)] Tensor v) => Mean(Square(v - VisibleGivenHidden(HiddenGivenVisible(v))));

    /// <summary><c>steps</c> Gibbs steps from <c>v</c>; the last step's visible probabilities, for pictures.</summary>
    public Tensor Dream([Shape("S", Visible)] Tensor v, int steps)
    {
        var x = v;
        for (int t = 0; t < steps; t++) x = Bernoulli(VisibleGivenHidden(Bernoulli(HiddenGivenVisible(x))));
        return VisibleGivenHidden(HiddenGivenVisible(x));
    }

    [Update(nameof(ContrastiveDivergence))] public partial Tensor CdStep(Tensor v, float rate);
    [Update(nameof(PersistentContrastiveDivergence))] public partial Tensor PcdStep(Tensor v, float rate);
    [Compile(nameof(Reconstruction))] public partial Tensor ReconstructionError(Tensor v);
    [Compile(nameof(Dream))] public partial Tensor Sample(Tensor v, int steps);
}
