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
    public const int Vocab = 11, Context = 5, D = 8, Heads = 2, Hidden = 16;

    Embedding tokens = new(Vocab, D);
    [Param(Context, D, Init = Init.Normal)] Tensor positions;
    TransformerBlock[] blocks = [new TransformerBlock(D, Heads, Hidden, causal: true)];
    GraphNet.Layers.LayerNorm norm = new(D);
    Linear head = new(D, Vocab);

    public Tensor Logits([Shape("B", Context)] Tensor ids)
    {
        var x = tokens.Forward(ids) + positions;
        for (int i = 0; i < blocks.Length; i++) x = blocks[i].Forward(x);
        return head.Forward(norm.Forward(x));
    }

    public Tensor Loss([Shape("B", Context)] Tensor ids, [Shape("B", Context)] Tensor next) =>
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

/// <summary>A per-feature shift and scale: a module used many times.</summary>
[Module]
public partial class Shift(int n)
{
    [Param(nameof(n), Init = Init.Uniform)] Tensor b;

    public Tensor Add(Tensor x) => x + b;

    public Tensor Part(Tensor x) => x * b;
}

/// <summary>Kernels with many inputs built from modules: 40 parameters in one fused sum, one weight read 30 times, a Concat of 20 parts.</summary>
[Model]
public partial class WideModules
{
    public const int N = 3;

    Shift[] shifts = Modules.Repeat(40, () => new Shift(N));
    Shift scale = new(N);

    public Tensor Wide([Shape("B", N)] Tensor x)
    {
        var y = x;
        foreach (var s in shifts) y = s.Add(y);
        return y;
    }

    public Tensor Reused([Shape("B", N)] Tensor x)
    {
        var y = x;
        for (int i = 0; i < 30; i++) y = scale.Part(y) * 0.5f + x;
        return y;
    }

    public Tensor Joined([Shape("B", N)] Tensor x) => Concat([shifts[0].Part(x), shifts[1].Part(x), shifts[2].Part(x), shifts[3].Part(x), shifts[4].Part(x), shifts[5].Part(x), shifts[6].Part(x), shifts[7].Part(x), shifts[8].Part(x), shifts[9].Part(x), shifts[10].Part(x), shifts[11].Part(x), shifts[12].Part(x), shifts[13].Part(x), shifts[14].Part(x), shifts[15].Part(x), shifts[16].Part(x), shifts[17].Part(x), shifts[18].Part(x), shifts[19].Part(x)], 1);

    public Tensor Total([Shape("B", N)] Tensor x) => Sum(Wide(x) * Reused(x)) + Sum(Joined(x));

    [Compile(nameof(Wide))] public partial Tensor RunWide(Tensor x);
    [Compile(nameof(Reused))] public partial Tensor RunReused(Tensor x);
    [Compile(nameof(Joined))] public partial Tensor RunJoined(Tensor x);
    [Gradients(nameof(Total))] public partial float TotalAndGradients(Tensor x);
}
