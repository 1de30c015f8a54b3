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

    public (Tensor output, Tensor h, Tensor c) Encode([Shape("B", T, I)] Tensor x, [Shape(1, "B", H)] Tensor h0, [Shape(1, "B", H)] Tensor c0) =>
        lstm.Forward(x, h0, c0);

    public Tensor Loss([Shape("B", T, I)] Tensor x, [Shape(1, "B", H)] Tensor h0, [Shape("B")] Tensor y)
    {
        var (output, h, _) = lstm.Forward(x, h0, h0);
        var (_, last) = gru.Forward(output, h);
        return SoftmaxCrossEntropy(head.Forward(Select(last, 0, 0)), y).Mean();
    }

    [Compile(nameof(Encode))] public partial (Tensor output, Tensor h, Tensor c) RunEncode(Tensor x, Tensor h0, Tensor c0);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor h0, Tensor y);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor h0, Tensor y, Optimizer optimizer);
}

/// <summary>An Elman RNN and a loss that reads every step and runs a reverse loop: the loops are scans over a run-time length, unrolled over a constant one.</summary>
[Module]
public partial class Elman(int inputSize, int hiddenSize)
{
    [Param(nameof(inputSize), nameof(hiddenSize))] Tensor w;
    [Param(nameof(hiddenSize), nameof(hiddenSize))] Tensor u;
    [Param(nameof(hiddenSize))] Tensor b;

    /// <summary>One step: x [B, I], h [B, H] to h'.</summary>
    public Tensor Step(Tensor x, Tensor h) => Tanh(MatMul(x, w) + MatMul(h, u) + b);

    public Tensor Run(Tensor x, Tensor h0)
    {
        var h = h0;
        var outputs = new Tensor[x.Shape[1]];
        for (int t = 0; t < x.Shape[1]; t++)
        {
            h = Tanh(MatMul(x[.., t], w) + MatMul(h, u) + b);
            outputs[t] = h;
        }
        return Stack(outputs, 1);
    }

    public Tensor Loss(Tensor x, Tensor h0)
    {
        var seq = Run(x, h0);
        var g = h0;
        for (int t = x.Shape[1] - 1; t >= 0; t--)
            g = Sigmoid(MatMul(seq[.., t], u) - g);
        return (seq * seq).Mean() + (g * g).Sum();
    }
}

/// <summary>The Elman RNN over a run-time number of steps: one scan per loop, compiled once for every T.</summary>
[Model]
public partial class ScanRnn
{
    public const int I = 3, H = 4;

    Elman rnn = new(I, H);

    public Tensor Run([Shape("B", "T", I)] Tensor x, [Shape("B", H)] Tensor h0) => rnn.Run(x, h0);
    public Tensor Loss([Shape("B", "T", I)] Tensor x, [Shape("B", H)] Tensor h0) => rnn.Loss(x, h0);

    [Compile(nameof(Run))] public partial Tensor Predict(Tensor x, Tensor h0);
    [Compile(nameof(Loss))] public partial Tensor ComputeLoss(Tensor x, Tensor h0);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor h0);
    [Gradient(nameof(Loss), "x")] public partial Tensor InputGradient(Tensor x, Tensor h0);
}

/// <summary>The same RNN over a constant 3 steps: its loops are unrolled at build time (the scan's oracle).</summary>
[Model]
public partial class UnrolledRnn
{
    Elman rnn = new(ScanRnn.I, ScanRnn.H);

    public Tensor Loss([Shape("B", 3, ScanRnn.I)] Tensor x, [Shape("B", ScanRnn.H)] Tensor h0) => rnn.Loss(x, h0);

    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor h0);
    [Gradient(nameof(Loss), "x")] public partial Tensor InputGradient(Tensor x, Tensor h0);
}

/// <summary>
/// An Elman RNN that feeds its own output back for a number of steps given as an <c>int</c> argument (a
/// generation length): the loop is one scan whose length is bound at run time by the argument.
/// </summary>
[Model]
public partial class FeedbackRnn
{
    public const int I = 3, H = 5;

    Elman rnn = new(I, H);
    [Param(H, I)] Tensor readout;

    public Tensor Roll([Shape("B", I)] Tensor x0, int steps)
    {
        var x = x0;
        var h = Zeros(x0.Shape[0], H);
        var outputs = new Tensor[steps];
        for (int t = 0; t < steps; t++)
        {
            h = rnn.Step(x, h);
            x = Tanh(MatMul(h, readout));
            outputs[t] = x;
        }
        return Stack(outputs, 1);
    }

    public Tensor Loss([Shape("B", I)] Tensor x0, int steps) => Square(Roll(x0, steps) - 0.5f).Mean();

    [Compile(nameof(Roll))] public partial Tensor Generate(Tensor x0, int steps);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x0, int steps);
}

/// <summary>
/// Two-layer recurrent stacks as PyTorch builds them (the fixture data/recurrent_pytorch.json was written by
/// nn.LSTM, nn.GRU and nn.RNN with these settings): a bidirectional batch-first LSTM, a bidirectional time-major
/// GRU and a ReLU RNN, over run-time lengths.
/// </summary>
[Model]
public partial class DeepRecurrent
{
    public const int I = 3, H = 4;

    Lstm lstm = new(I, H, numLayers: 2, bidirectional: true);
    Gru gru = new(I, H, numLayers: 2, bidirectional: true, batchFirst: false);
    Rnn rnn = new(I, H, numLayers: 2, relu: true);

    public (Tensor output, Tensor h, Tensor c) Lstm([Shape("B", "T", I)] Tensor x, [Shape(4, "B", H)] Tensor h0, [Shape(4, "B", H)] Tensor c0) => lstm.Forward(x, h0, c0);
    public (Tensor output, Tensor h) Gru([Shape("T", "B", I)] Tensor x, [Shape(4, "B", H)] Tensor h0) => gru.Forward(x, h0);
    public (Tensor output, Tensor h) Rnn([Shape("B", "T", I)] Tensor x, [Shape(2, "B", H)] Tensor h0) => rnn.Forward(x, h0);

    public Tensor Loss([Shape("B", "T", I)] Tensor x, [Shape(4, "B", H)] Tensor h0)
    {
        var (a, ha, ca) = lstm.Forward(x, h0, h0);
        var (b, hb) = gru.Forward(Permute(x, 1, 0, 2), h0);
        var (c, _) = rnn.Forward(x);
        return Square(a).Mean() + Square(b).Mean() + Tanh(c).Mean() + (ha * hb).Sum() + Square(ca).Mean();
    }

    [Compile(nameof(Lstm))] public partial (Tensor output, Tensor h, Tensor c) RunLstm(Tensor x, Tensor h0, Tensor c0);
    [Compile(nameof(Gru))] public partial (Tensor output, Tensor h) RunGru(Tensor x, Tensor h0);
    [Compile(nameof(Rnn))] public partial (Tensor output, Tensor h) RunRnn(Tensor x, Tensor h0);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor h0);
}
