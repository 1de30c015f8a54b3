using GraphNet;
using static GraphNet.Ops;

namespace Samples.Svm;

/// <summary>
/// A linear soft-margin SVM in its primal form: mean hinge loss max(0, 1 − y·(x·w + b)) over labels y ∈ {−1, +1}
/// plus ½λ‖w‖², minimized by subgradient SGD (the hinge's kink gets gradient 0, relu'(0) = 0).
/// </summary>
[Model]
public sealed partial class LinearSvm
{
    public const int Features = 30;
    public const float Lambda = 0.01f;

    [Param(Features, Init = Init.Zeros)] Tensor w;
    [Param(1)] Tensor b;

    public Tensor Margin([Shape("N", Features)] Tensor x) => MatMul(x, w) + b;

    public Tensor Loss([Shape("N", Features)] Tensor x, [Shape("N")] Tensor y) =>
        Hinge(Margin(x), y).Mean() + 0.5f * Lambda * (w * w).Sum();

    [Compile(nameof(Margin))] public partial Tensor Decision(Tensor x);
    [Compile(nameof(Loss))] public partial Tensor Objective(Tensor x, Tensor y);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
}
