using GraphNet;
using static GraphNet.Ops;

namespace Benchmarks.Peers;

/// <summary>
/// The block of shared/peers/workloads/e_transformer.py (--impl manual): pre-norm, causal self-attention with
/// 4 heads over d 256 (Linear qkv and proj with biases), MLP 256-1024-256 with GELU, residuals; MSE to a target.
/// </summary>
[Model]
public sealed partial class TransformerBlock
{
    public const int T = 128, D = 256, Heads = 4, Hidden = 1024;

    [Param(D, Init = Init.Ones)] Tensor ln1g;
    [Param(D)] Tensor ln1b;
    [Param(D, 3 * D)] Tensor qkv;
    [Param(3 * D)] Tensor qkvb;
    [Param(D, D)] Tensor proj;
    [Param(D)] Tensor projb;
    [Param(D, Init = Init.Ones)] Tensor ln2g;
    [Param(D)] Tensor ln2b;
    [Param(D, Hidden)] Tensor fc1;
    [Param(Hidden)] Tensor fc1b;
    [Param(Hidden, D)] Tensor fc2;
    [Param(D)] Tensor fc2b;

    public Tensor Forward([Shape("B", T, D)] Tensor x)
    {
        var parts = Chunk(MatMul(LayerNorm(x, ln1g, ln1b), qkv) + qkvb, 3, 2);
        var h = x + MatMul(MultiHeadAttention(parts[0], parts[1], parts[2], Heads, causal: true), proj) + projb;
        return h + MatMul(Gelu(MatMul(LayerNorm(h, ln2g, ln2b), fc1) + fc1b), fc2) + fc2b;
    }

    public Tensor Loss([Shape("B", T, D)] Tensor x, [Shape("B", T, D)] Tensor target) => Mse(Forward(x), target);

    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor target, Optimizer optimizer);
}
