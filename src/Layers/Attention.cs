using static GraphNet.Ops;

namespace GraphNet.Layers;

/// <summary>
/// Multi-head scaled dot-product attention as nn.MultiheadAttention (batch first): <c>in_proj_weight</c>
/// [3·d, d] (Glorot) and <c>in_proj_bias</c> [3·d] (zeros) project queries, keys and values; <c>out_proj</c>
/// mixes the heads. <c>causal</c> masks future positions.
/// </summary>
[Module]
public partial class MultiHeadAttention(int d, int heads, bool causal = false)
{
    int d3 = 3 * d;

    [Param(nameof(d3), nameof(d), Init = Init.Xavier)] Tensor in_proj_weight;
    [Param(nameof(d3), Init = Init.Zeros)] Tensor in_proj_bias;
    Linear out_proj = new(d, d);

    /// <summary>Self-attention: x [B, T, d] attends to itself (one projection for q, k and v).</summary>
    public Tensor Self(Tensor x)
    {
        var qkv = Chunk(MatMul(x, in_proj_weight, transposeB: true) + in_proj_bias, 3, -1);
        return out_proj.Forward(Ops.MultiHeadAttention(qkv[0], qkv[1], qkv[2], heads, causal));
    }

    /// <summary>Cross-attention: query [B, T, d] attends to key and value [B, S, d].</summary>
    public Tensor Forward(Tensor query, Tensor key, Tensor value)
    {
        var w = Chunk(in_proj_weight, 3, 0);
        var b = Chunk(in_proj_bias, 3, 0);
        var q = MatMul(query, w[0], transposeB: true) + b[0];
        var k = MatMul(key, w[1], transposeB: true) + b[1];
        var v = MatMul(value, w[2], transposeB: true) + b[2];
        return out_proj.Forward(Ops.MultiHeadAttention(q, k, v, heads, causal));
    }
}

/// <summary>
/// A pre-norm transformer block, as nn.TransformerEncoderLayer(norm_first: true, batch_first: true,
/// activation: gelu): x + attention(norm1(x)), then + linear2(gelu(linear1(norm2(x)))).
/// </summary>
[Module]
public partial class TransformerBlock(int d, int heads, int hidden, bool causal = false, float dropout = 0f)
{
    LayerNorm norm1 = new(d);
    MultiHeadAttention self_attn = new(d, heads, causal);
    LayerNorm norm2 = new(d);
    Linear linear1 = new(d, hidden);
    Linear linear2 = new(hidden, d);
    Dropout drop = new(dropout);

    /// <summary>x [B, T, d] to [B, T, d].</summary>
    public Tensor Forward(Tensor x)
    {
        x = x + drop.Forward(self_attn.Self(norm1.Forward(x)));
        return x + drop.Forward(linear2.Forward(Gelu(linear1.Forward(norm2.Forward(x)))));
    }
}
