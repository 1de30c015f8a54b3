using GraphNet;
using static GraphNet.Ops;

namespace Samples.Pca;

/// <summary>
/// Principal component analysis as a compiled [Update]: the covariance of the centred data by one GEMM, its
/// eigendecomposition (<c>Eigh</c>), and the mean, axes and variances committed to buffers. The top
/// <see cref="Components"/> axes reconstruct the data with the least squared error of any rank-k linear map.
/// </summary>
[Model]
public sealed partial class PrincipalComponents
{
    public const int D = 64, Components = 10;

    [Buffer(D)] Tensor mean;
    [Buffer(D, D)] Tensor axes;
    [Buffer(D)] Tensor variances;

    public Tensor Fit([Shape("N", D)] Tensor x)
    {
        var mu = Mean(x, 0);
        var centred = x - mu;
        var (values, vectors) = Eigh(MatMul(centred, centred, transposeA: true) / (x.Shape[0] - 1));
        mean = mu;
        axes = vectors;
        variances = values;
        return Sum(values);
    }

    /// <summary>Each component's share of the total variance, largest first.</summary>
    public Tensor Ratios() => Sort(variances, -1, true) / Sum(variances);

    /// <summary>The mean squared error of reconstructing x from its top components (the eigenvectors of the largest eigenvalues are the last columns).</summary>
    public Tensor ReconstructionError([Shape("N", D)] Tensor x)
    {
        var top = Slice(axes, 1, D - Components, Components);
        var centred = x - mean;
        return Mean(Square(centred - MatMul(MatMul(centred, top), top, transposeB: true)));
    }

    [Update(nameof(Fit))] public partial Tensor FitAxes(Tensor x);
    [Compile(nameof(Ratios))] public partial Tensor ExplainedVarianceRatios();
    [Compile(nameof(ReconstructionError))] public partial Tensor Error(Tensor x);
}

/// <summary>A linear autoencoder D → k → D trained by gradient descent on the reconstruction error: it spans the top-k principal subspace.</summary>
[Model]
public sealed partial class LinearAutoencoder
{
    public const int D = 64, Code = 10; // as PrincipalComponents.D and .Components

    [Param(D, Code, Init = Init.Normal)] Tensor encoder;
    [Param(Code, D, Init = Init.Normal)] Tensor decoder;
    [Param(D)] Tensor bias;

    public Tensor Loss([Shape("N", D)] Tensor x) => Mean(Square(x - (MatMul(MatMul(x - bias, encoder), decoder) + bias)));

    [Train(nameof(Loss))] public partial float Step(Tensor x, Optimizer optimizer);
    [Compile(nameof(Loss))] public partial Tensor Error(Tensor x);
}
