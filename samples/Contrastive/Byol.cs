using GraphNet;
using static GraphNet.Ops;

namespace Samples.Contrastive;

/// <summary>
/// BYOL (Grill et al. 2020): an online network (encoder, projector, predictor) learns to predict, from one view, the
/// target network's projection of the other view; the target (encoder, projector of the same shapes) is not trained
/// but follows the online weights as an exponential moving average, a compiled update after every step
/// (<c>Then = nameof(UpdateTarget)</c>). The step trains only the online parameters (<c>Parameters = ...</c>), so no
/// gradient reaches the target. Loss: 2 − 2·cos(q(v1), z'(v2)) + 2 − 2·cos(q(v2), z'(v1)), averaged over the batch.
/// </summary>
[Model]
public sealed partial class Byol
{
    public const int Pixels = SimClr.Pixels, Hidden = SimClr.Hidden, Features = SimClr.Features, Projection = SimClr.Projection;
    public const float Decay = 0.99f;

    Mlp encoder = new(Pixels, Hidden, Features, true);
    Mlp projector = new(Features, Features, Projection, false);
    Mlp predictor = new(Projection, Features, Projection, false);
    Mlp targetEncoder = new(Pixels, Hidden, Features, true);
    Mlp targetProjector = new(Features, Features, Projection, false);
    Augmentation augment = new();

    public Tensor Represent([Shape("B", Pixels)] Tensor x) => encoder.Forward(x);

    public Tensor Predict([Shape("B", Pixels)] Tensor x) => predictor.Forward(projector.Forward(encoder.Forward(x)));

    public Tensor Target([Shape("B", Pixels)] Tensor x) => StopGradient(targetProjector.Forward(targetEncoder.Forward(x)));

    /// <summary>2 − 2·cos per row.</summary>
    public Tensor Distance([Shape("B", Projection)] Tensor p, [Shape("B", Projection)] Tensor z) =>
        2f - 2f * Sum(p * z, 1) / Sqrt((Sum(p * p, 1) + 1e-12f) * (Sum(z * z, 1) + 1e-12f));

    public Tensor PairLoss([Shape("B", Pixels)] Tensor view1, [Shape("B", Pixels)] Tensor view2) =>
        Mean(Distance(Predict(view1), Target(view2)) + Distance(Predict(view2), Target(view1)));

    public Tensor Loss([Shape("B", Pixels)] Tensor x) => PairLoss(augment.View(x), augment.View(x));

    /// <summary>The target's weights ← Decay·target + (1 − Decay)·online, after each step.</summary>
    public Tensor UpdateTarget() => Follow(Decay);

    /// <summary>The target set to a copy of the online network (before training, as BYOL starts).</summary>
    public Tensor CopyOnline() => Follow(0f);

    public Tensor Follow(float decay)
    {
        var (ew1, eb1, eg, ew2, eb2) = encoder.Weights();
        var (pw1, pb1, pg, pw2, pb2) = projector.Weights();
        return targetEncoder.Follow(ew1, eb1, eg, ew2, eb2, decay) + targetProjector.Follow(pw1, pb1, pg, pw2, pb2, decay);
    }

    [Train(nameof(Loss), Parameters = "encoder, projector, predictor", Then = nameof(UpdateTarget))]
    public partial float Step(Tensor x, Optimizer optimizer);
    [Update(nameof(CopyOnline))] public partial Tensor SyncTarget();
    [Compile(nameof(Represent))] public partial Tensor Encode(Tensor x);
    [Compile(nameof(PairLoss))] public partial Tensor ContrastiveLoss(Tensor view1, Tensor view2);
}
