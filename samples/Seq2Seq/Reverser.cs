using GraphNet;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace Samples.Seq2Seq;

/// <summary>
/// An encoder-decoder with attention that learns to reverse digit strings. The encoder is a bidirectional GRU
/// over the source; the decoder is a GRU cell that, at every step, attends over the encoder's outputs with the
/// previous state (scores h·W·eₛ, softmax over source positions; Luong's "general" score), reads the previous token
/// and the context, and predicts the next token from its new state and the context. Both loops run over lengths
/// known only at run time: training reads the target through teacher forcing, and <see cref="Decode"/> decodes
/// greedily inside the compiled program, feeding each prediction back, for as many steps as its <c>int</c> argument.
/// </summary>
[Model]
public sealed partial class Reverser
{
    public const int Digits = 10, Start = 10, Tokens = 11, Embed = 32, Hidden = 128;

    [Param(Tokens, Embed, Init = Init.StandardNormal)] Tensor embedding;
    Gru encoder = new(Embed, Hidden, bidirectional: true);
    Linear bridge = new(2 * Hidden, Hidden);
    Linear keys = new(2 * Hidden, Hidden);
    GruCell decoder = new(Embed + 2 * Hidden, Hidden);
    Linear output = new(Hidden + 2 * Hidden, Tokens);

    /// <summary>The encoder's outputs [B, S, 2H], their attention keys [B, S, H] and the decoder's first state [B, H].</summary>
    public (Tensor values, Tensor keys, Tensor h) Encode(Tensor source)
    {
        var (values, last) = encoder.Forward(Embedding(embedding, source));
        var h = Tanh(bridge.Forward(Concat(new[] { Select(last, 0, 0), Select(last, 0, 1) }, -1)));
        return (values, keys.Forward(values), h);
    }

    /// <summary>One decoder step from the previous token's embedding x [B, E] and state h [B, H]: the new state and the next token's logits [B, Tokens].</summary>
    public (Tensor h, Tensor logits) Step(Tensor x, Tensor h, Tensor values, Tensor keys)
    {
        var scores = MatMul(Reshape(h, h.Shape[0], 1, Hidden), keys, transposeB: true);             // [B, 1, S]
        var context = Reshape(MatMul(Softmax(scores), values), h.Shape[0], 2 * Hidden);             // [B, 2H]
        var next = decoder.Step(Concat(new[] { x, context }, -1), h);
        return (next, output.Forward(Concat(new[] { next, context }, -1)));
    }

    /// <summary>Mean cross-entropy of the target [B, T] given the source [B, S] and the decoder's inputs [B, T] (the target shifted right after the start token).</summary>
    public Tensor Loss([Shape("B", "S")] Tensor source, [Shape("B", "T")] Tensor decoderInput, [Shape("B", "T")] Tensor target)
    {
        var (values, k, h) = Encode(source);
        var previous = Embedding(embedding, decoderInput);
        var logits = new Tensor[decoderInput.Shape[1]];
        for (int t = 0; t < decoderInput.Shape[1]; t++)
        {
            var (next, step) = Step(previous[.., t], h, values, k);
            h = next;
            logits[t] = step;
        }
        return SoftmaxCrossEntropy(Stack(logits, 1), target).Mean();
    }

    /// <summary>Greedy decoding of <c>length</c> tokens from the start token: the tokens [B, length], each fed back as the next input.</summary>
    public Tensor Greedy([Shape("B", "S")] Tensor source, int length)
    {
        var (values, k, h) = Encode(source);
        var x = Embedding(embedding, Zeros(source.Shape[0]) + Start);
        var tokens = new Tensor[length];
        for (int t = 0; t < length; t++)
        {
            var (next, logits) = Step(x, h, values, k);
            var token = ArgMax(logits, -1);
            x = Embedding(embedding, token);
            h = next;
            tokens[t] = token;
        }
        return Stack(tokens, 1);
    }

    [Train(nameof(Loss))] public partial float TrainStep(Tensor source, Tensor decoderInput, Tensor target, Optimizer optimizer);
    [Compile(nameof(Loss))] public partial Tensor Evaluate(Tensor source, Tensor decoderInput, Tensor target);
    [Compile(nameof(Greedy))] public partial Tensor Decode(Tensor source, int length);
}
