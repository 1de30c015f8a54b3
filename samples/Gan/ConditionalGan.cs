using GraphNet;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace Samples.Gan;

/// <summary>Three layers with leaky ReLU (slope 0.2) between them and dropout after each hidden layer (0 to turn it off).</summary>
[Module]
public partial class LeakyNet(int input, int hidden, int output, float dropout)
{
    Linear first = new(input, hidden);
    Linear second = new(hidden, hidden);
    Linear last = new(hidden, output);

    static Tensor Leaky(Tensor z) => Maximum(z, 0.2f * z);

    public Tensor Forward(Tensor x) => last.Forward(Dropout(Leaky(second.Forward(Dropout(Leaky(first.Forward(x)), dropout))), dropout));
}

/// <summary>
/// A projection discriminator (Miyato and Koyama 2018): features φ(x) from a leaky-ReLU network, then
/// D(x, y) = w·φ(x) + b + e_y·φ(x) with a learned embedding e_y of the class, so the class enters as an inner product
/// with what the network sees rather than as ten more inputs among 784.
/// </summary>
[Module]
public partial class ProjectionCritic(int input, int hidden, int classes)
{
    LeakyNet body = new(input, hidden, hidden, 0.3f);
    [Param(nameof(hidden), 1, Init = Init.Xavier)] Tensor w;
    [Param(1)] Tensor b;
    [Param(nameof(classes), nameof(hidden), Init = Init.Xavier)] Tensor embed;

    public Tensor Forward(Tensor x, Tensor labels)
    {
        var h = body.Forward(x);
        var features = Maximum(h, 0.2f * h);
        return MatMul(features, w) + b + Sum(Embedding(embed, labels) * features, 1, keepDims: true);
    }
}

/// <summary>
/// A conditional GAN on MNIST digits (Mirza and Osindero 2014): the generator and the discriminator both read the
/// digit's class (the generator as a one-hot vector beside its noise, the discriminator by projection), so the
/// generator learns p(x | y) and draws the digit it is asked for. Pixels are scaled to [−1, 1] (the generator ends in tanh); leaky ReLU in both networks and dropout in the
/// discriminator keep it from winning outright. Non-saturating losses, one step per network per batch with its own
/// optimizer, the noise drawn in the steps.
/// </summary>
[Model]
public sealed partial class ConditionalGan
{
    public const int Noise = 64, Classes = 10, Pixels = 784, Hidden = 512;

    LeakyNet generator = new(Noise + Classes, Hidden, Pixels, 0f);
    ProjectionCritic critic = new(Pixels, Hidden, Classes);

    /// <summary>One digit per label in <paramref name="labels"/> [B]: pixels [B, 784] in (−1, 1).</summary>
    public Tensor Generate([Shape("B")] Tensor labels) =>
        Tanh(generator.Forward(Concat(new[] { Normal(labels.Shape[0], Noise), OneHot(labels, Classes) }, 1)));

    public Tensor Judge([Shape("B", Pixels)] Tensor images, [Shape("B")] Tensor labels) =>
        critic.Forward(images, labels);

    public Tensor DiscriminatorLoss([Shape("B", Pixels)] Tensor real, [Shape("B")] Tensor labels) =>
        Mean(Softplus(-Judge(real, labels))) + Mean(Softplus(Judge(Generate(labels), labels)));

    public Tensor GeneratorLoss([Shape("B")] Tensor labels) => Mean(Softplus(-Judge(Generate(labels), labels)));

    [Train(nameof(DiscriminatorLoss), Parameters = nameof(critic))] public partial float StepDiscriminator(Tensor real, Tensor labels, Optimizer optimizer);
    [Train(nameof(GeneratorLoss), Parameters = nameof(generator))] public partial float StepGenerator(Tensor labels, Optimizer optimizer);
    [Compile(nameof(Generate))] public partial Tensor Sample(Tensor labels);
}
