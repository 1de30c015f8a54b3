using GraphNet;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace Samples.MnistLstm;

/// <summary>
/// Reads a 28x28 digit as a sequence of 28 rows of 28 pixels with the library's LSTM (from zero states) and
/// classifies its last hidden state. The loop over the 28 rows is unrolled at build time.
/// </summary>
[Model]
public sealed partial class RowLstm
{
    public const int Rows = 28, Pixels = 28, Hidden = 64, Classes = 10;

    Lstm lstm = new(Pixels, Hidden);
    Linear head = new(Hidden, Classes);

    public Tensor Logits([Shape("B", 784)] Tensor x)
    {
        var (_, h, _) = lstm.Forward(Reshape(x, x.Shape[0], Rows, Pixels));
        return head.Forward(Select(h, 0, 0)); // h: [layers · directions, B, H]
    }

    public Tensor Loss([Shape("B", 784)] Tensor x, [Shape("B")] Tensor label)
        => SoftmaxCrossEntropy(Logits(x), label).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
}
