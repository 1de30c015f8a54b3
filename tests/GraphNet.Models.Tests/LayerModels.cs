using GraphNet;
using static GraphNet.Ops;

namespace GraphNet.Models.Tests;

/// <summary>A one-block causal decoder over tokens (embedding, learned positions, pre-norm attention and MLP).</summary>
[Model]
public sealed partial class TinyDecoder
{
    public const int Vocab = 11, T = 6, D = 8, Heads = 2;

    [Param(Vocab, D, Init = Init.Normal)] Tensor tok;
    [Param(T, D, Init = Init.Normal)] Tensor pos;
    [Param(D, Init = Init.Ones)] Tensor g1;
    [Param(D)] Tensor b1;
    [Param(D, 3 * D)] Tensor qkv;
    [Param(D, D)] Tensor proj;
    [Param(D, 16)] Tensor fc;
    [Param(16, D)] Tensor fc2;
    [Param(D, Vocab)] Tensor head;

    /// <summary>Self-attention and MLP of a pre-norm block, causal or not.</summary>
    Tensor Block(Tensor x, bool causal)
    {
        var parts = Split(MatMul(LayerNorm(x, g1, b1), qkv), [D, D, D], 2);
        var h = x + MatMul(MultiHeadAttention(parts[0], parts[1], parts[2], Heads, causal), proj);
        return h + MatMul(Gelu(MatMul(h, fc)), fc2);
    }

    public Tensor Logits([Shape("B", T)] Tensor ids) => MatMul(Block(Embedding(tok, ids) + pos, true), head);

    /// <summary>The block without positions or mask on feature vectors: permutation-equivariant over the sequence.</summary>
    public Tensor Bidirectional([Shape("B", T, D)] Tensor x) => Block(x, false);

    public Tensor Loss([Shape("B", T)] Tensor ids, [Shape("B", T)] Tensor next) => SoftmaxCrossEntropy(Logits(ids), next).Mean();

    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor ids);
    [Compile(nameof(Bidirectional))] public partial Tensor Encode(Tensor x);
    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor ids, Tensor next);
}

/// <summary>Conv, batch norm with running statistics, dropout and pooling, for the mode and buffer tests.</summary>
[Model]
public sealed partial class TinyConvNet
{
    [Param(4, 2, 3, 3, Init = Init.He)] Tensor conv;
    [Param(4, Init = Init.Ones)] Tensor gamma;
    [Param(4)] Tensor beta;
    [Buffer(4)] Tensor mean;
    [Buffer(4, Init = Init.Ones)] Tensor variance;
    [Param(4, 3)] Tensor fc;

    public Tensor Features([Shape("B", 2, 6, 6)] Tensor x) =>
        BatchNorm(Conv2d(x, conv, null, 1, "same"), gamma, beta, mean, variance, 0.25f);

    public Tensor Logits([Shape("B", 2, 6, 6)] Tensor x) =>
        MatMul(Dropout(GlobalAvgPool(MaxPool2d(Relu(Features(x)), 2)), 0.5f), fc);

    public Tensor Loss([Shape("B", 2, 6, 6)] Tensor x, [Shape("B")] Tensor y) => SoftmaxCrossEntropy(Logits(x), y).Mean();

    [Compile(nameof(Features))] public partial Tensor FeaturesEval(Tensor x);
    [Compile(nameof(Features), Mode = Mode.Training)] public partial Tensor FeaturesTrain(Tensor x);
    [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
    [Compile(nameof(Logits), Mode = Mode.Training)] public partial Tensor PredictTraining(Tensor x);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
}

/// <summary>
/// The GraphNet twin of data/make_torch_state_dict.py's PyTorch module: the same attribute names (conv, bn, fc, lstm), so
/// its state_dict loads by name.
/// </summary>
[Model]
public sealed partial class TorchMirror
{
    GraphNet.Layers.Conv2d conv = new(1, 4, 3);
    GraphNet.Layers.BatchNorm2d bn = new(4);
    GraphNet.Layers.Linear fc = new(4 * 6 * 6, 10);
    GraphNet.Layers.Lstm lstm = new(5, 6);

    public Tensor Images([Shape("B", 1, 8, 8)] Tensor x) => fc.Forward(Reshape(Relu(bn.Forward(conv.Forward(x))), x.Shape[0], 4 * 6 * 6));

    public Tensor Sequence([Shape("B", "T", 5)] Tensor s)
    {
        var (output, _, _) = lstm.Forward(s);
        return output;
    }

    [Compile(nameof(Images))] public partial Tensor Logits(Tensor x);
    [Compile(nameof(Sequence))] public partial Tensor Outputs(Tensor s);
}
