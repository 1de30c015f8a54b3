using GraphNet;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace Samples.CharGpt;

/// <summary>
/// A decoder-only transformer over characters: token and learned position embeddings, <see cref="Blocks"/>
/// pre-norm transformer blocks from the layer library (causal multi-head self-attention, GELU MLP, residuals),
/// a final layer norm and a linear head. Change <see cref="Blocks"/> to make it deeper: nothing else changes.
/// </summary>
[Model]
public sealed partial class Gpt
{
    public const int Vocab = 98, Context = 64, Width = 128, Heads = 4, Hidden = 512, Blocks = 2;

    [Param(Vocab, Width, Init = Init.Normal)] Tensor tokens;
    [Param(Context, Width, Init = Init.Normal)] Tensor positions;
    TransformerBlock[] blocks = Modules.Repeat(Blocks, () => new TransformerBlock(Width, Heads, Hidden, causal: true));
    LayerNorm norm = new(Width);
    Linear head = new(Width, Vocab);

    /// <summary>Next-character logits [B, Context, Vocab] for every position of the ids [B, Context].</summary>
    public Tensor Logits([Shape("B", Context)] Tensor ids)
    {
        var x = Embedding(tokens, ids) + positions;
        foreach (var block in blocks) x = block.Forward(x);
        return head.Forward(norm.Forward(x));
    }

    /// <summary>Mean cross-entropy (nats per character) of the next characters.</summary>
    public Tensor Loss([Shape("B", Context)] Tensor ids, [Shape("B", Context)] Tensor next)
        => SoftmaxCrossEntropy(Logits(ids), next).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor ids);
    [Compile(nameof(Loss))] public partial Tensor Evaluate(Tensor ids, Tensor next);
    [Train(nameof(Loss))] public partial float Step(Tensor ids, Tensor next, Optimizer optimizer);
}
