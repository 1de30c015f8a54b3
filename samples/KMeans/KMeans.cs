using GraphNet;
using static GraphNet.Ops;

namespace Samples.KMeans;

/// <summary>
/// K-means as compiled state updates: the centroids and cluster sizes are buffers of the model, k-means++ seeding
/// and Lloyd's iterations are [Update] entries that compute from the old centroids and then commit the new ones. Up to
/// <see cref="MaxK"/> clusters; <c>active</c> (1 for the first k slots, 0 after) says how many are in use, so one
/// compiled model draws the whole elbow curve.
/// </summary>
[Model]
public sealed partial class KMeans
{
    public const int MaxK = 8, D = 4;

    [Buffer(MaxK, D)] Tensor centroids;
    [Buffer(MaxK)] Tensor sizes;

    /// <summary>Squared distances [N, MaxK] from each point to each active centroid; inactive slots are infinitely far.</summary>
    public Tensor Distances([Shape("N", D)] Tensor x, [Shape(MaxK)] Tensor active)
    {
        var d = Sum(x * x, 1, keepDims: true) - 2 * MatMul(x, centroids, transposeB: true) + Reshape(Sum(centroids * centroids, 1), 1, MaxK);
        return Maximum(d, 0f) + Reshape((1f - active) * 1e30f, 1, MaxK);
    }

    /// <summary>
    /// One greedy k-means++ seeding step (as scikit-learn seeds): <c>trials</c> candidate points are drawn with
    /// probability proportional to their squared distance to the nearest centroid seeded so far (uniformly for the
    /// first seed, <c>active</c> all zero), and the centroid of slot <c>slot</c> (a one-hot [MaxK]) becomes the
    /// candidate that leaves the smallest total squared distance. Returns that total.
    /// </summary>
    public Tensor SeedOne([Shape("N", D)] Tensor x, [Shape(MaxK)] Tensor active, [Shape(MaxK)] Tensor slot, int trials)
    {
        var nearest = Min(Distances(x, active), 1);                                        // [N]; 1e30 before the first seed
        var weights = Where(Gt(Sum(active), 0f), nearest, Ones(x.Shape[0]));               // D(x)², or uniform for the first seed
        var picks = Categorical(BroadcastTo(Reshape(Log(weights + 1e-30f), 1, x.Shape[0]), trials, x.Shape[0])); // [trials]
        var candidates = Gather(x, picks);                                                 // [trials, D]
        var toCandidate = Sum(x * x, 1, keepDims: true) - 2 * MatMul(x, candidates, transposeB: true)
            + Reshape(Sum(candidates * candidates, 1), 1, trials);                         // [N, trials]
        var potential = Sum(Minimum(Maximum(toCandidate, 0f), Reshape(nearest, x.Shape[0], 1)), 0); // [trials]
        var best = Reshape(ArgMin(potential, -1), 1);
        var s = Reshape(slot, MaxK, 1);
        centroids = centroids * (1f - s) + s * Gather(candidates, best);
        return Min(potential);
    }

    /// <summary>One Lloyd iteration: assign each point to its nearest active centroid, move each centroid to its points' mean (an empty cluster keeps its centroid). Returns the inertia of the assignment.</summary>
    public Tensor Lloyd([Shape("N", D)] Tensor x, [Shape(MaxK)] Tensor active)
    {
        var d = Distances(x, active);
        var nearest = OneHot(ArgMin(d, -1), MaxK);                               // [N, MaxK]
        var size = Sum(nearest, 0);                                              // [MaxK]
        var mean = MatMul(nearest, x, transposeA: true) / Reshape(Maximum(size, 1f), MaxK, 1);
        centroids = Where(Reshape(Gt(size, 0f), MaxK, 1), mean, centroids);
        sizes = size;
        return Sum(Min(d, 1));
    }

    /// <summary>The inertia of the current centroids (sum of squared distances to the nearest) and each point's cluster.</summary>
    public (Tensor inertia, Tensor cluster) Assign([Shape("N", D)] Tensor x, [Shape(MaxK)] Tensor active)
    {
        var d = Distances(x, active);
        return (Sum(Min(d, 1)), ArgMin(d, -1));
    }

    [Update(nameof(SeedOne))] public partial Tensor Seed(Tensor x, Tensor active, Tensor slot, int trials);
    [Update(nameof(Lloyd))] public partial Tensor Step(Tensor x, Tensor active);
    [Compile(nameof(Assign))] public partial (Tensor inertia, Tensor cluster) Evaluate(Tensor x, Tensor active);
}
