using GraphNet;
using static GraphNet.Ops;

namespace GraphNet.Distributed.Worker;

/// <summary>A small MLP: 12-32-4, ReLU, softmax cross-entropy.</summary>
[Model]
public sealed partial class Mlp
{
    [Param(12, 32, Init = Init.He)] Tensor w1;
    [Param(32)] Tensor b1;
    [Param(32, 4, Init = Init.Xavier)] Tensor w2;
    [Param(4)] Tensor b2;

    public Tensor Loss([Shape("B", 12)] Tensor x, [Shape("B")] Tensor label) =>
        SoftmaxCrossEntropy(MatMul(Relu(MatMul(x, w1) + b1), w2) + b2, label).Mean();

    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
}

/// <summary>
/// A conv net with batch norm (running statistics as buffers) and dropout: conv 1→4 3×3, BN, ReLU, global average pool,
/// dropout, linear to 3, each logit times a constant buffer that no step changes.
/// </summary>
[Model]
public sealed partial class ConvBn
{
    [Param(4, 1, 3, 3, Init = Init.He)] Tensor conv;
    [Param(4, Init = Init.Ones)] Tensor gamma;
    [Param(4)] Tensor beta;
    [Buffer(4)] Tensor mean;
    [Buffer(4, Init = Init.Ones)] Tensor variance;
    [Param(4, 3)] Tensor fc;
    [Buffer(3, Init = Init.Uniform)] Tensor constant;

    public Tensor Loss([Shape("B", 1, 6, 6)] Tensor x, [Shape("B")] Tensor label) =>
        SoftmaxCrossEntropy(MatMul(Dropout(GlobalAvgPool(Relu(BatchNorm(Conv2d(x, conv, null, 1, "same"), gamma, beta, mean, variance, 0.1f))), 0.25f), fc) * constant, label).Mean();

    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
}
