using GraphNet;
using static GraphNet.Ops;

namespace Samples.LogisticRegression;

/// <summary>
/// L2-regularized logistic regression: mean binary cross-entropy on logits + ½λ‖w‖². The penalty makes the
/// optimum unique (the standardized breast-cancer data are nearly separable), so gradient descent and
/// Newton's method must meet at the same point.
/// </summary>
[Model]
public sealed partial class Classifier
{
    public const int Features = 30;
    public const float Lambda = 0.01f;

    [Param(Features, Init = Init.Zeros)] Tensor w;
    [Param(1)] Tensor b;

    public Tensor Logits([Shape("N", Features)] Tensor x) => MatMul(x, w) + b;

    public Tensor Loss([Shape("N", Features)] Tensor x, [Shape("N")] Tensor y) =>
        BinaryCrossEntropyWithLogits(Logits(x), y).Mean() + 0.5f * Lambda * (w * w).Sum();

    [Compile(nameof(Logits))] public partial Tensor Forward(Tensor x);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor y);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
    [Hessian(nameof(Loss))] public partial Tensor Hessian(Tensor x, Tensor y);
}
