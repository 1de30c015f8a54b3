using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace GraphNet.Models.Tests;

/// <summary>
/// ONNX export: each model's entry is written with ExportOnnx, run by ONNX Runtime at two batch sizes (one file: its
/// batch and sequence axes are dynamic) and compared with the entry's own results; the largest difference is asserted
/// at 1e-4 of the largest value (1e-4 absolute below 1) and printed.
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    /// <summary>Exports <paramref name="entry"/>, then for each input set compares ONNX Runtime's outputs with <paramref name="run"/>'s; returns the largest difference per set.</summary>
    private double[] Check(IModel model, string entry, string[] names, Func<object[], Tensor[]> run, params object[][] inputs)
    {
        var path = Path.Combine(Path.GetTempPath(), $"graphnet-onnx-{Guid.NewGuid():N}", entry + ".onnx");
        try
        {
            model.ExportOnnx(path, entry);
            using var session = new InferenceSession(path);
            Assert.Equal(names, session.InputMetadata.Keys);
            var worst = new double[inputs.Length];
            for (int s = 0; s < inputs.Length; s++)
            {
                var expected = run(inputs[s]);
                using var results = session.Run(names.Select((n, i) => Feed(n, inputs[s][i])).ToList());
                for (int k = 0; k < expected.Length; k++)
                {
                    var name = expected.Length == 1 ? entry : $"{entry}.{k}";
                    var got = results.Single(r => r.Name == name).AsTensor<float>();
                    Assert.Equal(expected[k].Shape, got.Dimensions.ToArray());
                    var want = expected[k].Data;
                    var values = got.ToArray();
                    double diff = want.Select((w, i) => Math.Abs(w - values[i])).DefaultIfEmpty(0).Max();
                    double scale = Math.Max(1, want.Select(w => Math.Abs((double)w)).DefaultIfEmpty(0).Max());
                    Assert.True(diff <= 1e-4 * scale, $"{entry} output {name}, inputs {s}: largest difference {diff:G3} (largest value {scale:G3})");
                    worst[s] = Math.Max(worst[s], diff);
                }
                output.WriteLine($"{model.GetType().Name}.{entry} {Describe(inputs[s])}: largest difference {worst[s]:G3}");
            }
            return worst;
        }
        finally
        {
            if (Directory.Exists(Path.GetDirectoryName(path))) Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static NamedOnnxValue Feed(string name, object value) => value switch
    {
        Tensor t => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(t.Data, t.Shape)),
        int i => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(new[] { (long)i }, Array.Empty<int>())),
        float f => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(new[] { f }, Array.Empty<int>())),
        _ => throw new ArgumentException(value.GetType().Name),
    };

    private static string Describe(object[] inputs) => string.Join(" ", inputs.Select(i => i is Tensor t ? Tensor.Format(t.Shape) : i.ToString()));

    private static Tensor Uniform(int seed, float scale, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Data.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return t;
    }

    private static Tensor Pixels(int seed, int batch) { var t = Uniform(seed, 1, batch, 784); for (int i = 0; i < t.Data.Length; i++) t.Data[i] = Math.Abs(t.Data[i]); return t; }

    private static Tensor Ids(int seed, int vocab, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Data.Length; i++) t.Data[i] = rng.Next(vocab);
        return t;
    }

    /// <summary>An MNIST classifier's Predict over [B, 784] pixels in [0, 1], at two batch sizes.</summary>
    private void CheckPixels(IModel model, Func<Tensor, Tensor> predict, int small, int large) =>
        Check(model, "Predict", ["x"], i => [predict((Tensor)i[0])], [Pixels(1, small)], [Pixels(2, large)]);

    [Fact]
    public void Mlp_matches_OnnxRuntime_at_two_batch_sizes() { var m = new Samples.MnistMlp.Mlp(seed: 1); CheckPixels(m, m.Predict, 1, 7); }

    [Fact]
    public void LeNet5_matches_OnnxRuntime_at_two_batch_sizes() { var m = new Samples.LeNet5.LeNet(seed: 1); CheckPixels(m, m.Predict, 2, 5); }

    [Fact]
    public void RowLstm_matches_OnnxRuntime_at_two_batch_sizes() { var m = new Samples.MnistLstm.RowLstm(seed: 1); CheckPixels(m, m.Predict, 1, 6); }

    [Fact]
    public void ResNet_with_trained_batch_statistics_matches_OnnxRuntime_at_two_batch_sizes()
    {
        var model = new Samples.ResNet.ResNet(seed: 1);
        model.Step(Pixels(3, 8), Ids(3, 10, 8), new Sgd(0.05f)); // running statistics and weights away from their initial values
        CheckPixels(model, model.Predict, 1, 4);
    }

    [Fact]
    public void Gpt_matches_OnnxRuntime_at_two_batch_sizes()
    {
        var model = new Samples.CharGpt.Gpt(seed: 1);
        int t = Samples.CharGpt.Gpt.Context, v = Samples.CharGpt.Gpt.Vocab;
        Check(model, nameof(model.Predict), ["ids"], i => [model.Predict((Tensor)i[0])], [Ids(1, v, 1, t)], [Ids(2, v, 3, t)]);
    }

    [Fact]
    public void CharLstm_loss_matches_OnnxRuntime_over_batch_and_sequence_lengths()
    {
        var model = new Samples.CharLstm.CharLstm(seed: 1);
        int v = Samples.CharLstm.CharLstm.Vocab;
        Check(model, nameof(model.Evaluate), ["ids", "next"], i => [model.Evaluate((Tensor)i[0], (Tensor)i[1])],
            [Ids(1, v, 2, 5), Ids(2, v, 2, 5)], [Ids(3, v, 4, 11), Ids(4, v, 4, 11)]);
    }

    [Fact]
    public void Bidirectional_stacks_with_tuple_results_match_OnnxRuntime()
    {
        var model = new DeepRecurrent(seed: 1);
        Check(model, nameof(model.RunLstm), ["x", "h0", "c0"], i => { var (o, h, c) = model.RunLstm((Tensor)i[0], (Tensor)i[1], (Tensor)i[2]); return [o, h, c]; },
            [Uniform(1, 1, 2, 3, 3), Uniform(2, 1, 4, 2, 4), Uniform(3, 1, 4, 2, 4)], [Uniform(4, 1, 5, 7, 3), Uniform(5, 1, 4, 5, 4), Uniform(6, 1, 4, 5, 4)]);
        Check(model, nameof(model.RunGru), ["x", "h0"], i => { var (o, h) = model.RunGru((Tensor)i[0], (Tensor)i[1]); return [o, h]; },
            [Uniform(1, 1, 3, 2, 3), Uniform(2, 1, 4, 2, 4)], [Uniform(4, 1, 6, 5, 3), Uniform(5, 1, 4, 5, 4)]);
    }

    [Fact]
    public void Int_and_float_arguments_become_scalar_inputs()
    {
        var feedback = new FeedbackRnn(seed: 1);
        Check(feedback, nameof(feedback.Generate), ["x0", "steps"], i => [feedback.Generate((Tensor)i[0], (int)i[1])],
            [Uniform(1, 1, 2, FeedbackRnn.I), 3], [Uniform(2, 1, 5, FeedbackRnn.I), 8]);
        var lstm = new UnrolledLstm(seed: 1);
        Check(lstm, nameof(lstm.Temper), ["z", "temperature", "shift"], i => [lstm.Temper((Tensor)i[0], (float)i[1], (int)i[2])],
            [Uniform(1, 3, 2, UnrolledLstm.Classes), 0.5f, 2], [Uniform(2, 3, 6, UnrolledLstm.Classes), 2f, -1]);
        Check(lstm, nameof(lstm.Clip), ["z"], i => [lstm.Clip((Tensor)i[0])], [Uniform(1, 2, 3, UnrolledLstm.Classes)], [Uniform(2, 2, 9, UnrolledLstm.Classes)]);
    }

    [Fact]
    public void Parameters_and_buffers_are_initializers_under_their_hierarchical_names()
    {
        var model = new Samples.ResNet.ResNet(seed: 1);
        var bytes = model.ToOnnx(nameof(model.Predict));
        using var session = new InferenceSession(bytes);
        Assert.Equal(["x"], session.InputMetadata.Keys);
        Assert.Equal([-1, 784], session.InputMetadata["x"].Dimensions);
        Assert.Equal("B", session.InputMetadata["x"].SymbolicDimensions[0]);
        Assert.Equal(["Predict"], session.OutputMetadata.Keys);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        foreach (var name in model.Parameters.Select(p => p.Name).Concat(model.Buffers.Select(b => b.Key)))
            Assert.Contains(name, text);
        Assert.Contains("stages.1.projection.0.bn.running_mean", text);
    }

    [Fact]
    public void Random_draws_in_an_entry_are_a_clear_error_naming_the_op_and_the_entry()
    {
        var model = new Samples.CharLstm.CharLstm(seed: 1);
        var path = Path.Combine(Path.GetTempPath(), $"graphnet-onnx-{Guid.NewGuid():N}.onnx");
        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(path, nameof(model.Continue)));
        Assert.Contains("'Continue'", e.Message);
        Assert.Contains("'random'", e.Message);
        Assert.False(File.Exists(path));
        var conv = new TinyConvNet(seed: 1);
        Assert.Contains("'random'", Assert.Throws<NotSupportedException>(() => conv.ToOnnx(nameof(conv.PredictTraining))).Message);
        conv.ToOnnx(nameof(conv.Predict)); // the same model in inference mode has no draws
        var wrong = Assert.Throws<ArgumentException>(() => conv.ToOnnx(nameof(conv.Step)));
        Assert.Contains("FeaturesEval, FeaturesTrain, Predict, PredictTraining", wrong.Message);
    }
}
