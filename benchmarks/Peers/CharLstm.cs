using GraphNet;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace Benchmarks.Peers;

/// <summary>
/// i_lstm.py's model: embedding 98 → 64, one library LSTM layer of 256 (batch first), linear 256 → 98, softmax
/// cross-entropy over every position. The sequence length is a run-time dim: the LSTM's loop is one scan, and the
/// backward pass a reverse scan over the saved residuals.
/// </summary>
[Model]
public sealed partial class CharLstm
{
    public const int Vocab = 98, Embed = 64, Hidden = 256, T = 64;

    GraphNet.Layers.Embedding emb = new(Vocab, Embed);
    Lstm lstm = new(Embed, Hidden);
    Linear @out = new(Hidden, Vocab);

    public Tensor Loss([Shape("B", "T")] Tensor ids, [Shape("B", "T")] Tensor next)
    {
        var (h, _, _) = lstm.Forward(emb.Forward(ids));
        return SoftmaxCrossEntropy(@out.Forward(h), next).Mean();
    }

    [Train(nameof(Loss))] public partial float Step(Tensor ids, Tensor next, Optimizer optimizer);
}
