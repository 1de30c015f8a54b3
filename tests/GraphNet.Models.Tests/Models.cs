using GraphNet;
using static GraphNet.Ops;

namespace GraphNet.Models.Tests;

/// <summary>Linear regression with a mean squared error loss.</summary>
[Model]
public sealed partial class LinearRegression
{
    [Param(10, Init = Init.Normal)] Tensor w;
    [Param(1)] Tensor b;

    public Tensor Predict([Shape("N", 10)] Tensor x) => MatMul(x, w) + b;

    public Tensor Loss([Shape("N", 10)] Tensor x, [Shape("N")] Tensor y) => Mse(Predict(x), y);

    [Compile(nameof(Predict))] public partial Tensor Forward(Tensor x);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor y);
}

/// <summary>Logistic regression with binary cross-entropy on logits.</summary>
[Model]
public sealed partial class LogisticRegression
{
    private const int Features = 30;

    [Param(Features, Init = Init.Normal)] Tensor w;
    [Param(1)] Tensor b;

    public Tensor Logits([Shape("N", Features)] Tensor x) => MatMul(x, w) + b;

    public Tensor Loss([Shape("N", Features)] Tensor x, [Shape("N")] Tensor y)
    {
        var perExample = BinaryCrossEntropyWithLogits(Logits(x), y);
        return perExample.Mean();
    }

    [Compile(nameof(Logits))] public partial Tensor Forward(Tensor x);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor y);
    [Gradient(nameof(Loss), "x")] public partial Tensor InputGradient(Tensor x, Tensor y);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
    [HessianVectorProduct(nameof(Loss))] public partial Tensor Hvp(Tensor x, Tensor y, Tensor v);
    [Hessian(nameof(Loss))] public partial Tensor Hessian(Tensor x, Tensor y);
}

/// <summary>The model of DESIGN.md section 1, with two hidden layers.</summary>
[Model]
public sealed partial class Mlp
{
    [Param(784, 64, Init = Init.He)] Tensor w1;
    [Param(64)] Tensor b1;
    [Param(64, 32, Init = Init.He)] Tensor w2;
    [Param(32)] Tensor b2;
    [Param(32, 10, Init = Init.Xavier)] Tensor w3;
    [Param(10)] Tensor b3;

    static readonly float LeakSlope = 0f;

    Tensor Hidden([Shape("B", 784)] Tensor x)
    {
        var h1 = Relu(MatMul(x, w1) + b1);
        return Relu(MatMul(h1, w2) + b2) + LeakSlope;
    }

    public Tensor Logits([Shape("B", 784)] Tensor x) => MatMul(Hidden(x), w3) + b3;

    public Tensor Loss([Shape("B", 784)] Tensor x, [Shape("B")] Tensor label)
        => SoftmaxCrossEntropy(Logits(x), label).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor label);
    [Gradient(nameof(Loss), "x")] public partial Tensor InputGradient(Tensor x, Tensor label);
}
