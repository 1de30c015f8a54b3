using GraphNet;
using static GraphNet.Ops;

namespace Samples.RidgeLasso;

/// <summary>
/// Penalized linear regression on standardized (centered) features. Ridge: mean squared error + λ‖w‖²,
/// with a closed form. Lasso: ½·mean squared error + α‖w‖₁, trained by subgradient descent (the gradient
/// of |w| at 0 is taken as 0). The bias is not penalized.
/// </summary>
[Model]
public sealed partial class PenalizedModel
{
    public const int Features = 10;
    public const float Lambda = 0.05f;
    public const float Alpha = 3f;

    [Param(Features, Init = Init.Zeros)] Tensor w;
    [Param(1)] Tensor b;

    public Tensor Predict([Shape("N", Features)] Tensor x) => MatMul(x, w) + b;

    public Tensor RidgeLoss([Shape("N", Features)] Tensor x, [Shape("N")] Tensor y) => Mse(Predict(x), y) + Lambda * (w * w).Sum();

    public Tensor LassoLoss([Shape("N", Features)] Tensor x, [Shape("N")] Tensor y) => 0.5f * Mse(Predict(x), y) + Alpha * Abs(w).Sum();

    /// <summary>Ridge's normal equations (XᵀX/N + λI) w = Xᵀ(y − ȳ)/N.</summary>
    public Tensor RidgeSolution([Shape("N", Features)] Tensor x, [Shape("N")] Tensor y)
    {
        var n = (float)x.Shape[0];
        return Solve(MatMul(x, x, transposeA: true) / n + Lambda * Eye(Features), MatMul(x, y - y.Mean(), transposeA: true) / n);
    }

    [Compile(nameof(Predict))] public partial Tensor Forward(Tensor x);
    [Compile(nameof(RidgeSolution))] public partial Tensor RidgeClosedForm(Tensor x, Tensor y);
    [Train(nameof(RidgeLoss))] public partial float RidgeStep(Tensor x, Tensor y, Optimizer optimizer);
    [Train(nameof(LassoLoss))] public partial float LassoStep(Tensor x, Tensor y, Optimizer optimizer);
}
