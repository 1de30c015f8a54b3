using GraphNet;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace Samples.Vit;

/// <summary>
/// A small Vision Transformer for 28x28 digits: 16 patches of 7x7 pixels, a linear patch embedding plus learned
/// positions, <see cref="Blocks"/> pre-norm transformer blocks from the layer library (the same
/// <see cref="TransformerBlock"/> the character GPT uses, without the causal mask), mean pooling over the patches,
/// a final layer norm and a linear classifier.
/// </summary>
[Model]
public sealed partial class Vit
{
    public const int Patches = 16, PatchSize = 49, Width = 64, Heads = 4, Hidden = 128, Classes = 10, Blocks = 2;

    Linear embed = new(PatchSize, Width);
    [Param(Patches, Width, Init = Init.Normal)] Tensor positions;
    TransformerBlock[] blocks = Modules.Repeat(Blocks, () => new TransformerBlock(Width, Heads, Hidden));
    LayerNorm norm = new(Width);
    Linear head = new(Width, Classes);

    /// <summary>[B, 784] pixels to [B, 16, 49] patches, row by row (a reshape and a permute, no copy until the GEMM).</summary>
    public Tensor Patchify([Shape("B", 784)] Tensor x) =>
        Reshape(Permute(Reshape(x, x.Shape[0], 4, 7, 4, 7), 0, 1, 3, 2, 4), x.Shape[0], Patches, PatchSize);

    public Tensor Logits([Shape("B", 784)] Tensor x)
    {
        var h = embed.Forward(Patchify(x)) + positions;
        foreach (var block in blocks) h = block.Forward(h);
        return head.Forward(Mean(norm.Forward(h), 1));
    }

    public Tensor Loss([Shape("B", 784)] Tensor x, [Shape("B")] Tensor label)
        => SoftmaxCrossEntropy(Logits(x), label).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
}
