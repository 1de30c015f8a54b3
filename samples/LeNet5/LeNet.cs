using GraphNet;
using static GraphNet.Ops;

namespace Samples.LeNet5;

/// <summary>
/// LeNet-5 as in the peers' workload (b): conv 5x5 1→6 (padding 2), ReLU, max-pool 2 → conv 5x5 6→16, ReLU,
/// max-pool 2 → 400-120-84-10 with ReLU, softmax cross-entropy.
/// </summary>
[Model]
public sealed partial class LeNet
{
    [Param(6, 1, 5, 5, Init = Init.He)] Tensor c1;
    [Param(6)] Tensor c1b;
    [Param(16, 6, 5, 5, Init = Init.He)] Tensor c2;
    [Param(16)] Tensor c2b;
    [Param(400, 120, Init = Init.He)] Tensor f1;
    [Param(120)] Tensor f1b;
    [Param(120, 84, Init = Init.He)] Tensor f2;
    [Param(84)] Tensor f2b;
    [Param(84, 10, Init = Init.Xavier)] Tensor f3;
    [Param(10)] Tensor f3b;

    public Tensor Logits([Shape("B", 784)] Tensor x)
    {
        var image = Reshape(x, x.Shape[0], 1, 28, 28);
        var h1 = MaxPool2d(Relu(Conv2d(image, c1, c1b, padding: 2)), 2);   // [B, 6, 14, 14]
        var h2 = MaxPool2d(Relu(Conv2d(h1, c2, c2b)), 2);                  // [B, 16, 5, 5]
        var flat = Reshape(h2, x.Shape[0], 400);
        var h3 = Relu(MatMul(flat, f1) + f1b);
        var h4 = Relu(MatMul(h3, f2) + f2b);
        return MatMul(h4, f3) + f3b;
    }

    public Tensor Loss([Shape("B", 784)] Tensor x, [Shape("B")] Tensor label)
        => SoftmaxCrossEntropy(Logits(x), label).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
}
