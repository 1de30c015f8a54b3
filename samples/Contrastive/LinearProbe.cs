using GraphNet;
using static GraphNet.Ops;

namespace Samples.Contrastive;

/// <summary>A linear softmax classifier over <c>input</c> features: the probe's head.</summary>
[Module]
public partial class Classifier(int input)
{
    public const int Classes = 10;

    [Param(nameof(input), Classes, Init = Init.Xavier)] Tensor weight;
    [Param(Classes)] Tensor bias;

    public Tensor Logits(Tensor x) => MatMul(x, weight) + bias;

    public Tensor Loss(Tensor x, Tensor label) => Mean(SoftmaxCrossEntropy(Logits(x), label));
}

/// <summary>
/// Linear probes: one head on a frozen encoder's 128 features (extracted beforehand by the encoder's compiled entry),
/// one on the raw 784 pixels, the reference an encoder's features are measured against; each step trains its own head.
/// </summary>
[Model]
public sealed partial class LinearProbes
{
    public const int Features = SimClr.Features, Pixels = SimClr.Pixels;

    Classifier onFeatures = new(Features);
    Classifier onPixels = new(Pixels);

    public Tensor FeatureLoss([Shape("B", Features)] Tensor x, [Shape("B")] Tensor label) => onFeatures.Loss(x, label);
    public Tensor FeatureLogits([Shape("B", Features)] Tensor x) => onFeatures.Logits(x);
    public Tensor PixelLoss([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor label) => onPixels.Loss(x, label);
    public Tensor PixelLogits([Shape("B", Pixels)] Tensor x) => onPixels.Logits(x);

    [Train(nameof(FeatureLoss), Parameters = nameof(onFeatures))] public partial float StepOnFeatures(Tensor x, Tensor label, Optimizer optimizer);
    [Compile(nameof(FeatureLogits))] public partial Tensor PredictFromFeatures(Tensor x);
    [Train(nameof(PixelLoss), Parameters = nameof(onPixels))] public partial float StepOnPixels(Tensor x, Tensor label, Optimizer optimizer);
    [Compile(nameof(PixelLogits))] public partial Tensor PredictFromPixels(Tensor x);
}
