using GraphNet;
using static GraphNet.Ops;

namespace Samples.Autoencoders;

/// <summary>
/// An autoencoder 784 → 64 (sigmoid code) → 784 (Bernoulli decoder, cross-entropy in nats per image), trained three
/// ways: plainly, as a denoising autoencoder (a third of the pixels dropped by a Bernoulli mask drawn in the compiled
/// step, the clean image the target) and as a contractive autoencoder (plus λ‖∂h/∂x‖²_F, estimated without bias as
/// ‖Jᵀv‖² with v ~ N(0, I) drawn in the step: a gradient inside the loss, so the step differentiates twice).
/// </summary>
[Model]
public sealed partial class Autoencoder
{
    public const int Pixels = 784, Code = 64;
    public const float Keep = 2f / 3f, Lambda = 0.5f;

    [Param(Pixels, Code, Init = Init.Xavier)] Tensor encoder;
    [Param(Code)] Tensor encoderBias;
    [Param(Code, Pixels, Init = Init.Xavier)] Tensor decoder;
    [Param(Pixels)] Tensor decoderBias;

    public Tensor Encode([Shape("B", Pixels)] Tensor x) => Sigmoid(MatMul(x, encoder) + encoderBias);

    public Tensor Logits([Shape("B", Code)] Tensor h) => MatMul(h, decoder) + decoderBias;

    /// <summary>The reconstruction's cross-entropy with the target, in nats per image.</summary>
    public Tensor Error([Shape("B", Pixels)] Tensor input, [Shape("B", Pixels)] Tensor target) =>
        Mean(Sum(BinaryCrossEntropyWithLogits(Logits(Encode(input)), target), 1));

    public Tensor Plain([Shape("B", Pixels)] Tensor x) => Error(x, x);

    /// <summary>Masking noise: each pixel kept with probability 2/3, the clean image reconstructed.</summary>
    public Tensor Corrupt([Shape("B", Pixels)] Tensor x) => x * Bernoulli(Keep * Ones(x.Shape[0], Pixels));

    public Tensor Denoising([Shape("B", Pixels)] Tensor x) => Error(Corrupt(x), x);

    /// <summary>‖Jᵀv‖² averaged over the batch, J = ∂h/∂x: its expectation over v ~ N(0, I) is ‖J‖²_F.</summary>
    public Tensor JacobianEstimate([Shape("B", Pixels)] Tensor x)
    {
        var jv = Grad(Sum(Encode(x) * Normal(x.Shape[0], Code)), x);
        return Mean(Sum(jv * jv, 1));
    }

    /// <summary>‖J‖²_F in closed form for a sigmoid layer: Σ_j (h_j(1 − h_j))² ‖W_j‖², averaged over the batch.</summary>
    public Tensor JacobianExact([Shape("B", Pixels)] Tensor x)
    {
        var h = Encode(x);
        var slope = h * (1f - h);
        return Mean(Sum(slope * slope * Reshape(Sum(encoder * encoder, 0), 1, Code), 1));
    }

    public Tensor Contractive([Shape("B", Pixels)] Tensor x) => Error(x, x) + Lambda * JacobianEstimate(x);

    public Tensor Reconstruct([Shape("B", Pixels)] Tensor x) => Sigmoid(Logits(Encode(x)));

    [Train(nameof(Plain))] public partial float StepPlain(Tensor x, Optimizer optimizer);
    [Train(nameof(Denoising))] public partial float StepDenoising(Tensor x, Optimizer optimizer);
    [Train(nameof(Contractive))] public partial float StepContractive(Tensor x, Optimizer optimizer);
    [Gradients(nameof(Contractive))] public partial float ContractiveGradients(Tensor x);
    [Compile(nameof(Error))] public partial Tensor ReconstructionError(Tensor input, Tensor target);
    [Compile(nameof(Corrupt))] public partial Tensor Corrupted(Tensor x);
    [Compile(nameof(JacobianEstimate))] public partial Tensor EstimateJacobian(Tensor x);
    [Compile(nameof(JacobianExact))] public partial Tensor ExactJacobian(Tensor x);
    [Compile(nameof(Reconstruct))] public partial Tensor Reconstruction(Tensor x);
}
