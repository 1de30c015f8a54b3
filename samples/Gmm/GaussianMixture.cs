using System;
using GraphNet;
using static GraphNet.Ops;

namespace Samples.Gmm;

/// <summary>
/// A Gaussian mixture with full covariances fitted by expectation-maximization. One [Update] is one EM iteration:
/// the E-step's responsibilities from the current parameters (each component's log-density through the Cholesky
/// factor of its covariance, as scikit-learn computes it: Σ = L·Lᵀ, the Mahalanobis distance |L⁻¹(x − μ)|², all
/// K components in one batched triangular solve), the M-step's closed-form weights, means and covariances,
/// committed together.
/// </summary>
[Model]
public sealed partial class GaussianMixture
{
    public const int K = 3, D = 4;
    public const float Regularization = 1e-6f;

    [Buffer(K)] Tensor logWeights;
    [Buffer(K, D)] Tensor means;
    [Buffer(K, D, D)] Tensor covariances;

    /// <summary>log w_k + log N(x; μ_k, Σ_k) for every point and component: [N, K].</summary>
    public Tensor Joint([Shape("N", D)] Tensor x)
    {
        var diff = Reshape(x, 1, x.Shape[0], D) - Reshape(means, K, 1, D);                // [K, N, D]
        var z = SolveTriangular(Cholesky(covariances), Transpose(diff), upper: false);   // L_k·z = (x − μ_k)ᵀ: [K, D, N]
        var mahalanobis = Sum(z * z, 1);                                                  // [K, N]
        var logDensity = -0.5f * (mahalanobis + Reshape(LogDet(covariances), K, 1) + D * MathF.Log(2 * MathF.PI));
        return Transpose(Reshape(logWeights, K, 1) + logDensity);
    }

    /// <summary>The average log-likelihood of the points.</summary>
    public Tensor LogLikelihood([Shape("N", D)] Tensor x) => Mean(LogSumExp(Joint(x), 1));

    /// <summary>One EM iteration; returns the average log-likelihood under the parameters it started from.</summary>
    public Tensor Em([Shape("N", D)] Tensor x)
    {
        var joint = Joint(x);
        var responsibility = Softmax(joint, 1);                          // [N, K]
        var mass = Sum(responsibility, 0);                               // [K]
        var mu = MatMul(responsibility, x, transposeA: true) / Reshape(mass, K, 1);
        var diff = Reshape(x, 1, x.Shape[0], D) - Reshape(mu, K, 1, D);                  // [K, N, D]
        var weighted = diff * Reshape(Transpose(responsibility), K, x.Shape[0], 1);
        var sigma = MatMul(weighted, diff, transposeA: true) / Reshape(mass, K, 1, 1) + Regularization * Eye(D);
        logWeights = Log(mass / x.Shape[0]);
        means = mu;
        covariances = sigma;
        return Mean(LogSumExp(joint, 1));
    }

    /// <summary>Starts from the given means, equal weights and identity covariances.</summary>
    public Tensor Initialize([Shape(K, D)] Tensor initialMeans)
    {
        means = initialMeans;
        logWeights = Zeros(K) - MathF.Log(K);
        covariances = Stack(new[] { Eye(D), Eye(D), Eye(D) }, 0);
        return Sum(initialMeans);
    }

    [Update(nameof(Em))] public partial Tensor Step(Tensor x);
    [Update(nameof(Initialize))] public partial Tensor Start(Tensor initialMeans);
    [Compile(nameof(LogLikelihood))] public partial Tensor Score(Tensor x);
}
