using static GraphNet.Ops;

namespace GraphNet.Models.Tests;

/// <summary>Random draws inside compiled entries: reparameterized normals, uniforms, Bernoulli masks and categorical draws.</summary>
[Model]
public partial class Sampler
{
    public const int D = 3, K = 4;

    /// <summary>A reparameterized Gaussian sample: gradients reach mu and logSigma, not the draw.</summary>
    public Tensor Gaussian([Shape("B", D)] Tensor mu, [Shape("B", D)] Tensor logSigma) => mu + Exp(logSigma) * Normal(mu.Shape[0], D);

    public Tensor GaussianSum([Shape("B", D)] Tensor mu, [Shape("B", D)] Tensor logSigma) => Gaussian(mu, logSigma).Sum();

    /// <summary>n draws of each kind; the count is an int argument that sizes the draws.</summary>
    public (Tensor normal, Tensor uniform, Tensor coin, Tensor category) Draws([Shape(K)] Tensor logits, [Shape(K)] Tensor p, int n)
        => (Normal(n, K), Uniform(n, K), Bernoulli(BroadcastTo(p, n, K)), Categorical(BroadcastTo(logits, n, K)));

    /// <summary>The rows of x in a random order.</summary>
    public Tensor Shuffle([Shape("N", D)] Tensor x) => Gather(x, Permutation(x.Shape[0]));

    [Compile(nameof(Shuffle))] public partial Tensor Shuffled(Tensor x);
    [Compile(nameof(Gaussian))] public partial Tensor SampleGaussian(Tensor mu, Tensor logSigma);
    [Gradient(nameof(GaussianSum), "mu")] public partial Tensor MuGradient(Tensor mu, Tensor logSigma);
    [Gradient(nameof(GaussianSum), "logSigma")] public partial Tensor LogSigmaGradient(Tensor mu, Tensor logSigma);
    [Compile(nameof(Draws))] public partial (Tensor normal, Tensor uniform, Tensor coin, Tensor category) Draw(Tensor logits, Tensor p, int n);
}

/// <summary>Noise drawn inside a loop over time, and the same noise drawn for all steps before the loop.</summary>
[Model]
public partial class RandomWalk
{
    public const int D = 2;

    public Tensor InLoop([Shape("B", "T", D)] Tensor x)
    {
        var position = Zeros(x.Shape[0], D);
        var path = new Tensor[x.Shape[1]];
        for (int t = 0; t < x.Shape[1]; t++)
        {
            position = position + x[.., t] * Uniform(x.Shape[0], D);
            path[t] = position;
        }
        return Stack(path, 1);
    }

    public Tensor Upfront([Shape("B", "T", D)] Tensor x)
    {
        var noise = Uniform(x.Shape[1], x.Shape[0], D);
        var position = Zeros(x.Shape[0], D);
        var path = new Tensor[x.Shape[1]];
        for (int t = 0; t < x.Shape[1]; t++)
        {
            position = position + x[.., t] * Select(noise, 0, t);
            path[t] = position;
        }
        return Stack(path, 1);
    }

    public Tensor Loss([Shape("B", "T", D)] Tensor x) => Square(InLoop(x)).Sum();

    [Compile(nameof(InLoop))] public partial Tensor Walk(Tensor x);
    [Compile(nameof(Upfront))] public partial Tensor WalkUpfront(Tensor x);
    [Gradient(nameof(Loss), "x")] public partial Tensor InputGradient(Tensor x);
}

/// <summary>
/// The nearest of 16 centroids to each of many points, written as k-means at scale writes it (‖c‖² − 2·x·cᵀ; ‖x‖² is the
/// same for every centroid): the arg-min runs in the distance product's epilogue, on each block of rows as it is finished.
/// </summary>
[Model]
public partial class NearestCentroid
{
    public const int K = 16, D = 32;

    [Buffer(K, D)] Tensor centroids;

    public Tensor Nearest([Shape("N", D)] Tensor x) =>
        ArgMin(Reshape(Sum(centroids * centroids, 1), 1, K) - 2 * MatMul(x, centroids, transposeB: true), -1);

    public Tensor Place([Shape(K, D)] Tensor points)
    {
        centroids = points;
        return Sum(points);
    }

    [Compile(nameof(Nearest))] public partial Tensor Assign(Tensor x);
    [Update(nameof(Place))] public partial Tensor Initialize(Tensor points);
}

/// <summary>K-means as a compiled state update: one Lloyd iteration assigns points to their nearest centroid and moves each centroid to its points' mean.</summary>
[Model]
public partial class KMeansModel
{
    public const int K = 3, D = 2;

    [Buffer(K, D)] Tensor centroids;
    [Buffer(K)] Tensor counts;

    /// <summary>Squared distances [N, K] of the points to the centroids.</summary>
    public Tensor Distances([Shape("N", D)] Tensor x) =>
        Sum(x * x, 1, keepDims: true) - 2 * MatMul(x, centroids, transposeB: true) + Reshape(Sum(centroids * centroids, 1), 1, K);

    /// <summary>One Lloyd iteration; returns the inertia of the assignment it made (before the move).</summary>
    public Tensor Lloyd([Shape("N", D)] Tensor x)
    {
        var d = Distances(x);
        var nearest = OneHot(ArgMin(d, -1), K);                      // [N, K]
        var size = Sum(nearest, 0);                                  // [K]
        var sums = MatMul(nearest, x, transposeA: true);             // [K, D]
        var empty = Reshape(Eq(size, 0f), K, 1);
        centroids = Where(empty, centroids, sums / Reshape(Maximum(size, 1f), K, 1)); // an empty cluster keeps its centroid
        counts = size;
        return Sum(Min(d, 1));
    }

    /// <summary>Seeds the centroids with given points.</summary>
    public Tensor Seed([Shape(K, D)] Tensor points)
    {
        centroids = points;
        return Sum(points);
    }

    [Update(nameof(Lloyd))] public partial Tensor Step(Tensor x);
    [Update(nameof(Seed))] public partial Tensor Initialize(Tensor points);
    [Compile(nameof(Distances))] public partial Tensor Distance(Tensor x);
}

/// <summary>A diffusion schedule set by an [Update] that reads fields after assigning them: reads follow program order.</summary>
[Model]
public partial class NoiseSchedule
{
    public const int T = 5;

    [Buffer(T)] Tensor beta;
    [Buffer(T)] Tensor alphaBar;

    public Tensor Define(float first, float increment)
    {
        var before = Sum(beta);                                  // the old β
        beta = first + increment * (CumSum(Ones(T), 0) - 1f);
        alphaBar = Exp(CumSum(Log(1f - beta), 0));               // the new β
        return before + 100f * Sum(alphaBar);                    // the new ᾱ
    }

    [Update(nameof(Define))] public partial Tensor Set(float first, float increment);
}

/// <summary>Weight clipping after every optimizer step (W-GAN's critic): [Train(Then = ...)] runs a compiled update.</summary>
[Model]
public partial class ClippedRegression
{
    [Param(4, 2)] Tensor w;

    public Tensor Loss([Shape("B", 4)] Tensor x, [Shape("B", 2)] Tensor y) => Mse(MatMul(x, w), y);

    /// <summary>Clips every weight to [-0.1, 0.1]; returns the largest magnitude before clipping.</summary>
    public Tensor Clip()
    {
        var largest = Max(Abs(w));
        w = Clamp(w, -0.1f, 0.1f);
        return largest;
    }

    [Train(nameof(Loss), Then = nameof(Clip))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
    [Train(nameof(Loss))] public partial float PlainStep(Tensor x, Tensor y, Optimizer optimizer);
}

/// <summary>Selection ops compiled: the k nearest rows by distance (k-NN's neighbours), sorting and running sums.</summary>
[Model]
public partial class Selection
{
    public const int K = 3;

    public (Tensor distance, Tensor index) Nearest([Shape("Q", 2)] Tensor queries, [Shape(6, 2)] Tensor points)
    {
        var d = Sum(queries * queries, 1, keepDims: true) - 2 * MatMul(queries, points, transposeB: true) + Reshape(Sum(points * points, 1), 1, 6);
        return TopK(d, K, -1, false);
    }

    public Tensor Sorted([Shape("B", 5)] Tensor x) => Sort(x, -1, true) + CumSum(x, -1);

    [Compile(nameof(Nearest))] public partial (Tensor distance, Tensor index) Neighbours(Tensor queries, Tensor points);
    [Compile(nameof(Sorted))] public partial Tensor SortAndSum(Tensor x);
}
