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

    [Compile(nameof(Gaussian))] public partial Tensor SampleGaussian(Tensor mu, Tensor logSigma);
    [Gradient(nameof(GaussianSum), "mu")] public partial Tensor MuGradient(Tensor mu, Tensor logSigma);
    [Gradient(nameof(GaussianSum), "logSigma")] public partial Tensor LogSigmaGradient(Tensor mu, Tensor logSigma);
    [Compile(nameof(Draws))] public partial (Tensor normal, Tensor uniform, Tensor coin, Tensor category) Draw(Tensor logits, Tensor p, int n);
}
