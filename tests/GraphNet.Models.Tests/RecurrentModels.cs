using GraphNet.Layers;
using static GraphNet.Ops;

namespace GraphNet.Models.Tests;

/// <summary>The library's recurrent cells, one step each.</summary>
[Model]
public partial class RecurrentCells
{
    public const int I = 3, H = 4;

    GraphNet.Layers.LstmCell lstm = new(I, H);
    GruCell gru = new(I, H);
    RnnCell rnn = new(I, H);
    RnnCell relu = new(I, H, relu: true);

    public (Tensor h, Tensor c) LstmStep([Shape("B", I)] Tensor x, [Shape("B", H)] Tensor h, [Shape("B", H)] Tensor c) => lstm.Step(x, h, c);
    public Tensor GruStep([Shape("B", I)] Tensor x, [Shape("B", H)] Tensor h) => gru.Step(x, h);
    public Tensor RnnStep([Shape("B", I)] Tensor x, [Shape("B", H)] Tensor h) => rnn.Step(x, h) + relu.Step(x, h);

    [Compile(nameof(LstmStep))] public partial (Tensor h, Tensor c) RunLstm(Tensor x, Tensor h, Tensor c);
    [Compile(nameof(GruStep))] public partial Tensor RunGru(Tensor x, Tensor h);
    [Compile(nameof(RnnStep))] public partial Tensor RunRnn(Tensor x, Tensor h);
}

/// <summary>An LSTM layer feeding a GRU layer over a constant-length sequence, then a classifier on the last state.</summary>
[Model]
public partial class SequenceModel
{
    public const int T = 5, I = 3, H = 4, Classes = 2;

    Lstm lstm = new(I, H);
    Gru gru = new(H, H);
    Linear head = new(H, Classes);

    public (Tensor output, Tensor h, Tensor c) Encode([Shape("B", T, I)] Tensor x, [Shape("B", H)] Tensor h0, [Shape("B", H)] Tensor c0) =>
        lstm.Forward(x, h0, c0);

    public Tensor Loss([Shape("B", T, I)] Tensor x, [Shape("B", H)] Tensor h0, [Shape("B")] Tensor y)
    {
        var (output, h, _) = lstm.Forward(x, h0, h0);
        var (_, last) = gru.Forward(output, h);
        return SoftmaxCrossEntropy(head.Forward(last), y).Mean();
    }

    [Compile(nameof(Encode))] public partial (Tensor output, Tensor h, Tensor c) RunEncode(Tensor x, Tensor h0, Tensor c0);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor h0, Tensor y);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor h0, Tensor y, Optimizer optimizer);
}
