using GraphNet;
using static GraphNet.Ops;

namespace Samples.MnistMlp;

/// <summary>The MLP of DESIGN.md section 1: 784-256-256-10, ReLU, softmax cross-entropy.</summary>
[Model]
public sealed partial class Mlp
{
    [Param(784, 256, Init = Init.He)] Tensor w1;
    [Param(256)] Tensor b1;
    [Param(256, 256, Init = Init.He)] Tensor w2;
    [Param(256)] Tensor b2;
    [Param(256, 10, Init = Init.Xavier)] Tensor w3;
    [Param(10)] Tensor b3;

    public Tensor Logits([Shape("B", 784)] Tensor x)
    {
        var h1 = Relu(MatMul(x, w1) + b1);
        var h2 = Relu(MatMul(h1, w2) + b2);
        return MatMul(h2, w3) + b3;
    }

    public Tensor Loss([Shape("B", 784)] Tensor x, [Shape("B")] Tensor label)
        => SoftmaxCrossEntropy(Logits(x), label).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor label);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
}
