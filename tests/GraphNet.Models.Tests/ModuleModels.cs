using GraphNet.Layers;
using static GraphNet.Ops;

namespace GraphNet.Models.Tests;

/// <summary>A GPT from the library's TransformerBlock: <c>Blocks</c> equal blocks as a module array.</summary>
[Model]
public partial class ModuleGpt
{
    public const int Vocab = 11, Context = 5, D = 8, Heads = 2, Hidden = 16, Blocks = 12;

    Embedding tokens = new(Vocab, D);
    [Param(Context, D, Init = Init.Normal)] Tensor positions;
    TransformerBlock[] blocks = Modules.Repeat(Blocks, () => new TransformerBlock(D, Heads, Hidden, causal: true));
    GraphNet.Layers.LayerNorm norm = new(D);
    Linear head = new(D, Vocab);

    public Tensor Logits([Shape("B", Context)] Tensor ids)
    {
        var x = tokens.Forward(ids) + positions;
        foreach (var block in blocks) x = block.Forward(x);
        return head.Forward(norm.Forward(x));
    }

    public Tensor Loss([Shape("B", Context)] Tensor ids, [Shape("B", Context)] Tensor next) =>
        SoftmaxCrossEntropy(Logits(ids), next).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor ids);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor ids, Tensor next);
    [Train(nameof(Loss))] public partial float Step(Tensor ids, Tensor next, Optimizer optimizer);
}

/// <summary>The same model with one block: its generated source is the baseline the 12-block one is compared with.</summary>
[Model]
public partial class ModuleGpt1
{
    Embedding tokens = new(ModuleGpt.Vocab, ModuleGpt.D);
    [Param(ModuleGpt.Context, ModuleGpt.D, Init = Init.Normal)] Tensor positions;
    TransformerBlock[] blocks = Modules.Repeat(1, () => new TransformerBlock(ModuleGpt.D, ModuleGpt.Heads, ModuleGpt.Hidden, causal: true));
    GraphNet.Layers.LayerNorm norm = new(ModuleGpt.D);
    Linear head = new(ModuleGpt.D, ModuleGpt.Vocab);

    public Tensor Logits([Shape("B", ModuleGpt.Context)] Tensor ids)
    {
        var x = tokens.Forward(ids) + positions;
        foreach (var block in blocks) x = block.Forward(x);
        return head.Forward(norm.Forward(x));
    }

    public Tensor Loss([Shape("B", ModuleGpt.Context)] Tensor ids, [Shape("B", ModuleGpt.Context)] Tensor next) =>
        SoftmaxCrossEntropy(Logits(ids), next).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor ids);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor ids, Tensor next);
    [Train(nameof(Loss))] public partial float Step(Tensor ids, Tensor next, Optimizer optimizer);
}

/// <summary>An LSTM cell as a module in this project: a helper that returns two tensors.</summary>
[Module]
public partial class LstmCell(int input, int hidden)
{
    Linear x2h = new(input, 4 * hidden);
    Linear h2h = new(hidden, 4 * hidden);

    public (Tensor h, Tensor c) Step(Tensor x, Tensor h, Tensor c)
    {
        var gates = Chunk(x2h.Forward(x) + h2h.Forward(h), 4, -1);
        c = Sigmoid(gates[1]) * c + Sigmoid(gates[0]) * Tanh(gates[2]);
        return (Sigmoid(gates[3]) * Tanh(c), c);
    }
}

/// <summary>
/// The new spec language in one model: a loop over constant time steps, tuple deconstruction, reassignment,
/// an 'if' on a constant, a tuple-returning entry, float and int scalar arguments, Clamp and float comparisons.
/// </summary>
[Model]
public partial class UnrolledLstm
{
    public const int Steps = 4, Input = 3, Hidden = 5, Classes = 2;
    const bool Residual = true;

    LstmCell cell = new(Input, Hidden);
    Linear head = new(Hidden, Classes);

    public (Tensor logits, Tensor h) Run([Shape("B", Steps, Input)] Tensor x, [Shape("B", Hidden)] Tensor h0)
    {
        var h = h0;
        var c = h0 * 0f;
        for (int t = 0; t < Steps; t++)
        {
            var (next, cNext) = cell.Step(Sum(Slice(x, 1, t, 1), 1), h, c);
            h = Residual ? h + next : next;
            c = cNext;
        }
        return (head.Forward(h), h);
    }

    public Tensor Loss([Shape("B", Steps, Input)] Tensor x, [Shape("B", Hidden)] Tensor h0, [Shape("B")] Tensor y)
    {
        var (logits, _) = Run(x, h0);
        return SoftmaxCrossEntropy(logits, y).Mean();
    }

    public Tensor Tempered([Shape("B", Classes)] Tensor z, float temperature, int shift) => Softmax(z / temperature) + shift;

    public Tensor Clipped([Shape("B", Classes)] Tensor z) => Where(Gt(z, 0f), Clamp(z, -0.5f, 0.5f), 0f);

    [Compile(nameof(Run))] public partial (Tensor logits, Tensor h) Forward(Tensor x, Tensor h0);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor h0, Tensor y);
    [Compile(nameof(Tempered))] public partial Tensor Temper(Tensor z, float temperature, int shift);
    [Compile(nameof(Clipped))] public partial Tensor Clip(Tensor z);
}
