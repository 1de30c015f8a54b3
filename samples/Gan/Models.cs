using GraphNet;
using static GraphNet.Ops;

namespace Samples.Gan;

/// <summary>Three layers with ReLU between them: the generator (noise 2 → 2) and the discriminator or critic (2 → 1).</summary>
[Module]
public partial class Net(int input, int hidden, int output)
{
    [Param(nameof(input), nameof(hidden), Init = Init.He)] Tensor w1;
    [Param(nameof(hidden))] Tensor b1;
    [Param(nameof(hidden), nameof(hidden), Init = Init.He)] Tensor w2;
    [Param(nameof(hidden))] Tensor b2;
    [Param(nameof(hidden), nameof(output), Init = Init.Xavier)] Tensor w3;
    [Param(nameof(output))] Tensor b3;

    public Tensor Forward(Tensor x) => MatMul(Relu(MatMul(Relu(MatMul(x, w1) + b1), w2) + b2), w3) + b3;

    /// <summary>Every weight and bias clipped to [−c, c] (the Wasserstein critic's constraint).</summary>
    public Tensor ClipWeights(float c)
    {
        w1 = Clamp(w1, -c, c); b1 = Clamp(b1, -c, c);
        w2 = Clamp(w2, -c, c); b2 = Clamp(b2, -c, c);
        w3 = Clamp(w3, -c, c); b3 = Clamp(b3, -c, c);
        return Sum(w3);
    }
}

/// <summary>
/// A GAN on a 2-D distribution, in three forms that share the two networks: the original GAN with the non-saturating
/// generator loss, the Wasserstein GAN with the critic's weights clipped to a box after each of its steps (a compiled
/// update), and WGAN-GP, whose critic loss holds the gradient of the critic at points between real and generated
/// samples (a gradient inside the loss: the critic's step differentiates twice). Each step trains one network:
/// <c>Parameters = nameof(critic)</c> or <c>nameof(generator)</c>, with its own optimizer. Noise is drawn in the steps.
/// </summary>
[Model]
public sealed partial class Gan
{
    public const int Noise = 2, Hidden = 128;
    public const float Clip = 0.01f, PenaltyWeight = 0.1f;

    Net generator = new(Noise, Hidden, 2);
    Net critic = new(2, Hidden, 1);

    public Tensor Generate(int count) => generator.Forward(Normal(count, Noise));

    // the original GAN: D(x) are logits; the generator maximizes log D(G(z)) (non-saturating)
    public Tensor DiscriminatorLoss([Shape("B", 2)] Tensor real) =>
        Mean(Softplus(-critic.Forward(real))) + Mean(Softplus(critic.Forward(Generate(real.Shape[0]))));

    public Tensor GeneratorLoss(int batch) => Mean(Softplus(-critic.Forward(Generate(batch))));

    // Wasserstein: the critic widens E[f(real)] − E[f(fake)], the generator narrows it
    public Tensor CriticLoss([Shape("B", 2)] Tensor real) => Mean(critic.Forward(Generate(real.Shape[0]))) - Mean(critic.Forward(real));

    public Tensor WassersteinGeneratorLoss(int batch) => -Mean(critic.Forward(Generate(batch)));

    /// <summary>The critic's loss plus λ·E[(‖∇f(x̂)‖ − 1)²] at x̂ on the segments between real and generated points.</summary>
    public Tensor PenalizedCriticLoss([Shape("B", 2)] Tensor real)
    {
        var fake = Generate(real.Shape[0]);
        var mix = Uniform(real.Shape[0], 1);
        var between = mix * real + (1f - mix) * fake;
        var slope = Grad(Sum(critic.Forward(between)), between);
        var norm = Sqrt(Sum(slope * slope, 1) + 1e-12f);
        return Mean(critic.Forward(fake)) - Mean(critic.Forward(real)) + PenaltyWeight * Mean(Square(norm - 1f));
    }

    /// <summary>The update after each clipped critic step.</summary>
    public Tensor ClipCritic() => critic.ClipWeights(Clip);

    [Train(nameof(DiscriminatorLoss), Parameters = nameof(critic))] public partial float StepDiscriminator(Tensor real, Optimizer optimizer);
    [Train(nameof(GeneratorLoss), Parameters = nameof(generator))] public partial float StepGenerator(int batch, Optimizer optimizer);
    [Train(nameof(CriticLoss), Parameters = nameof(critic), Then = nameof(ClipCritic))] public partial float StepClippedCritic(Tensor real, Optimizer optimizer);
    [Train(nameof(WassersteinGeneratorLoss), Parameters = nameof(generator))] public partial float StepWassersteinGenerator(int batch, Optimizer optimizer);
    [Train(nameof(PenalizedCriticLoss), Parameters = nameof(critic))] public partial float StepPenalizedCritic(Tensor real, Optimizer optimizer);
    [Gradients(nameof(PenalizedCriticLoss))] public partial float PenalizedGradients(Tensor real);
    [Compile(nameof(Generate))] public partial Tensor Sample(int count);
}
