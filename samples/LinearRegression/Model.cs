using GraphNet;
using static GraphNet.Ops;

namespace Samples.LinearRegression;

/// <summary>
/// Linear regression y ≈ x·w + b with a mean squared error loss, on standardized features (mean 0 per
/// column), so the intercept of the least-squares fit is mean(y) and the closed form needs only w.
/// </summary>
[Model]
public sealed partial class LinearModel
{
    public const int Features = 10;

    [Param(Features, Init = Init.Zeros)] Tensor w;
    [Param(1)] Tensor b;

    public Tensor Predict([Shape("N", Features)] Tensor x) => MatMul(x, w) + b;

    public Tensor Loss([Shape("N", Features)] Tensor x, [Shape("N")] Tensor y) => Mse(Predict(x), y);

    /// <summary>The normal equations XᵀX w = Xᵀ(y − ȳ), solved in the graph (a Solve op, differentiable).</summary>
    public Tensor NormalEquations([Shape("N", Features)] Tensor x, [Shape("N")] Tensor y) =>
        Solve(MatMul(x, x, transposeA: true), MatMul(x, y - y.Mean(), transposeA: true));

    [Compile(nameof(Predict))] public partial Tensor Forward(Tensor x);
    [Compile(nameof(NormalEquations))] public partial Tensor ClosedForm(Tensor x, Tensor y);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
}
