using GraphNet;
using static GraphNet.Ops;

namespace Samples.KnnKernelRidge;

/// <summary>
/// k-nearest-neighbour classification of 8×8 digits: squared distances from each query to every training digit by one
/// GEMM, the k nearest by <c>TopK</c>, their labels gathered, one vote each, the class with most votes by
/// <c>ArgMax</c> (the smallest digit among tied votes, as scikit-learn's mode picks).
/// </summary>
[Model]
public sealed partial class Knn
{
    public const int D = 64, Classes = 10, Train = 1397;

    /// <summary>Squared Euclidean distances [Q, Train].</summary>
    public Tensor Distances([Shape("Q", D)] Tensor queries, [Shape(Train, D)] Tensor train) =>
        Sum(queries * queries, 1, keepDims: true) - 2 * MatMul(queries, train, transposeB: true) + Reshape(Sum(train * train, 1), 1, Train);

    /// <summary>The class most of the k nearest training digits have.</summary>
    public Tensor Vote(Tensor distances, Tensor labels, int k)
    {
        var (_, nearest) = TopK(distances, k, -1, false);           // [Q, k], nearest first
        return ArgMax(Sum(OneHot(Gather(labels, nearest), Classes), 1), -1);
    }

    public Tensor Predict5([Shape("Q", D)] Tensor queries, [Shape(Train, D)] Tensor train, [Shape(Train)] Tensor labels) => Vote(Distances(queries, train), labels, 5);

    public Tensor Predict1([Shape("Q", D)] Tensor queries, [Shape(Train, D)] Tensor train, [Shape(Train)] Tensor labels) => Vote(Distances(queries, train), labels, 1);

    [Compile(nameof(Predict5))] public partial Tensor Classify5(Tensor queries, Tensor train, Tensor labels);
    [Compile(nameof(Predict1))] public partial Tensor Classify1(Tensor queries, Tensor train, Tensor labels);
}

/// <summary>
/// Kernel ridge regression with an RBF kernel k(a, b) = exp(−γ‖a − b‖²): fitting solves (K + λI)·α = y in the
/// compiled program and commits α and the training points to the model's buffers ([Update]); predicting is K(q, X)·α.
/// </summary>
[Model]
public sealed partial class KernelRidge
{
    public const int D = 10, Train = 353;

    [Buffer(Train)] Tensor alpha;
    [Buffer(Train, D)] Tensor support;

    public Tensor Rbf(Tensor a, Tensor b, float gamma)
    {
        var d = Sum(a * a, 1, keepDims: true) - 2 * MatMul(a, b, transposeB: true) + Reshape(Sum(b * b, 1), 1, b.Shape[0]);
        return Exp(-gamma * Maximum(d, 0f));
    }

    /// <summary>Solves for the dual weights and keeps the training points; returns the training mean squared error.</summary>
    public Tensor Fit([Shape(Train, D)] Tensor x, [Shape(Train)] Tensor y, float gamma, float lambda)
    {
        var k = Rbf(x, x, gamma);
        var weights = Reshape(Solve(k + lambda * Eye(Train), Reshape(y, Train, 1)), Train);
        alpha = weights;
        support = x;
        return Mse(MatMul(k, weights), y);
    }

    public Tensor Predict([Shape("Q", D)] Tensor queries, float gamma) => MatMul(Rbf(queries, support, gamma), alpha);

    [Update(nameof(Fit))] public partial Tensor FitDual(Tensor x, Tensor y, float gamma, float lambda);
    [Compile(nameof(Predict))] public partial Tensor Regress(Tensor queries, float gamma);
}
