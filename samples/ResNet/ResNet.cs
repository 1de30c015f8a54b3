using GraphNet;
using static GraphNet.Ops;

namespace Samples.ResNet;

/// <summary>
/// A small ResNet for 28x28 digits: a 3x3 stem (16 channels, batch norm, ReLU, max-pool 2), a residual block at
/// 16 channels, a down-sampling residual block to 32 channels (stride 2, 1x1 projection shortcut), global average
/// pooling and a linear classifier. Batch norm uses batch statistics in [Train] and the running averages
/// (model buffers) in [Compile].
/// </summary>
[Model]
public sealed partial class ResNet
{
    [Param(16, 1, 3, 3, Init = Init.He)] Tensor stem;
    [Param(16, Init = Init.Ones)] Tensor stemG;
    [Param(16)] Tensor stemB;
    [Buffer(16)] Tensor stemM;
    [Buffer(16, Init = Init.Ones)] Tensor stemV;

    [Param(16, 16, 3, 3, Init = Init.He)] Tensor a1;
    [Param(16, Init = Init.Ones)] Tensor a1G;
    [Param(16)] Tensor a1B;
    [Buffer(16)] Tensor a1M;
    [Buffer(16, Init = Init.Ones)] Tensor a1V;
    [Param(16, 16, 3, 3, Init = Init.He)] Tensor a2;
    [Param(16, Init = Init.Ones)] Tensor a2G;
    [Param(16)] Tensor a2B;
    [Buffer(16)] Tensor a2M;
    [Buffer(16, Init = Init.Ones)] Tensor a2V;

    [Param(32, 16, 3, 3, Init = Init.He)] Tensor b1;
    [Param(32, Init = Init.Ones)] Tensor b1G;
    [Param(32)] Tensor b1B;
    [Buffer(32)] Tensor b1M;
    [Buffer(32, Init = Init.Ones)] Tensor b1V;
    [Param(32, 32, 3, 3, Init = Init.He)] Tensor b2;
    [Param(32, Init = Init.Ones)] Tensor b2G;
    [Param(32)] Tensor b2B;
    [Buffer(32)] Tensor b2M;
    [Buffer(32, Init = Init.Ones)] Tensor b2V;
    [Param(32, 16, 1, 1, Init = Init.He)] Tensor sc;
    [Param(32, Init = Init.Ones)] Tensor scG;
    [Param(32)] Tensor scB;
    [Buffer(32)] Tensor scM;
    [Buffer(32, Init = Init.Ones)] Tensor scV;

    [Param(32, 10, Init = Init.Xavier)] Tensor fc;
    [Param(10)] Tensor fcb;

    /// <summary>Convolution (no bias: batch norm's shift takes its place) followed by batch norm.</summary>
    Tensor ConvBn(Tensor x, Tensor w, int stride, int padding, Tensor g, Tensor b, Tensor m, Tensor v) =>
        BatchNorm(Conv2d(x, w, null, stride, padding), g, b, m, v);

    public Tensor Logits([Shape("B", 784)] Tensor x)
    {
        var image = Reshape(x, x.Shape[0], 1, 28, 28);
        var h = MaxPool2d(Relu(ConvBn(image, stem, 1, 1, stemG, stemB, stemM, stemV)), 2);       // [B, 16, 14, 14]
        var r1 = Relu(ConvBn(h, a1, 1, 1, a1G, a1B, a1M, a1V));
        var h1 = Relu(h + ConvBn(r1, a2, 1, 1, a2G, a2B, a2M, a2V));                              // identity shortcut
        var r2 = Relu(ConvBn(h1, b1, 2, 1, b1G, b1B, b1M, b1V));                                  // [B, 32, 7, 7]
        var shortcut = ConvBn(h1, sc, 2, 0, scG, scB, scM, scV);                                  // 1x1, stride 2
        var h2 = Relu(shortcut + ConvBn(r2, b2, 1, 1, b2G, b2B, b2M, b2V));
        return MatMul(GlobalAvgPool(h2), fc) + fcb;
    }

    public Tensor Loss([Shape("B", 784)] Tensor x, [Shape("B")] Tensor label)
        => SoftmaxCrossEntropy(Logits(x), label).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Compile(nameof(Logits), Mode = Mode.Training)] public partial Tensor PredictWithBatchStatistics(Tensor x);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
}
