using GraphNet;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace Samples.ResNet;

/// <summary>A convolution without bias (batch norm's shift takes its place) followed by batch norm.</summary>
[Module]
public partial class ConvBn(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0)
{
    [Param(nameof(outChannels), nameof(inChannels), nameof(kernel), nameof(kernel), Init = Init.He)] Tensor weight;
    BatchNorm2d bn = new(outChannels);

    public Tensor Forward(Tensor x) => bn.Forward(Conv2d(x, weight, null, stride, padding));
}

/// <summary>
/// A residual block: two 3x3 convolutions with batch norm, and a shortcut that is the identity, or a strided 1x1
/// projection when the block changes the resolution or the channel count.
/// </summary>
[Module]
public partial class ResidualBlock(int inChannels, int outChannels, int stride = 1)
{
    ConvBn conv1 = new(inChannels, outChannels, 3, stride, 1);
    ConvBn conv2 = new(outChannels, outChannels, 3, 1, 1);
    ConvBn[] projection = Modules.Repeat(stride != 1 || inChannels != outChannels ? 1 : 0, () => new ConvBn(inChannels, outChannels, 1, stride));

    public Tensor Forward(Tensor x)
    {
        var shortcut = projection.Length > 0 ? projection[0].Forward(x) : x;
        return Relu(shortcut + conv2.Forward(Relu(conv1.Forward(x))));
    }
}

/// <summary>
/// A small ResNet for 28x28 digits: a 3x3 stem (16 channels, batch norm, ReLU, max-pool 2), a residual block at
/// 16 channels, a down-sampling residual block to 32 channels (stride 2, 1x1 projection shortcut), global average
/// pooling and a linear classifier. Batch norm uses batch statistics in [Train] and the running averages
/// (buffers such as <c>stem.bn.running_var</c>) in [Compile].
/// </summary>
[Model]
public sealed partial class ResNet
{
    ConvBn stem = new(1, 16, 3, 1, 1);
    ResidualBlock[] stages = [new ResidualBlock(16, 16), new ResidualBlock(16, 32, stride: 2)];
    Linear fc = new(32, 10);

    public Tensor Logits([Shape("B", 784)] Tensor x)
    {
        var h = MaxPool2d(Relu(stem.Forward(Reshape(x, x.Shape[0], 1, 28, 28))), 2);      // [B, 16, 14, 14]
        foreach (var stage in stages) h = stage.Forward(h);                                  // [B, 32, 7, 7]
        return fc.Forward(GlobalAvgPool(h));
    }

    public Tensor Loss([Shape("B", 784)] Tensor x, [Shape("B")] Tensor label)
        => SoftmaxCrossEntropy(Logits(x), label).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Compile(nameof(Logits), Mode = Mode.Training)] public partial Tensor PredictWithBatchStatistics(Tensor x);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
}
