using GraphNet;
using static GraphNet.Ops;

namespace GraphNet.Models.Tests;

/// <summary>A softmax classifier for the label checks, the anomaly detector and concurrent use.</summary>
[Model]
public sealed partial class Classifier
{
    [Param(4, 3, Init = Init.Normal)] Tensor w;
    [Param(3)] Tensor b;

    public Tensor Logits([Shape("B", 4)] Tensor x) => MatMul(x, w) + b;

    public Tensor Loss([Shape("B", 4)] Tensor x, [Shape("B")] Tensor label) => SoftmaxCrossEntropy(Logits(x), label).Mean();

    public Tensor Encode([Shape("B")] Tensor label) => OneHot(label, 3);

    public Tensor LogOf([Shape("B", 4)] Tensor x) => Log(x) * 2f;

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Compile(nameof(Encode))] public partial Tensor Encoded(Tensor label);
    [Compile(nameof(LogOf))] public partial Tensor LogTwice(Tensor x);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor label);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer opt);
}

/// <summary>A wide intermediate: [B, 65536], more than a tensor can hold once B reaches 32768.</summary>
[Model]
public sealed partial class Wide
{
    [Param(65536)] Tensor w;

    public Tensor Score([Shape("B", 1)] Tensor x) => Relu(x + w).Sum(1);

    [Compile(nameof(Score))] public partial Tensor Run(Tensor x);
}

/// <summary>Overloaded spec methods: each call compiles the overload C# resolves, not the first of that name.</summary>
[Model]
public sealed partial class Overloads
{
    public Tensor Act([Shape("B", 3)] Tensor x) => x * 2f;

    public Tensor Act([Shape("B", 3)] Tensor x, [Shape("B", 3)] Tensor s) => x * s + 1f;

    public Tensor Both([Shape("B", 3)] Tensor x) => Act(x) + Act(x, x);

    [Compile(nameof(Both))] public partial Tensor Run(Tensor x);
}
