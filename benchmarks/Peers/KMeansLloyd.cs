using GraphNet;
using static GraphNet.Ops;

namespace Benchmarks.Peers;

/// <summary>
/// The d_kmeans workload: one Lloyd iteration over N points of D = 32 into K = 16 clusters as a compiled [Update]
/// entry (distances by one GEMM, arg-min, cluster sums by a second GEMM against the one-hot assignment, the means
/// committed to the centroid buffer), as the peer's hand-written torch iteration does it.
/// </summary>
[Model]
public sealed partial class KMeansLloyd
{
    public const int D = 32, K = 16;

    [Buffer(K, D)] Tensor centroids;

    public Tensor Lloyd([Shape("N", D)] Tensor x)
    {
        var d = Reshape(Sum(centroids * centroids, 1), 1, K) - 2 * MatMul(x, centroids, transposeB: true); // ‖x‖² is the same for every centroid
        var nearest = OneHot(ArgMin(d, -1), K);
        var size = Sum(nearest, 0);
        centroids = MatMul(nearest, x, transposeA: true) / Reshape(Maximum(size, 1f), K, 1);
        return Sum(size);
    }

    public Tensor Seed([Shape(K, D)] Tensor initial)
    {
        centroids = initial;
        return Sum(initial);
    }

    [Update(nameof(Lloyd))] public partial Tensor Step(Tensor x);
    [Update(nameof(Seed))] public partial Tensor Initialize(Tensor initial);
}
