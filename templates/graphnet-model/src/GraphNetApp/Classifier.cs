using GraphNet;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace GraphNetApp;

/// <summary>
/// An MLP classifier: 4 features → 16 hidden units (ReLU) → 3 classes. GraphNet's source generator compiles the spec
/// methods at build time: <see cref="Step"/> is one fused training step (forward, backward, optimizer), <see cref="Predict"/>
/// the forward pass. Shapes are checked when you build: try changing 16 in one layer only.
/// </summary>
[Model]
public partial class Classifier
{
    public const int Features = 4, Hidden = 16, Classes = 3;

    Linear hidden = new(Features, Hidden);
    Linear output = new(Hidden, Classes);

    public Tensor Logits([Shape("B", Features)] Tensor x) => output.Forward(Relu(hidden.Forward(x)));

    public Tensor Loss([Shape("B", Features)] Tensor x, [Shape("B")] Tensor label) => Mean(SoftmaxCrossEntropy(Logits(x), label));

    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
}
