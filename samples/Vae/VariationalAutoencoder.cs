using GraphNet;
using static GraphNet.Ops;

namespace Samples.Vae;

/// <summary>
/// A variational autoencoder (Kingma and Welling 2014): a Gaussian encoder q(z|x) = N(μ(x), diag σ²(x)), the
/// reparameterized sample z = μ + σ·ε with ε drawn in the compiled step (gradients reach μ and σ, not ε), the KL to
/// N(0, I) in closed form, a Bernoulli decoder. The training loss is the negative ELBO with the KL weighted by β
/// (β = 1: the VAE; β &gt; 1: the β-VAE), an argument of the step.
/// </summary>
[Model]
public sealed partial class VariationalAutoencoder
{
    public const int Pixels = 784, Hidden = 256, Latent = 16;

    [Param(Pixels, Hidden, Init = Init.He)] Tensor encoder;
    [Param(Hidden)] Tensor encoderBias;
    [Param(Hidden, Latent, Init = Init.Xavier)] Tensor meanHead;
    [Param(Latent)] Tensor meanBias;
    [Param(Hidden, Latent, Init = Init.Xavier)] Tensor logVarHead;
    [Param(Latent)] Tensor logVarBias;
    [Param(Latent, Hidden, Init = Init.He)] Tensor decoder;
    [Param(Hidden)] Tensor decoderBias;
    [Param(Hidden, Pixels, Init = Init.Xavier)] Tensor output;
    [Param(Pixels)] Tensor outputBias;

    public (Tensor mean, Tensor logVar) Encode([Shape("B", Pixels)] Tensor x)
    {
        var h = Relu(MatMul(x, encoder) + encoderBias);
        return (MatMul(h, meanHead) + meanBias, MatMul(h, logVarHead) + logVarBias);
    }

    public Tensor Decode([Shape("B", Latent)] Tensor z) => MatMul(Relu(MatMul(z, decoder) + decoderBias), output) + outputBias;

    /// <summary>Per image: the reconstruction's cross-entropy (nats) under one reparameterized sample, and the KL to the prior.</summary>
    public (Tensor reconstruction, Tensor kl) Terms([Shape("B", Pixels)] Tensor x)
    {
        var (mean, logVar) = Encode(x);
        var z = mean + Exp(0.5f * logVar) * Normal(x.Shape[0], Latent);
        var reconstruction = Sum(BinaryCrossEntropyWithLogits(Decode(z), x), 1);
        var kl = -0.5f * Sum(1f + logVar - mean * mean - Exp(logVar), 1);
        return (reconstruction, kl);
    }

    public Tensor Loss([Shape("B", Pixels)] Tensor x, float beta)
    {
        var (reconstruction, kl) = Terms(x);
        return Mean(reconstruction + beta * kl);
    }

    /// <summary>The mean reconstruction term and KL over a set of images (the negative ELBO is their sum).</summary>
    public (Tensor reconstruction, Tensor kl) Evaluate([Shape("B", Pixels)] Tensor x)
    {
        var (reconstruction, kl) = Terms(x);
        return (Mean(reconstruction), Mean(kl));
    }

    /// <summary>Digits from the prior: z ~ N(0, I), decoded to pixel probabilities.</summary>
    public Tensor Sample(int count) => Sigmoid(Decode(Normal(count, Latent)));

    /// <summary>The decoded line between two images' posterior means, at the fractions t.</summary>
    public Tensor Interpolate([Shape(2, Pixels)] Tensor ends, [Shape("S", 1)] Tensor t)
    {
        var (mean, _) = Encode(ends);
        return Sigmoid(Decode((1f - t) * Select(mean, 0, 0) + t * Select(mean, 0, 1)));
    }

    [Train(nameof(Loss))] public partial float Step(Tensor x, float beta, Optimizer optimizer);
    [Compile(nameof(Evaluate))] public partial (Tensor reconstruction, Tensor kl) Score(Tensor x);
    [Compile(nameof(Sample))] public partial Tensor Generate(int count);
    [Compile(nameof(Interpolate))] public partial Tensor Line(Tensor ends, Tensor t);
}
