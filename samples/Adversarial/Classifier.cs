using GraphNet;
using static GraphNet.Ops;

namespace Samples.Adversarial;

/// <summary>
/// An MNIST classifier (784-256-10) and the attacks on it, each one compiled program: FGSM, one signed-gradient step
/// of size ε; PGD in L∞ (from a random start in the ε-box, 10 signed steps, each projected back onto the box and onto
/// [0, 1]) and PGD in L2 (normalized gradient steps, projected onto the ε-ball). The input gradient is <c>Grad</c>
/// inside the attack. Adversarial training (Madry et al.) minimizes the loss at the PGD example, held constant.
/// </summary>
[Model]
public sealed partial class Classifier
{
    public const int Pixels = 784, Hidden = 256, Classes = 10, Steps = 10;
    public const float Epsilon = 0.1f, StepSize = 0.025f, L2Epsilon = 1.5f, L2StepSize = 0.375f;

    [Param(Pixels, Hidden, Init = Init.He)] Tensor w1;
    [Param(Hidden)] Tensor b1;
    [Param(Hidden, Classes, Init = Init.Xavier)] Tensor w2;
    [Param(Classes)] Tensor b2;

    public Tensor Logits([Shape("B", Pixels)] Tensor x) => MatMul(Relu(MatMul(x, w1) + b1), w2) + b2;

    public Tensor Loss([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label) => SoftmaxCrossEntropy(Logits(x), label).Mean();

    /// <summary>FGSM: x + ε·sign(∇ₓ loss), kept in [0, 1].</summary>
    public Tensor Fgsm([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label) => Clamp(x + Epsilon * Sign(Grad(Loss(x, label), x)), 0f, 1f);

    /// <summary>PGD in L∞: a random start in the ε-box, then signed steps projected onto the box around x and onto [0, 1].</summary>
    public Tensor PgdLinf([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label)
    {
        var adversary = Clamp(x + Epsilon * (2f * Uniform(x.Shape[0], Pixels) - 1f), 0f, 1f);
        for (int i = 0; i < Steps; i++)
        {
            var step = adversary + StepSize * Sign(Grad(Loss(adversary, label), adversary));
            adversary = Clamp(Minimum(Maximum(step, x - Epsilon), x + Epsilon), 0f, 1f);
        }
        return adversary;
    }

    /// <summary>PGD in L2: steps along the normalized gradient, the perturbation scaled back into the ε-ball, kept in [0, 1].</summary>
    public Tensor PgdL2([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label)
    {
        var adversary = x;
        for (int i = 0; i < Steps; i++)
        {
            var g = Grad(Loss(adversary, label), adversary);
            var moved = adversary + L2StepSize * g / (Sqrt(Sum(g * g, 1, keepDims: true)) + 1e-12f);
            var delta = moved - x;
            var length = Sqrt(Sum(delta * delta, 1, keepDims: true)) + 1e-12f;
            adversary = Clamp(x + delta * Minimum(L2Epsilon / length, 1f), 0f, 1f);
        }
        return adversary;
    }

    public const int Queries = 20;
    public const float Probe = 0.01f;

    /// <summary>
    /// A black-box attack: the same signed, projected steps as PGD-L∞, but each gradient estimated from queries of the
    /// model's loss only (antithetic finite differences along <see cref="Queries"/> random directions: Σ (L(x + δu) − L(x − δu))·u).
    /// </summary>
    public Tensor BlackBox([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label)
    {
        var b = x.Shape[0];
        var labels = Reshape(BroadcastTo(Reshape(label, 1, b), Queries, b), Queries * b);
        var adversary = x;
        for (int i = 0; i < Steps; i++)
        {
            var u = Normal(Queries, b, Pixels);
            var at = Reshape(adversary, 1, b, Pixels);
            var up = Reshape(SoftmaxCrossEntropy(Logits(Reshape(at + Probe * u, Queries * b, Pixels)), labels), Queries, b, 1);
            var down = Reshape(SoftmaxCrossEntropy(Logits(Reshape(at - Probe * u, Queries * b, Pixels)), labels), Queries, b, 1);
            var estimate = Sum((up - down) * u, 0);
            adversary = Clamp(Minimum(Maximum(adversary + StepSize * Sign(estimate), x - Epsilon), x + Epsilon), 0f, 1f);
        }
        return adversary;
    }

    /// <summary>The loss at the PGD example, which is held constant (its construction is not differentiated).</summary>
    public Tensor RobustLoss([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label) => Loss(StopGradient(PgdLinf(x, label)), label);

    /// <summary>
    /// Interval bound propagation (Gowal et al. 2018) over the ε-box around x (within [0, 1]): each layer maps the box's
    /// centre through W and its radius through |W|, ReLU maps bounds to bounds. The logits' bounds as centre and radius.
    /// </summary>
    public (Tensor centre, Tensor radius) LogitBounds([Shape("B", Pixels)] Tensor x, float epsilon)
    {
        var low = Clamp(x - epsilon, 0f, 1f);
        var high = Clamp(x + epsilon, 0f, 1f);
        var centre = MatMul(0.5f * (low + high), w1) + b1;
        var radius = MatMul(0.5f * (high - low), Abs(w1));
        var hiddenLow = Relu(centre - radius);
        var hiddenHigh = Relu(centre + radius);
        return (MatMul(0.5f * (hiddenLow + hiddenHigh), w2) + b2, MatMul(0.5f * (hiddenHigh - hiddenLow), Abs(w2)));
    }

    /// <summary>The worst logits the box allows: the true class at its lower bound, every other at its upper bound.</summary>
    public Tensor WorstLogits([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label, float epsilon)
    {
        var (centre, radius) = LogitBounds(x, epsilon);
        return centre + radius * (1f - 2f * OneHot(label, Classes));
    }

    /// <summary>Per digit, the true logit's lower bound minus the largest upper bound of another: positive means certified.</summary>
    public Tensor CertifiedMargin([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label)
    {
        var worst = WorstLogits(x, label, Epsilon);
        var truth = OneHot(label, Classes);
        return Sum(worst * truth, 1) - Max(worst - 1e9f * truth, 1);
    }

    /// <summary>IBP training: half the clean loss, half the loss at the worst logits a box of <paramref name="epsilon"/> allows (ramped up by the caller).</summary>
    public Tensor IbpLoss([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label, float epsilon) =>
        0.5f * Loss(x, label) + 0.5f * SoftmaxCrossEntropy(WorstLogits(x, label, epsilon), label).Mean();

    /// <summary>Gaussian data augmentation (σ), the training randomized smoothing needs.</summary>
    public Tensor NoisyLoss([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label) => Loss(x + Sigma * Normal(x.Shape[0], Pixels), label);

    /// <summary>Randomized smoothing (Cohen et al. 2019): per digit, how many of <paramref name="samples"/> copies with N(0, σ²) noise fall in each class.</summary>
    public Tensor NoisyVotes([Shape("B", Pixels)] Tensor x, int samples)
    {
        var noisy = Reshape(x, 1, x.Shape[0], Pixels) + Sigma * Normal(samples, x.Shape[0], Pixels);
        var logits = Reshape(Logits(Reshape(noisy, samples * x.Shape[0], Pixels)), samples, x.Shape[0], Classes);
        return Sum(OneHot(ArgMax(logits, -1), Classes), 0);
    }

    public const float Sigma = 0.25f;

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Compile(nameof(CertifiedMargin))] public partial Tensor Certify(Tensor x, Tensor label);
    [Compile(nameof(NoisyVotes))] public partial Tensor Votes(Tensor x, int samples);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
    [Train(nameof(RobustLoss))] public partial float RobustStep(Tensor x, Tensor label, Optimizer optimizer);
    [Train(nameof(IbpLoss))] public partial float IbpStep(Tensor x, Tensor label, float epsilon, Optimizer optimizer);
    [Train(nameof(NoisyLoss))] public partial float NoisyStep(Tensor x, Tensor label, Optimizer optimizer);
    [Compile(nameof(Fgsm))] public partial Tensor AttackFgsm(Tensor x, Tensor label);
    [Compile(nameof(PgdLinf))] public partial Tensor AttackPgd(Tensor x, Tensor label);
    [Compile(nameof(PgdL2))] public partial Tensor AttackPgdL2(Tensor x, Tensor label);
    [Compile(nameof(BlackBox))] public partial Tensor AttackBlackBox(Tensor x, Tensor label);
}
