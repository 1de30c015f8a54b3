using static GraphNet.Ops;

namespace GraphNet.Layers;

/// <summary>
/// y = x·Wᵀ + b over the last axis, as PyTorch's nn.Linear: <c>weight</c> [out, in], <c>bias</c> [out], both
/// drawn from U(±1/√in).
/// </summary>
[Module]
public partial class Linear(int inFeatures, int outFeatures)
{
    [Param(nameof(outFeatures), nameof(inFeatures), Init = Init.UniformFanIn)] Tensor weight;
    [Param(nameof(outFeatures), Init = Init.UniformFanIn, FanIn = nameof(inFeatures))] Tensor bias;

    /// <summary>x [..., in] to [..., out].</summary>
    public Tensor Forward(Tensor x) => MatMul(x, weight, transposeB: true) + bias;
}

/// <summary>Two linear layers with an activation between (GELU, or ReLU when <c>gelu</c> is false): in → hidden → out.</summary>
[Module]
public partial class Mlp(int inFeatures, int hidden, int outFeatures, bool gelu = true)
{
    Linear fc1 = new(inFeatures, hidden);
    Linear fc2 = new(hidden, outFeatures);

    /// <summary>x [..., in] to [..., out].</summary>
    public Tensor Forward(Tensor x)
    {
        var h = fc1.Forward(x);
        return fc2.Forward(gelu ? Gelu(h) : Relu(h));
    }
}

/// <summary>A lookup table of <c>count</c> vectors of <c>dim</c> values, as nn.Embedding: <c>weight</c> [count, dim] ~ N(0, 1).</summary>
[Module]
public partial class Embedding(int count, int dim)
{
    [Param(nameof(count), nameof(dim), Init = Init.StandardNormal)] Tensor weight;

    /// <summary>ids [...] (integers stored as floats, each in [0, count)) to [..., dim].</summary>
    public Tensor Forward(Tensor ids) => Ops.Embedding(weight, ids);
}

/// <summary>Zeroes each value with probability <c>p</c> in training mode and scales the rest by 1/(1-p); the identity in evaluation mode.</summary>
[Module]
public partial class Dropout(float p)
{
    /// <summary>x with dropout applied (training mode) or unchanged (evaluation mode, or <c>p</c> = 0); same shape.</summary>
    public Tensor Forward(Tensor x) => p > 0 ? Ops.Dropout(x, p) : x;
}
