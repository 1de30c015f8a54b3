using static GraphNet.Ops;

namespace GraphNet.Layers;

// The recurrent layers, written the way PyTorch documents them. Each cell is one step (nn.RNNCell, nn.LSTMCell,
// nn.GRUCell, with their parameter names) and runs over a sequence with Sequence: the input's share of every step
// is one GEMM outside the loop (Project), and the loop over a run-time length is one scan, compiled once (a
// constant length is unrolled). Rnn, Lstm and Gru stack cells into layers and directions, named as nn.RNN, nn.LSTM
// and nn.GRU name them (weight_ih_l0, weight_hh_l1_reverse, ...), so PyTorch's weights load name for name.

/// <summary>
/// An Elman RNN cell as nn.RNNCell: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (ReLU when <c>relu</c>);
/// <c>weight_ih</c> [H, I], <c>weight_hh</c> [H, H], <c>bias_ih</c>, <c>bias_hh</c> [H], all U(±1/√H).
/// </summary>
[Module]
public partial class RnnCell(int inputSize, int hiddenSize, bool relu = false)
{
    [Param(nameof(hiddenSize), nameof(inputSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor weight_ih;
    [Param(nameof(hiddenSize), nameof(hiddenSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor weight_hh;
    [Param(nameof(hiddenSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor bias_ih;
    [Param(nameof(hiddenSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor bias_hh;

    /// <summary>The input's share of a step, both biases folded in: x [..., I] to [..., H].</summary>
    public Tensor Project(Tensor x) => MatMul(x, weight_ih, transposeB: true) + bias_ih + bias_hh;

    /// <summary>One step from a projected input [B, H] and h [B, H].</summary>
    public Tensor Recur(Tensor projected, Tensor h)
    {
        var a = projected + MatMul(h, weight_hh, transposeB: true);
        return relu ? Relu(a) : Tanh(a);
    }

    /// <summary>One step: x [B, I], h [B, H] to h' [B, H].</summary>
    public Tensor Step(Tensor x, Tensor h) => Recur(Project(x), h);

    /// <summary>
    /// The cell over a sequence ([B, T, I] when <c>batchFirst</c>, else [T, B, I]) from h0 [B, H], first step to last
    /// or, when <c>reverse</c>, last to first: the outputs (time on the input's axis) and the final h.
    /// </summary>
    public (Tensor output, Tensor h) Sequence(Tensor x, Tensor h0, bool batchFirst, bool reverse)
    {
        int time = batchFirst ? 1 : 0;
        var projected = Project(x);
        var h = h0;
        var outputs = new Tensor[x.Shape[time]];
        if (reverse)
        {
            for (int t = x.Shape[time] - 1; t >= 0; t--)
            {
                h = Recur(Select(projected, time, t), h);
                outputs[t] = h;
            }
        }
        else
        {
            for (int t = 0; t < x.Shape[time]; t++)
            {
                h = Recur(Select(projected, time, t), h);
                outputs[t] = h;
            }
        }
        return (Stack(outputs, time), h);
    }
}

/// <summary>
/// An LSTM cell as nn.LSTMCell, gates in PyTorch's order i, f, g, o: <c>weight_ih</c> [4H, I], <c>weight_hh</c>
/// [4H, H], <c>bias_ih</c>, <c>bias_hh</c> [4H], all U(±1/√H).
/// </summary>
[Module]
public partial class LstmCell(int inputSize, int hiddenSize)
{
    int gates = 4 * hiddenSize;

    [Param(nameof(gates), nameof(inputSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor weight_ih;
    [Param(nameof(gates), nameof(hiddenSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor weight_hh;
    [Param(nameof(gates), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor bias_ih;
    [Param(nameof(gates), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor bias_hh;

    /// <summary>The input's share of the four gates, both biases folded in: x [..., I] to [..., 4H].</summary>
    public Tensor Project(Tensor x) => MatMul(x, weight_ih, transposeB: true) + bias_ih + bias_hh;

    /// <summary>One step from a projected input [B, 4H] and (h, c) [B, H]: c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c').</summary>
    public (Tensor h, Tensor c) Recur(Tensor projected, Tensor h, Tensor c)
    {
        var g = Chunk(projected + MatMul(h, weight_hh, transposeB: true), 4, -1);
        var next = Sigmoid(g[1]) * c + Sigmoid(g[0]) * Tanh(g[2]);
        return (Sigmoid(g[3]) * Tanh(next), next);
    }

    /// <summary>One step: x [B, I], h and c [B, H] to (h', c').</summary>
    public (Tensor h, Tensor c) Step(Tensor x, Tensor h, Tensor c) => Recur(Project(x), h, c);

    /// <summary>
    /// The cell over a sequence ([B, T, I] when <c>batchFirst</c>, else [T, B, I]) from (h0, c0) [B, H], first step
    /// to last or, when <c>reverse</c>, last to first: the outputs (time on the input's axis) and the final (h, c).
    /// </summary>
    public (Tensor output, Tensor h, Tensor c) Sequence(Tensor x, Tensor h0, Tensor c0, bool batchFirst, bool reverse)
    {
        int time = batchFirst ? 1 : 0;
        var projected = Project(x);
        var h = h0;
        var c = c0;
        var outputs = new Tensor[x.Shape[time]];
        if (reverse)
        {
            for (int t = x.Shape[time] - 1; t >= 0; t--)
            {
                (h, c) = Recur(Select(projected, time, t), h, c);
                outputs[t] = h;
            }
        }
        else
        {
            for (int t = 0; t < x.Shape[time]; t++)
            {
                (h, c) = Recur(Select(projected, time, t), h, c);
                outputs[t] = h;
            }
        }
        return (Stack(outputs, time), h, c);
    }
}

/// <summary>
/// A GRU cell as nn.GRUCell, gates in PyTorch's order r, z, n: r = σ(W_ir x + b_ir + W_hr h + b_hr),
/// z = σ(W_iz x + b_iz + W_hz h + b_hz), n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 − z)·n + z·h;
/// <c>weight_ih</c> [3H, I], <c>weight_hh</c> [3H, H], <c>bias_ih</c>, <c>bias_hh</c> [3H], all U(±1/√H).
/// </summary>
[Module]
public partial class GruCell(int inputSize, int hiddenSize)
{
    int gates = 3 * hiddenSize;

    [Param(nameof(gates), nameof(inputSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor weight_ih;
    [Param(nameof(gates), nameof(hiddenSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor weight_hh;
    [Param(nameof(gates), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor bias_ih;
    [Param(nameof(gates), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor bias_hh;

    /// <summary>The input's share of the three gates: x [..., I] to [..., 3H] (b_hn stays inside r·(...), so only b_ih folds in).</summary>
    public Tensor Project(Tensor x) => MatMul(x, weight_ih, transposeB: true) + bias_ih;

    /// <summary>One step from a projected input [B, 3H] and h [B, H].</summary>
    public Tensor Recur(Tensor projected, Tensor h)
    {
        var gi = Chunk(projected, 3, -1);
        var gh = Chunk(MatMul(h, weight_hh, transposeB: true) + bias_hh, 3, -1);
        var r = Sigmoid(gi[0] + gh[0]);
        var z = Sigmoid(gi[1] + gh[1]);
        var n = Tanh(gi[2] + r * gh[2]);
        return (1f - z) * n + z * h;
    }

    /// <summary>One step: x [B, I], h [B, H] to h' [B, H].</summary>
    public Tensor Step(Tensor x, Tensor h) => Recur(Project(x), h);

    /// <summary>
    /// The cell over a sequence ([B, T, I] when <c>batchFirst</c>, else [T, B, I]) from h0 [B, H], first step to last
    /// or, when <c>reverse</c>, last to first: the outputs (time on the input's axis) and the final h.
    /// </summary>
    public (Tensor output, Tensor h) Sequence(Tensor x, Tensor h0, bool batchFirst, bool reverse)
    {
        int time = batchFirst ? 1 : 0;
        var projected = Project(x);
        var h = h0;
        var outputs = new Tensor[x.Shape[time]];
        if (reverse)
        {
            for (int t = x.Shape[time] - 1; t >= 0; t--)
            {
                h = Recur(Select(projected, time, t), h);
                outputs[t] = h;
            }
        }
        else
        {
            for (int t = 0; t < x.Shape[time]; t++)
            {
                h = Recur(Select(projected, time, t), h);
                outputs[t] = h;
            }
        }
        return (Stack(outputs, time), h);
    }
}

/// <summary>
/// A multi-layer Elman RNN as nn.RNN: <c>numLayers</c> layers of <see cref="RnnCell"/> (tanh, or ReLU when
/// <c>relu</c>), each over the whole sequence before the next; <c>bidirectional</c> adds a cell per layer that runs
/// last step to first, its outputs concatenated after the forward ones; <c>dropout</c> applies between layers in
/// training. Parameters as nn.RNN names them: <c>weight_ih_l0</c> [H, I], <c>weight_hh_l0</c> [H, H],
/// <c>bias_ih_l0</c>, <c>bias_hh_l0</c> [H], <c>weight_ih_l0_reverse</c>, ...; a layer above the first reads D·H
/// values (D = 2 when bidirectional). Sequences are batch-first ([B, T, I]) unless <c>batchFirst</c> is false
/// ([T, B, I], PyTorch's default); states are [L·D, B, H] as in PyTorch.
/// </summary>
[Module]
public partial class Rnn(int inputSize, int hiddenSize, int numLayers = 1, bool relu = false, bool bidirectional = false, bool batchFirst = true, float dropout = 0f)
{
    int directions = bidirectional ? 2 : 1;

    [Flatten("_l{i}")] RnnCell[] layers = Modules.Repeat(numLayers, i => new RnnCell(i == 0 ? inputSize : (bidirectional ? 2 : 1) * hiddenSize, hiddenSize, relu));
    [Flatten("_l{i}_reverse")] RnnCell[] backward = Modules.Repeat(bidirectional ? numLayers : 0, i => new RnnCell(i == 0 ? inputSize : 2 * hiddenSize, hiddenSize, relu));

    /// <summary>x from a zero state: the last layer's outputs [B, T, D·H] and the final states [L·D, B, H].</summary>
    public (Tensor output, Tensor h) Forward(Tensor x) => Forward(x, Zeros(numLayers * directions, x.Shape[batchFirst ? 0 : 1], hiddenSize));

    /// <summary>x with initial states h0 [L·D, B, H]: the last layer's outputs [B, T, D·H] and the final states [L·D, B, H].</summary>
    public (Tensor output, Tensor h) Forward(Tensor x, Tensor h0)
    {
        var h = new Tensor[numLayers * directions];
        var input = x;
        for (int l = 0; l < numLayers; l++)
        {
            if (l > 0 && dropout > 0) input = Dropout(input, dropout);
            var (output, last) = layers[l].Sequence(input, Select(h0, 0, l * directions), batchFirst, false);
            h[l * directions] = last;
            if (bidirectional)
            {
                var (back, first) = backward[l].Sequence(input, Select(h0, 0, l * directions + 1), batchFirst, true);
                output = Concat(new[] { output, back }, -1);
                h[l * directions + 1] = first;
            }
            input = output;
        }
        return (input, Stack(h, 0));
    }
}

/// <summary>
/// A multi-layer LSTM as nn.LSTM: <c>numLayers</c> layers of <see cref="LstmCell"/>, each over the whole sequence
/// before the next; <c>bidirectional</c> adds a cell per layer that runs last step to first, its outputs
/// concatenated after the forward ones; <c>dropout</c> applies between layers in training. Parameters as nn.LSTM
/// names them: <c>weight_ih_l0</c> [4H, I] (gates i, f, g, o), <c>weight_hh_l0</c> [4H, H], <c>bias_ih_l0</c>,
/// <c>bias_hh_l0</c> [4H], <c>weight_ih_l0_reverse</c>, ...; a layer above the first reads D·H values (D = 2 when
/// bidirectional). Sequences are batch-first ([B, T, I]) unless <c>batchFirst</c> is false ([T, B, I], PyTorch's
/// default); states are [L·D, B, H] as in PyTorch. Over a run-time length each direction's loop is one scan.
/// </summary>
[Module]
public partial class Lstm(int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false, bool batchFirst = true, float dropout = 0f)
{
    int directions = bidirectional ? 2 : 1;

    [Flatten("_l{i}")] LstmCell[] layers = Modules.Repeat(numLayers, i => new LstmCell(i == 0 ? inputSize : (bidirectional ? 2 : 1) * hiddenSize, hiddenSize));
    [Flatten("_l{i}_reverse")] LstmCell[] backward = Modules.Repeat(bidirectional ? numLayers : 0, i => new LstmCell(i == 0 ? inputSize : 2 * hiddenSize, hiddenSize));

    /// <summary>x from zero states: the last layer's outputs [B, T, D·H] and the final (h, c), each [L·D, B, H].</summary>
    public (Tensor output, Tensor h, Tensor c) Forward(Tensor x)
    {
        var zeros = Zeros(numLayers * directions, x.Shape[batchFirst ? 0 : 1], hiddenSize);
        return Forward(x, zeros, zeros);
    }

    /// <summary>x with initial states h0, c0 [L·D, B, H]: the last layer's outputs [B, T, D·H] and the final (h, c), each [L·D, B, H].</summary>
    public (Tensor output, Tensor h, Tensor c) Forward(Tensor x, Tensor h0, Tensor c0)
    {
        var h = new Tensor[numLayers * directions];
        var c = new Tensor[numLayers * directions];
        var input = x;
        for (int l = 0; l < numLayers; l++)
        {
            if (l > 0 && dropout > 0) input = Dropout(input, dropout);
            int k = l * directions;
            var (output, hl, cl) = layers[l].Sequence(input, Select(h0, 0, k), Select(c0, 0, k), batchFirst, false);
            h[k] = hl;
            c[k] = cl;
            if (bidirectional)
            {
                var (back, hb, cb) = backward[l].Sequence(input, Select(h0, 0, k + 1), Select(c0, 0, k + 1), batchFirst, true);
                output = Concat(new[] { output, back }, -1);
                h[k + 1] = hb;
                c[k + 1] = cb;
            }
            input = output;
        }
        return (input, Stack(h, 0), Stack(c, 0));
    }
}

/// <summary>
/// A multi-layer GRU as nn.GRU: <c>numLayers</c> layers of <see cref="GruCell"/>, each over the whole sequence before
/// the next; <c>bidirectional</c> adds a cell per layer that runs last step to first, its outputs concatenated after
/// the forward ones; <c>dropout</c> applies between layers in training. Parameters as nn.GRU names them:
/// <c>weight_ih_l0</c> [3H, I] (gates r, z, n), <c>weight_hh_l0</c> [3H, H], <c>bias_ih_l0</c>, <c>bias_hh_l0</c>
/// [3H], <c>weight_ih_l0_reverse</c>, ...; batch-first unless <c>batchFirst</c> is false; states [L·D, B, H].
/// </summary>
[Module]
public partial class Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false, bool batchFirst = true, float dropout = 0f)
{
    int directions = bidirectional ? 2 : 1;

    [Flatten("_l{i}")] GruCell[] layers = Modules.Repeat(numLayers, i => new GruCell(i == 0 ? inputSize : (bidirectional ? 2 : 1) * hiddenSize, hiddenSize));
    [Flatten("_l{i}_reverse")] GruCell[] backward = Modules.Repeat(bidirectional ? numLayers : 0, i => new GruCell(i == 0 ? inputSize : 2 * hiddenSize, hiddenSize));

    /// <summary>x from a zero state: the last layer's outputs [B, T, D·H] and the final states [L·D, B, H].</summary>
    public (Tensor output, Tensor h) Forward(Tensor x) => Forward(x, Zeros(numLayers * directions, x.Shape[batchFirst ? 0 : 1], hiddenSize));

    /// <summary>x with initial states h0 [L·D, B, H]: the last layer's outputs [B, T, D·H] and the final states [L·D, B, H].</summary>
    public (Tensor output, Tensor h) Forward(Tensor x, Tensor h0)
    {
        var h = new Tensor[numLayers * directions];
        var input = x;
        for (int l = 0; l < numLayers; l++)
        {
            if (l > 0 && dropout > 0) input = Dropout(input, dropout);
            var (output, last) = layers[l].Sequence(input, Select(h0, 0, l * directions), batchFirst, false);
            h[l * directions] = last;
            if (bidirectional)
            {
                var (back, first) = backward[l].Sequence(input, Select(h0, 0, l * directions + 1), batchFirst, true);
                output = Concat(new[] { output, back }, -1);
                h[l * directions + 1] = first;
            }
            input = output;
        }
        return (input, Stack(h, 0));
    }
}
