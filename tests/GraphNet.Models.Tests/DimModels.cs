using static GraphNet.Ops;

namespace GraphNet.Models.Tests;

/// <summary>Shapes that are sums of symbolic dims: next-token slices [B, T-1], a join along time [B, T+S], Eye(N), N − 1.</summary>
[Model]
public sealed partial class NextTokenModel
{
    public const int V = 5, D = 4;

    [Param(V, D, Init = Init.Normal)] Tensor embed;
    [Param(D, V, Init = Init.Normal)] Tensor head;

    /// <summary>Each position predicts the next token: inputs tokens[.., ..^1], targets tokens[.., 1..], both [B, T-1].</summary>
    public Tensor Loss([Shape("B", "T")] Tensor tokens)
    {
        var logits = MatMul(Embedding(embed, tokens[.., ..^1]), head);
        return SoftmaxCrossEntropy(logits, tokens[.., 1..]).Mean();
    }

    /// <summary>Two sequences joined along time, then the middle cut out with explicit slice bounds.</summary>
    public (Tensor joined, Tensor middle) Join([Shape("B", "T", D)] Tensor a, [Shape("B", "S", D)] Tensor b)
    {
        var joined = Concat([a, b], 1);                                    // [B, T+S, D]
        return (joined, Slice(joined, 1, 1, a.Shape[1] + b.Shape[1] - 2)); // [B, T+S-2, D]
    }

    /// <summary>A kernel matrix with a ridge: K + λ·I over N points, and the unbiased variance of each feature.</summary>
    public (Tensor ridge, Tensor variance) Statistics([Shape("N", D)] Tensor x)
    {
        var centred = x - Mean(x, 0);
        return (MatMul(x, x, transposeB: true) + 0.5f * Eye(x.Shape[0]), Sum(centred * centred, 0) / (x.Shape[0] - 1));
    }

    [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor tokens);
    [Compile(nameof(Join))] public partial (Tensor joined, Tensor middle) Joined(Tensor a, Tensor b);
    [Compile(nameof(Statistics))] public partial (Tensor ridge, Tensor variance) Stats(Tensor x);
}

/// <summary>A gradient inside the program and a loss built from it: the entry's backward pass differentiates it again.</summary>
[Model]
public sealed partial class DoubleBackward
{
    [Param(3, 4, Init = Init.Normal)] Tensor w;
    [Param(4)] Tensor b;

    /// <summary>Jᵀv for the Jacobian J of tanh(x·W + b) with respect to x, per example.</summary>
    public Tensor VectorJacobian([Shape("B", 3)] Tensor x, [Shape("B", 4)] Tensor v) => Grad(Sum(Tanh(MatMul(x, w) + b) * v), x);

    /// <summary>A gradient penalty: the mean squared norm of Jᵀv.</summary>
    public Tensor Penalty([Shape("B", 3)] Tensor x, [Shape("B", 4)] Tensor v)
    {
        var jv = VectorJacobian(x, v);
        return Mean(Sum(jv * jv, 1));
    }

    [Compile(nameof(VectorJacobian))] public partial Tensor Jtv(Tensor x, Tensor v);
    [Gradients(nameof(Penalty))] public partial float PenaltyAndGradients(Tensor x, Tensor v);
}
