namespace GraphNet.Layers;

/// <summary>
/// Batch normalization over [N, C] inputs, as nn.BatchNorm1d: <c>weight</c> (ones) and <c>bias</c> (zeros) [C],
/// buffers <c>running_mean</c> and <c>running_var</c> updated in training mode with <c>momentum</c>.
/// </summary>
[Module]
public partial class BatchNorm1d(int features, float momentum = 0.1f, float eps = 1e-5f)
{
    [Param(nameof(features), Init = Init.Ones)] Tensor weight;
    [Param(nameof(features), Init = Init.Zeros)] Tensor bias;
    [Buffer(nameof(features))] Tensor running_mean;
    [Buffer(nameof(features), Init = Init.Ones)] Tensor running_var;

    /// <summary>x [N, C] (or [N, C, L]) normalized per feature: by the batch's statistics in training mode, by the running ones in evaluation mode; same shape.</summary>
    public Tensor Forward(Tensor x) => Ops.BatchNorm(x, weight, bias, running_mean, running_var, momentum, eps);
}

/// <summary>Batch normalization over [N, C, H, W] inputs, per channel, as nn.BatchNorm2d (same members as <see cref="BatchNorm1d"/>).</summary>
[Module]
public partial class BatchNorm2d(int features, float momentum = 0.1f, float eps = 1e-5f)
{
    [Param(nameof(features), Init = Init.Ones)] Tensor weight;
    [Param(nameof(features), Init = Init.Zeros)] Tensor bias;
    [Buffer(nameof(features))] Tensor running_mean;
    [Buffer(nameof(features), Init = Init.Ones)] Tensor running_var;

    /// <summary>x [N, C, H, W] normalized per channel: by the batch's statistics in training mode, by the running ones in evaluation mode; same shape.</summary>
    public Tensor Forward(Tensor x) => Ops.BatchNorm(x, weight, bias, running_mean, running_var, momentum, eps);
}

/// <summary>Layer normalization over the last axis of <c>features</c> values, as nn.LayerNorm: <c>weight</c> (ones), <c>bias</c> (zeros).</summary>
[Module]
public partial class LayerNorm(int features, float eps = 1e-5f)
{
    [Param(nameof(features), Init = Init.Ones)] Tensor weight;
    [Param(nameof(features), Init = Init.Zeros)] Tensor bias;

    /// <summary>x [..., features] to (x − mean) / √(var + eps) · weight + bias over the last axis; same shape.</summary>
    public Tensor Forward(Tensor x) => Ops.LayerNorm(x, weight, bias, eps);
}
