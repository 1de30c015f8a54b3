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

    /// <summary>The loss at the PGD example, which is held constant (its construction is not differentiated).</summary>
    public Tensor RobustLoss([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label) => Loss(StopGradient(PgdLinf(x, label)), label);

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
    [Train(nameof(RobustLoss))] public partial float RobustStep(Tensor x, Tensor label, Optimizer optimizer);
    [Compile(nameof(Fgsm))] public partial Tensor AttackFgsm(Tensor x, Tensor label);
    [Compile(nameof(PgdLinf))] public partial Tensor AttackPgd(Tensor x, Tensor label);
    [Compile(nameof(PgdL2))] public partial Tensor AttackPgdL2(Tensor x, Tensor label);
}
