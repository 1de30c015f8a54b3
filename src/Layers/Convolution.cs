using static GraphNet.Ops;

namespace GraphNet.Layers;

/// <summary>
/// A 2-d convolution as nn.Conv2d: <c>weight</c> [out, in, k, k], <c>bias</c> [out], both U(±1/√(in·k·k));
/// input [N, in, H, W], output [N, out, H', W'].
/// </summary>
[Module]
public partial class Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0)
{
    int fanIn = inChannels * kernel * kernel;

    [Param(nameof(outChannels), nameof(inChannels), nameof(kernel), nameof(kernel), Init = Init.UniformFanIn)] Tensor weight;
    [Param(nameof(outChannels), Init = Init.UniformFanIn, FanIn = nameof(fanIn))] Tensor bias;

    /// <summary>x [N, in, H, W] to [N, out, H', W'], H' = (H + 2·padding − kernel) / stride + 1 (rounded down), W' likewise.</summary>
    public Tensor Forward(Tensor x) => Ops.Conv2d(x, weight, bias, stride, padding);
}

/// <summary>A 1-d convolution as nn.Conv1d: <c>weight</c> [out, in, k], <c>bias</c> [out]; input [N, in, L].</summary>
[Module]
public partial class Conv1d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0)
{
    int fanIn = inChannels * kernel;

    [Param(nameof(outChannels), nameof(inChannels), nameof(kernel), Init = Init.UniformFanIn)] Tensor weight;
    [Param(nameof(outChannels), Init = Init.UniformFanIn, FanIn = nameof(fanIn))] Tensor bias;

    /// <summary>x [N, in, L] to [N, out, L'], L' = (L + 2·padding − kernel) / stride + 1 (rounded down).</summary>
    public Tensor Forward(Tensor x) => Ops.Conv1d(x, weight, bias, stride, padding);
}
