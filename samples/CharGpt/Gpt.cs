using GraphNet;
using static GraphNet.Ops;

namespace Samples.CharGpt;

/// <summary>
/// A decoder-only transformer over characters: token and learned position embeddings, two pre-layer-norm
/// blocks (causal multi-head self-attention, GELU MLP, residuals), a final layer norm and a linear head.
/// </summary>
[Model]
public sealed partial class Gpt
{
    public const int Vocab = 98, Context = 64, Width = 128, Heads = 4, Hidden = 512;

    [Param(Vocab, Width, Init = Init.Normal)] Tensor tokens;
    [Param(Context, Width, Init = Init.Normal)] Tensor positions;

    [Param(Width, Init = Init.Ones)] Tensor ln1g_0;
    [Param(Width)] Tensor ln1b_0;
    [Param(Width, 3 * Width)] Tensor qkv_0;
    [Param(3 * Width)] Tensor qkvb_0;
    [Param(Width, Width)] Tensor proj_0;
    [Param(Width)] Tensor projb_0;
    [Param(Width, Init = Init.Ones)] Tensor ln2g_0;
    [Param(Width)] Tensor ln2b_0;
    [Param(Width, Hidden)] Tensor fc_0;
    [Param(Hidden)] Tensor fcb_0;
    [Param(Hidden, Width)] Tensor out_0;
    [Param(Width)] Tensor outb_0;

    [Param(Width, Init = Init.Ones)] Tensor ln1g_1;
    [Param(Width)] Tensor ln1b_1;
    [Param(Width, 3 * Width)] Tensor qkv_1;
    [Param(3 * Width)] Tensor qkvb_1;
    [Param(Width, Width)] Tensor proj_1;
    [Param(Width)] Tensor projb_1;
    [Param(Width, Init = Init.Ones)] Tensor ln2g_1;
    [Param(Width)] Tensor ln2b_1;
    [Param(Width, Hidden)] Tensor fc_1;
    [Param(Hidden)] Tensor fcb_1;
    [Param(Hidden, Width)] Tensor out_1;
    [Param(Width)] Tensor outb_1;

    [Param(Width, Init = Init.Ones)] Tensor lnfg;
    [Param(Width)] Tensor lnfb;
    [Param(Width, Vocab)] Tensor head;
    [Param(Vocab)] Tensor headb;

    /// <summary>One pre-norm block: x + attention(LN(x)), then + MLP(LN(x)).</summary>
    Tensor Block(Tensor x, Tensor ln1g, Tensor ln1b, Tensor qkv, Tensor qkvb, Tensor proj, Tensor projb,
        Tensor ln2g, Tensor ln2b, Tensor fc, Tensor fcb, Tensor @out, Tensor outb)
    {
        var parts = Chunk(MatMul(LayerNorm(x, ln1g, ln1b), qkv) + qkvb, 3, 2);
        var attended = MultiHeadAttention(parts[0], parts[1], parts[2], Heads, causal: true);
        var h = x + MatMul(attended, proj) + projb;
        var mlp = MatMul(Gelu(MatMul(LayerNorm(h, ln2g, ln2b), fc) + fcb), @out) + outb;
        return h + mlp;
    }

    /// <summary>Next-character logits [B, Context, Vocab] for every position of the ids [B, Context].</summary>
    public Tensor Logits([Shape("B", Context)] Tensor ids)
    {
        var x = Embedding(tokens, ids) + positions;
        var h0 = Block(x, ln1g_0, ln1b_0, qkv_0, qkvb_0, proj_0, projb_0, ln2g_0, ln2b_0, fc_0, fcb_0, out_0, outb_0);
        var h1 = Block(h0, ln1g_1, ln1b_1, qkv_1, qkvb_1, proj_1, projb_1, ln2g_1, ln2b_1, fc_1, fcb_1, out_1, outb_1);
        return MatMul(LayerNorm(h1, lnfg, lnfb), head) + headb;
    }

    /// <summary>Mean cross-entropy (nats per character) of the next characters.</summary>
    public Tensor Loss([Shape("B", Context)] Tensor ids, [Shape("B", Context)] Tensor next)
        => SoftmaxCrossEntropy(Logits(ids), next).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor ids);
    [Compile(nameof(Loss))] public partial Tensor Evaluate(Tensor ids, Tensor next);
    [Train(nameof(Loss))] public partial float Step(Tensor ids, Tensor next, Optimizer optimizer);
}
