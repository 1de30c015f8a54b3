using GraphNet;
using static GraphNet.Ops;

namespace Samples.Contrastive;

/// <summary>
/// Two dense layers, batch norm and a ReLU on the hidden layer (and a ReLU on the output when <c>reluOut</c>): the
/// encoders, projection heads and BYOL's predictor. Batch norm uses the batch's statistics in training steps and the
/// running averages in compiled entries (an untrained network's are the identity). <see cref="Follow"/> moves this
/// network's weights towards another's (BYOL's exponential moving average); a spec method assigns only its own
/// module's fields, so the other network hands its weights over as tensors (<see cref="Weights"/>).
/// </summary>
[Module]
public partial class Mlp(int input, int hidden, int output, bool reluOut)
{
    [Param(nameof(input), nameof(hidden), Init = Init.He)] Tensor w1;
    [Param(nameof(hidden))] Tensor b1;
    [Param(nameof(hidden), Init = Init.Ones)] Tensor gamma;
    [Buffer(nameof(hidden))] Tensor runningMean;
    [Buffer(nameof(hidden), Init = Init.Ones)] Tensor runningVar;
    [Param(nameof(hidden), nameof(output), Init = Init.He)] Tensor w2;
    [Param(nameof(output))] Tensor b2;

    public Tensor Forward(Tensor x)
    {
        var y = MatMul(Relu(BatchNorm(MatMul(x, w1), gamma, b1, runningMean, runningVar)), w2) + b2;
        return reluOut ? Relu(y) : y;
    }

    public (Tensor w1, Tensor b1, Tensor gamma, Tensor w2, Tensor b2) Weights() => (w1, b1, gamma, w2, b2);

    /// <summary>θ ← decay·θ + (1 − decay)·θ' for every weight; decay 0 copies the other network.</summary>
    public Tensor Follow(Tensor w1Other, Tensor b1Other, Tensor gammaOther, Tensor w2Other, Tensor b2Other, float decay)
    {
        w1 = decay * w1 + (1f - decay) * w1Other;
        b1 = decay * b1 + (1f - decay) * b1Other;
        gamma = decay * gamma + (1f - decay) * gammaOther;
        w2 = decay * w2 + (1f - decay) * w2Other;
        b2 = decay * b2 + (1f - decay) * b2Other;
        return Sum(w1);
    }
}

/// <summary>
/// A random view of each MNIST digit, drawn inside the compiled program: a random zoom (each axis scaled by a factor in
/// [1 − <see cref="Zoom"/>, 1 + <see cref="Zoom"/>]) and shift (up to <see cref="MaxShift"/> pixels each way),
/// resampled bilinearly with zeros outside the digit; then a random contrast and brightness, a fraction of the pixels
/// masked, Gaussian pixel noise, clamped to [0, 1]. The warp is separable: two batched matrix products with each
/// output row's (column's) interpolation weights over the source rows (columns), max(0, 1 − |i − s|), so no step of
/// the augmentation runs on the host.
/// </summary>
[Module]
public partial class Augmentation
{
    public const int Side = 28, Pixels = Side * Side;
    public const float MaxShift = 3f, Zoom = 0.25f, Contrast = 0.4f, Brightness = 0.2f, Keep = 0.8f, Noise = 0.1f;

    /// <summary>
    /// [B, 28, 28] interpolation weights: output line r of image b reads the source at s = c + scale[b]·(r − c) − shift[b]
    /// (c the centre, 13.5), weight max(0, 1 − |i − s|) on source line i.
    /// </summary>
    public Tensor Lines([Shape("B")] Tensor scale, [Shape("B")] Tensor shift)
    {
        const float centre = (Side - 1) / 2f;
        var index = CumSum(Ones(Side), 0) - 1f;                                   // 0, 1, ..., 27
        var source = centre + Reshape(scale, scale.Shape[0], 1, 1) * (Reshape(index, 1, Side, 1) - centre) - Reshape(shift, scale.Shape[0], 1, 1);
        return Relu(1f - Abs(Reshape(index, 1, 1, Side) - source));
    }

    /// <summary>Image b zoomed by 1/scaleY[b], 1/scaleX[b] about its centre and moved down by dy[b], right by dx[b] pixels.</summary>
    public Tensor Warp([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor scaleY, [Shape("B")] Tensor dy, [Shape("B")] Tensor scaleX, [Shape("B")] Tensor dx)
    {
        var moved = MatMul(MatMul(Lines(scaleY, dy), Reshape(x, x.Shape[0], Side, Side)), Lines(scaleX, dx), transposeB: true);
        return Reshape(moved, x.Shape[0], Pixels);
    }

    public Tensor Between(Tensor u, float low, float high) => low + (high - low) * u;

    public Tensor View([Shape("B", Pixels)] Tensor x)
    {
        var n = x.Shape[0];
        var moved = Warp(x, Between(Uniform(n), 1f - Zoom, 1f + Zoom), Between(Uniform(n), -MaxShift, MaxShift),
            Between(Uniform(n), 1f - Zoom, 1f + Zoom), Between(Uniform(n), -MaxShift, MaxShift));
        var mean = Mean(moved, 1, keepDims: true);
        var jittered = (moved - mean) * Between(Uniform(n, 1), 1f - Contrast, 1f + Contrast) + mean + Between(Uniform(n, 1), -Brightness, Brightness);
        return Clamp(jittered * Bernoulli(Keep * Ones(n, Pixels)) + Noise * Normal(n, Pixels), 0f, 1f);
    }
}
