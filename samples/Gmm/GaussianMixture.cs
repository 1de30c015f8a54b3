using System;
using GraphNet;
using static GraphNet.Ops;

namespace Samples.Gmm;

/// <summary>
/// A Gaussian mixture with full covariances fitted by expectation-maximization. One [Update] is one EM iteration:
/// the E-step's responsibilities from the current parameters (each component's log-density through the
/// eigendecomposition of its covariance: Σ⁻¹ = V·diag(1/λ)·Vᵀ, log det Σ = Σ log λ), the M-step's closed-form
/// weights, means and covariances, committed together.
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
        var columns = new Tensor[K];
        for (int k = 0; k < K; k++)
        {
            var diff = x - Select(means, 0, k);
            var (values, vectors) = Eigh(Select(covariances, 0, k));
            var precision = MatMul(vectors / Reshape(values, 1, D), vectors, transposeB: true);
            var mahalanobis = Sum(MatMul(diff, precision) * diff, 1);
            columns[k] = Select(logWeights, 0, k) - 0.5f * (mahalanobis + Sum(Log(values)) + D * MathF.Log(2 * MathF.PI));
        }
        return Stack(columns, 1);
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
        var sigma = new Tensor[K];
        for (int k = 0; k < K; k++)
        {
            var diff = x - Select(mu, 0, k);
            var weighted = diff * Reshape(Select(responsibility, 1, k), x.Shape[0], 1);
            sigma[k] = MatMul(weighted, diff, transposeA: true) / Select(mass, 0, k) + Regularization * Eye(D);
        }
        logWeights = Log(mass / x.Shape[0]);
        means = mu;
        covariances = Stack(sigma, 0);
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
