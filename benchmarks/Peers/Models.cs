using GraphNet;
using static GraphNet.Ops;

namespace Benchmarks.Peers;

/// <summary>(c) logistic regression, D = 100: mean binary cross-entropy on logits, trained full-batch with SGD.</summary>
[Model]
public sealed partial class LogReg
{
    public const int D = 100;

    [Param(D, Init = Init.Zeros)] Tensor w;
    [Param(1, Init = Init.Zeros)] Tensor b;

    public Tensor Loss([Shape("N", D)] Tensor x, [Shape("N")] Tensor y) => BinaryCrossEntropyWithLogits(MatMul(x, w) + b, y).Mean();

    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
}

/// <summary>(g) the fusion probe y = tanh(a·x + b)·sigmoid(c·x) with a, b, c = 0.5, 0.1, 1.5; and tanh alone.</summary>
[Model]
public sealed partial class FusionProbe
{
    public Tensor Probe([Shape("N")] Tensor x) => Tanh(0.5f * x + 0.1f) * Sigmoid(1.5f * x);

    public Tensor TanhOnly([Shape("N")] Tensor x) => Tanh(x);

    [Compile(nameof(Probe))] public partial Tensor Fused(Tensor x);
    [Compile(nameof(TanhOnly))] public partial Tensor TanhAlone(Tensor x);
}
