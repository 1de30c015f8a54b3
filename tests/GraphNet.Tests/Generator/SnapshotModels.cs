namespace GraphNet.Tests.Generator;

/// <summary>Representative models whose generated code is snapshot-tested.</summary>
public static class SnapshotModels
{
    public const string LinearRegression = GeneratorHarness.Usings + """
        namespace Snapshots;

        [Model]
        public partial class LinearRegression
        {
            [Param(8)] Tensor w;
            [Param(1)] Tensor b;

            Tensor Predict([Shape("N", 8)] Tensor x) => MatMul(x, w) + b;

            Tensor Loss([Shape("N", 8)] Tensor x, [Shape("N")] Tensor y) => Mse(Predict(x), y);

            [Compile(nameof(Predict))] public partial Tensor Forward(Tensor x);
            [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor y);
        }
        """;

    public const string LogisticRegression = GeneratorHarness.Usings + """
        namespace Snapshots;

        [Model]
        public partial class LogisticRegression
        {
            [Param(30)] Tensor w;
            [Param(1)] Tensor b;

            Tensor Logits([Shape("N", 30)] Tensor x) => MatMul(x, w) + b;

            Tensor Loss([Shape("N", 30)] Tensor x, [Shape("N")] Tensor y) => BinaryCrossEntropyWithLogits(Logits(x), y).Mean();

            [Compile(nameof(Logits))] public partial Tensor Forward(Tensor x);
            [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor y);
            [Gradient(nameof(Loss), "x")] public partial Tensor InputGradient(Tensor x, Tensor y);
            [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
            [HessianVectorProduct(nameof(Loss))] public partial Tensor Hvp(Tensor x, Tensor y, Tensor v);
            [Hessian(nameof(Loss))] public partial Tensor Hessian(Tensor x, Tensor y);
        }
        """;

    public const string Mlp = GeneratorHarness.Usings + """
        namespace Snapshots;

        [Model]
        public sealed partial class Mlp
        {
            [Param(784, 256, Init = Init.He)] Tensor w1;
            [Param(256)] Tensor b1;
            [Param(256, 256, Init = Init.He)] Tensor w2;
            [Param(256)] Tensor b2;
            [Param(256, 10)] Tensor w3;
            [Param(10)] Tensor b3;

            Tensor Logits([Shape("B", 784)] Tensor x)
            {
                var h1 = Relu(MatMul(x, w1) + b1);
                var h2 = Relu(MatMul(h1, w2) + b2);
                return MatMul(h2, w3) + b3;
            }

            Tensor Loss([Shape("B", 784)] Tensor x, [Shape("B")] Tensor label) => SoftmaxCrossEntropy(Logits(x), label).Mean();

            [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
            [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor x, Tensor label);
        }
        """;

    /// <summary>Convolution (window, unwindow), batch norm with buffers, max pooling, dropout (random), average pooling.</summary>
    public const string ConvNet = GeneratorHarness.Usings + """
        namespace Snapshots;

        [Model]
        public sealed partial class ConvNet
        {
            [Param(4, 1, 3, 3, Init = Init.He)] Tensor conv;
            [Param(4)] Tensor convb;
            [Param(4, Init = Init.Ones)] Tensor gamma;
            [Param(4)] Tensor beta;
            [Buffer(4)] Tensor mean;
            [Buffer(4, Init = Init.Ones)] Tensor variance;
            [Param(4, 10)] Tensor fc;

            Tensor Logits([Shape("B", 1, 8, 8)] Tensor x)
            {
                var h = Relu(BatchNorm(Conv2d(x, conv, convb, 1, "same"), gamma, beta, mean, variance));
                var pooled = AvgPool2d(MaxPool2d(h, 3, 2, 1), 4);
                return MatMul(Dropout(Reshape(pooled, x.Shape[0], 4), 0.25f), fc);
            }

            Tensor Loss([Shape("B", 1, 8, 8)] Tensor x, [Shape("B")] Tensor label) => SoftmaxCrossEntropy(Logits(x), label).Mean();

            [Compile(nameof(Logits))] public partial Tensor Predict(Tensor x);
            [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor label, Optimizer optimizer);
        }
        """;

    /// <summary>Embedding (gather, scatter-add), split (slice, pad), causal attention, sinusoidal positions (sin, cos), GELU, layer norm.</summary>
    public const string Decoder = GeneratorHarness.Usings + """
        namespace Snapshots;

        [Model]
        public sealed partial class Decoder
        {
            [Param(12, 8, Init = Init.Normal)] Tensor tokens;
            [Param(8, Init = Init.Ones)] Tensor g;
            [Param(8)] Tensor b;
            [Param(8, 24)] Tensor qkv;
            [Param(8, 12)] Tensor head;

            Tensor Logits([Shape("B", 5)] Tensor ids)
            {
                var x = Embedding(tokens, ids) + SinusoidalPositions(5, 8);
                var parts = Chunk(MatMul(LayerNorm(x, g, b), qkv), 3, 2);
                var h = x + Gelu(MultiHeadAttention(parts[0], parts[1], parts[2], 2, true));
                return MatMul(h, head);
            }

            Tensor Loss([Shape("B", 5)] Tensor ids, [Shape("B", 5)] Tensor next) => SoftmaxCrossEntropy(Logits(ids), next).Mean();

            [Gradients(nameof(Loss))] public partial float LossAndGradients(Tensor ids, Tensor next);
        }
        """;

    /// <summary>An LSTM language model over a run-time length: a forward scan saving residuals, the reverse scan of backprop through time, the recurrent weight packed once per loop, hoisted weight gradients.</summary>
    public const string Recurrent = GeneratorHarness.Usings + """
        using GraphNet.Layers;

        namespace Snapshots;

        [Model]
        public partial class Recurrent
        {
            const int Vocab = 7, Width = 8, Hidden = 6;

            Embedding tokens = new(Vocab, Width);
            Lstm lstm = new(Width, Hidden);
            Linear head = new(Hidden, Vocab);

            Tensor Loss([Shape("B", "T")] Tensor ids, [Shape("B", "T")] Tensor next)
            {
                var (output, _, _) = lstm.Forward(tokens.Forward(ids));
                return SoftmaxCrossEntropy(head.Forward(output), next).Mean();
            }

            [Train(nameof(Loss))] public partial float Step(Tensor ids, Tensor next, Optimizer optimizer);
        }
        """;

    public const string TinyTransformer = GeneratorHarness.Usings + """
        using GraphNet.Layers;

        namespace Snapshots;

        [Model]
        public partial class TinyTransformer
        {
            const int Vocab = 7, Context = 4, Width = 8;

            Embedding tokens = new(Vocab, Width);
            TransformerBlock[] blocks = Modules.Repeat(2, () => new TransformerBlock(Width, heads: 2, hidden: 16, causal: true));
            Linear head = new(Width, Vocab);

            Tensor Logits([Shape("B", Context)] Tensor ids)
            {
                var x = tokens.Forward(ids);
                foreach (var block in blocks) x = block.Forward(x);
                return head.Forward(x);
            }

            [Compile(nameof(Logits))] public partial Tensor Predict(Tensor ids);
        }
        """;
}
