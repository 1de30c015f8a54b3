using GraphNet;
using static GraphNet.Ops;

namespace Samples.Vit;

/// <summary>
/// A small Vision Transformer for 28x28 digits: 16 patches of 7x7 pixels, a linear patch embedding plus learned
/// positions, two pre-layer-norm encoder blocks (multi-head self-attention without a mask, GELU MLP), mean pooling
/// over the patches, a final layer norm and a linear classifier.
/// </summary>
[Model]
public sealed partial class Vit
{
    public const int Patches = 16, PatchSize = 49, Width = 64, Heads = 4, Hidden = 128, Classes = 10;

    [Param(PatchSize, Width)] Tensor embed;
    [Param(Width)] Tensor embedb;
    [Param(Patches, Width, Init = Init.Normal)] Tensor positions;

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
    [Param(Width, Classes)] Tensor head;
    [Param(Classes)] Tensor headb;

    /// <summary>[B, 784] pixels to [B, 16, 49] patches, row by row (a reshape and a permute, no copy until the GEMM).</summary>
    public Tensor Patchify([Shape("B", 784)] Tensor x) =>
        Reshape(Permute(Reshape(x, x.Shape[0], 4, 7, 4, 7), 0, 1, 3, 2, 4), x.Shape[0], Patches, PatchSize);

    /// <summary>One encoder block: x + attention(LN(x)) over all patches, then + MLP(LN(x)).</summary>
    Tensor Encoder(Tensor x, Tensor ln1g, Tensor ln1b, Tensor qkv, Tensor qkvb, Tensor proj, Tensor projb,
        Tensor ln2g, Tensor ln2b, Tensor fc, Tensor fcb, Tensor @out, Tensor outb)
    {
        var parts = Chunk(MatMul(LayerNorm(x, ln1g, ln1b), qkv) + qkvb, 3, 2);
        var h = x + MatMul(MultiHeadAttention(parts[0], parts[1], parts[2], Heads), proj) + projb;
        return h + MatMul(Gelu(MatMul(LayerNorm(h, ln2g, ln2b), fc) + fcb), @out) + outb;
    }

    public Tensor Logits([Shape("B", 784)] Tensor x)
    {
        var tokens = MatMul(Patchify(x), embed) + embedb + positions;
        var h0 = Encoder(tokens, ln1g_0, ln1b_0, qkv_0, qkvb_0, proj_0, projb_0, ln2g_0, ln2b_0, fc_0, fcb_0, out_0, outb_0);
        var h1 = Encoder(h0, ln1g_1, ln1b_1, qkv_1, qkvb_1, proj_1, projb_1, ln2g_1, ln2b_1, fc_1, fcb_1, out_1, outb_1);
        var pooled = Mean(LayerNorm(h1, lnfg, lnfb), 1);
        return MatMul(pooled, head) + headb;
    }

    public Tensor Loss([Shape("B", 784)] Tensor x, [Shape("B")] Tensor label)
        => SoftmaxCrossEntropy(Logits(x), label).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
}
