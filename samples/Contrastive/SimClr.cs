using GraphNet;
using static GraphNet.Ops;

namespace Samples.Contrastive;

/// <summary>
/// SimCLR (Chen et al. 2020): an encoder 784 → 256 → 128 (ReLU) and a projection head 128 → 128 → 64 (<see cref="Mlp"/>,
/// batch norm on the hidden layers; the probe reads the encoder's 128 features); two random
/// views of each image in the batch (<see cref="Augmentation.View"/>, drawn in the step); the NT-Xent loss over the 2B
/// views: cosine similarities of the L2-normalized projections divided by a temperature, each view's other view the
/// positive, the other 2B − 2 views the negatives, the view itself masked out.
/// </summary>
[Model]
public sealed partial class SimClr
{
    public const int Pixels = Augmentation.Pixels, Hidden = 256, Features = 128, Projection = 64;
    public const float Temperature = 0.2f;

    // the encoder comes first in every model of this sample: the same seed gives the same initial encoder
    Mlp encoder = new(Pixels, Hidden, Features, true);
    Mlp projector = new(Features, Features, Projection, false);
    Augmentation augment = new();

    public Tensor Represent([Shape("B", Pixels)] Tensor x) => encoder.Forward(x);

    public Tensor Project([Shape("B", Pixels)] Tensor x) => projector.Forward(encoder.Forward(x));

    public Tensor Unit([Shape("B", Projection)] Tensor z) => z / Sqrt(Sum(z * z, 1, keepDims: true) + 1e-12f);

    /// <summary>The NT-Xent loss of two batches of projections, row i of each the two views of image i.</summary>
    public Tensor NtXent([Shape("B", Projection)] Tensor z1, [Shape("B", Projection)] Tensor z2)
    {
        var (u1, u2) = (Unit(z1), Unit(z2));
        var u = Concat(new[] { u1, u2 }, 0);                                           // [2B, P]
        var logits = MatMul(u, u, transposeB: true) / Temperature - 1e9f * Eye(u.Shape[0]); // self-similarity masked
        // mean over the 2B rows of −log softmax at the positive; each pair's similarity is the positive of two rows
        return Mean(LogSumExp(logits, -1)) - Mean(Sum(u1 * u2, 1)) / Temperature;
    }

    public Tensor PairLoss([Shape("B", Pixels)] Tensor view1, [Shape("B", Pixels)] Tensor view2) => NtXent(Project(view1), Project(view2));

    public Tensor Loss([Shape("B", Pixels)] Tensor x) => PairLoss(augment.View(x), augment.View(x));

    public (Tensor view1, Tensor view2) Views([Shape("B", Pixels)] Tensor x) => (augment.View(x), augment.View(x));

    public Tensor Resample([Shape("B", Pixels)] Tensor x, [Shape("B")] Tensor scaleY, [Shape("B")] Tensor dy, [Shape("B")] Tensor scaleX, [Shape("B")] Tensor dx) =>
        augment.Warp(x, scaleY, dy, scaleX, dx);

    [Train(nameof(Loss))] public partial float Step(Tensor x, Optimizer optimizer);
    [Compile(nameof(Represent))] public partial Tensor Encode(Tensor x);
    [Compile(nameof(Project))] public partial Tensor Projections(Tensor x);
    [Compile(nameof(PairLoss))] public partial Tensor ContrastiveLoss(Tensor view1, Tensor view2);
    [Compile(nameof(Views))] public partial (Tensor view1, Tensor view2) Augment(Tensor x);
    [Compile(nameof(Resample))] public partial Tensor Warp(Tensor x, Tensor scaleY, Tensor dy, Tensor scaleX, Tensor dx);
}
