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
}
