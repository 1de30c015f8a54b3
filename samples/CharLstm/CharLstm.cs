using GraphNet;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace Samples.CharLstm;

/// <summary>
/// A character-level LSTM language model: an embedding, one LSTM cell run over the window (a scan over the
/// run-time length T, its input projection one GEMM outside the loop) and a linear head to next-character logits.
/// <see cref="Continue"/> generates text inside the compiled program: the loop over the generated characters is a
/// scan whose length is the entry's <c>int</c> argument, and each character is drawn from softmax(logits /
/// temperature) (<c>Categorical</c>, on the model's seeded stream) and fed back as the next input.
/// </summary>
[Model]
public sealed partial class CharLstm
{
    public const int Vocab = 98, Embed = 64, Hidden = 256; // Vocab: CharText's vocabulary, as Gpt.Vocab

    [Param(Vocab, Embed, Init = Init.StandardNormal)] Tensor embedding;
    LstmCell cell = new(Embed, Hidden);
    Linear head = new(Hidden, Vocab);

    /// <summary>Next-character logits [B, T, Vocab] for every position of ids [B, T].</summary>
    public Tensor Logits([Shape("B", "T")] Tensor ids)
    {
        var zeros = Zeros(ids.Shape[0], Hidden);
        var (output, _, _) = cell.Sequence(Embedding(embedding, ids), zeros, zeros, batchFirst: true, reverse: false);
        return head.Forward(output);
    }

    /// <summary>Mean cross-entropy (nats per character) of the next characters.</summary>
    public Tensor Loss([Shape("B", "T")] Tensor ids, [Shape("B", "T")] Tensor next) => SoftmaxCrossEntropy(Logits(ids), next).Mean();

    /// <summary>Reads <c>prompt</c> [B, P], then draws <c>length</c> characters from softmax(logits / temperature), each fed back as the next input: their ids [B, length].</summary>
    public Tensor Sample([Shape("B", "P")] Tensor prompt, int length, float temperature)
    {
        var zeros = Zeros(prompt.Shape[0], Hidden);
        var (_, h, c) = cell.Sequence(Embedding(embedding, prompt), zeros, zeros, batchFirst: true, reverse: false);
        var ids = new Tensor[length];
        for (int t = 0; t < length; t++)
        {
            var next = Categorical(head.Forward(h) / temperature);
            (h, c) = cell.Step(Embedding(embedding, next), h, c);
            ids[t] = next;
        }
        return Stack(ids, 1);
    }

    [Compile(nameof(Loss))] public partial Tensor Evaluate(Tensor ids, Tensor next);
    [Train(nameof(Loss))] public partial float Step(Tensor ids, Tensor next, Optimizer optimizer);
    [Compile(nameof(Sample))] public partial Tensor Continue(Tensor prompt, int length, float temperature);
}
