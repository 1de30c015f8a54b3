using static GraphNet.Ops;

namespace GraphNet.Layers;

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

    /// <summary>One step: x [B, I], h [B, H] to h' [B, H].</summary>
    public Tensor Step(Tensor x, Tensor h)
    {
        var a = MatMul(x, weight_ih, transposeB: true) + bias_ih + MatMul(h, weight_hh, transposeB: true) + bias_hh;
        return relu ? Relu(a) : Tanh(a);
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

    /// <summary>One step: x [B, I], h and c [B, H] to (h', c').</summary>
    public (Tensor h, Tensor c) Step(Tensor x, Tensor h, Tensor c)
    {
        var g = Chunk(MatMul(x, weight_ih, transposeB: true) + bias_ih + MatMul(h, weight_hh, transposeB: true) + bias_hh, 4, -1);
        var next = Sigmoid(g[1]) * c + Sigmoid(g[0]) * Tanh(g[2]);
        return (Sigmoid(g[3]) * Tanh(next), next);
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

    /// <summary>One step: x [B, I], h [B, H] to h' [B, H].</summary>
    public Tensor Step(Tensor x, Tensor h)
    {
        var gi = Chunk(MatMul(x, weight_ih, transposeB: true) + bias_ih, 3, -1);
        var gh = Chunk(MatMul(h, weight_hh, transposeB: true) + bias_hh, 3, -1);
        var r = Sigmoid(gi[0] + gh[0]);
        var z = Sigmoid(gi[1] + gh[1]);
        var n = Tanh(gi[2] + r * gh[2]);
        return (1f - z) * n + z * h;
    }
}

/// <summary>
/// A one-layer LSTM over a batch-first sequence, as nn.LSTM(batch_first: true): parameters <c>weight_ih_l0</c>
/// [4H, I], <c>weight_hh_l0</c> [4H, H], <c>bias_ih_l0</c>, <c>bias_hh_l0</c> [4H]. Over a run-time sequence length
/// (<c>[Shape("B", "T", I)]</c>) the loop over time is one scan, compiled once; a constant length is unrolled.
/// </summary>
[Module]
public partial class Lstm(int inputSize, int hiddenSize)
{
    int gates = 4 * hiddenSize;

    [Param(nameof(gates), nameof(inputSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor weight_ih_l0;
    [Param(nameof(gates), nameof(hiddenSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor weight_hh_l0;
    [Param(nameof(gates), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor bias_ih_l0;
    [Param(nameof(gates), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor bias_hh_l0;

    /// <summary>x [B, T, I] from zero states: the outputs [B, T, H] and the final (h, c).</summary>
    public (Tensor output, Tensor h, Tensor c) Forward(Tensor x)
    {
        var zeros = Zeros(x.Shape[0], hiddenSize);
        return Forward(x, zeros, zeros);
    }

    /// <summary>x [B, T, I] with initial h0, c0 [B, H]: the outputs [B, T, H] and the final (h, c).</summary>
    public (Tensor output, Tensor h, Tensor c) Forward(Tensor x, Tensor h0, Tensor c0)
    {
        // The input projection of every step in one GEMM, outside the loop.
        var projected = MatMul(x, weight_ih_l0, transposeB: true) + bias_ih_l0 + bias_hh_l0;
        var h = h0;
        var c = c0;
        var steps = new Tensor[x.Shape[1]];
        for (int t = 0; t < x.Shape[1]; t++)
        {
            var g = Chunk(projected[.., t] + MatMul(h, weight_hh_l0, transposeB: true), 4, -1);
            c = Sigmoid(g[1]) * c + Sigmoid(g[0]) * Tanh(g[2]);
            h = Sigmoid(g[3]) * Tanh(c);
            steps[t] = h;
        }
        return (Stack(steps, 1), h, c);
    }
}

/// <summary>
/// A one-layer GRU over a batch-first sequence, as nn.GRU(batch_first: true): <c>weight_ih_l0</c> [3H, I],
/// <c>weight_hh_l0</c> [3H, H], <c>bias_ih_l0</c>, <c>bias_hh_l0</c> [3H]; the loop over time is a scan over a run-time length, unrolled over a constant one.
/// </summary>
[Module]
public partial class Gru(int inputSize, int hiddenSize)
{
    int gates = 3 * hiddenSize;

    [Param(nameof(gates), nameof(inputSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor weight_ih_l0;
    [Param(nameof(gates), nameof(hiddenSize), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor weight_hh_l0;
    [Param(nameof(gates), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor bias_ih_l0;
    [Param(nameof(gates), Init = Init.UniformFanIn, FanIn = nameof(hiddenSize))] Tensor bias_hh_l0;

    /// <summary>x [B, T, I] from a zero state: the outputs [B, T, H] and the final h.</summary>
    public (Tensor output, Tensor h) Forward(Tensor x) => Forward(x, Zeros(x.Shape[0], hiddenSize));

    /// <summary>x [B, T, I] with initial h0 [B, H]: the outputs [B, T, H] and the final h.</summary>
    public (Tensor output, Tensor h) Forward(Tensor x, Tensor h0)
    {
        var projected = MatMul(x, weight_ih_l0, transposeB: true) + bias_ih_l0;
        var h = h0;
        var steps = new Tensor[x.Shape[1]];
        for (int t = 0; t < x.Shape[1]; t++)
        {
            var gi = Chunk(projected[.., t], 3, -1);
            var gh = Chunk(MatMul(h, weight_hh_l0, transposeB: true) + bias_hh_l0, 3, -1);
            var r = Sigmoid(gi[0] + gh[0]);
            var z = Sigmoid(gi[1] + gh[1]);
            h = (1f - z) * Tanh(gi[2] + r * gh[2]) + z * h;
            steps[t] = h;
        }
        return (Stack(steps, 1), h);
    }
}
