using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>Generated layer code in models: causality, permutation equivariance, batch norm modes and buffers, dropout.</summary>
public class LayerModelTests
{
    private static Tensor Random(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        new Rng((ulong)seed, 3).FillNormal(t.Data, 0, 1);
        return t;
    }

    private static Tensor Tokens(int seed, int b, int t)
    {
        var rng = new Rng((ulong)seed, 4);
        return Tensor.FromArray(Enumerable.Range(0, b * t).Select(i => (float)(rng.Bits((ulong)i) % TinyDecoder.Vocab)).ToArray(), b, t);
    }

    /// <summary>|expected − actual| within <paramref name="tol"/> relative to 1 + |expected| (not decimal rounding, which flips at boundaries).</summary>
    private static void Close(double expected, double actual, double tol) =>
        Assert.True(Math.Abs(expected - actual) <= tol * (1 + Math.Abs(expected)), $"expected {expected}, got {actual}");

    [Fact]
    public void Causal_decoder_output_at_t_does_not_change_when_later_tokens_change()
    {
        var model = new TinyDecoder(seed: 2);
        var ids = Tokens(1, 2, TinyDecoder.T);
        var before = model.Predict(ids).ToArray();
        int v = TinyDecoder.Vocab, t0 = 3;
        var changed = ids.Clone();
        for (int b = 0; b < 2; b++)
            for (int t = t0 + 1; t < TinyDecoder.T; t++) changed[b, t] = (changed[b, t] + 5) % v;
        var after = model.Predict(changed).ToArray();
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < TinyDecoder.T; t++)
                for (int k = 0; k < v; k++)
                {
                    int i = (b * TinyDecoder.T + t) * v + k;
                    if (t <= t0) Close(before[i], after[i], 1e-5);
                }
        // Positions after t0 saw different tokens: their outputs must differ, or the check above proves nothing.
        int late = (0 * TinyDecoder.T + TinyDecoder.T - 1) * v;
        Assert.Contains(Enumerable.Range(late, v), i => Math.Abs(before[i] - after[i]) > 1e-3);
    }

    [Fact]
    public void Self_attention_without_positions_is_permutation_equivariant()
    {
        var model = new TinyDecoder(seed: 3);
        int t = TinyDecoder.T, d = TinyDecoder.D;
        var x = Random(5, 1, t, d);
        var perm = new[] { 4, 0, 5, 2, 1, 3 };
        var permuted = new Tensor(1, t, d);
        for (int i = 0; i < t; i++) Array.Copy(x.Data, perm[i] * d, permuted.Data, i * d, d);
        var y = model.Encode(x).ToArray();
        var yp = model.Encode(permuted).ToArray();
        for (int i = 0; i < t; i++)
            for (int j = 0; j < d; j++) Close(y[perm[i] * d + j], yp[i * d + j], 1e-5);
    }

    [Fact]
    public void Batch_norm_training_updates_running_averages_and_evaluation_uses_them()
    {
        var model = new TinyConvNet(seed: 1);
        var x = Random(7, 5, 2, 6, 6);
        var buffers = ((IModel)model).Buffers;
        Assert.Equal(new[] { "mean", "variance" }, buffers.Select(b => b.Key));
        var evalBefore = model.FeaturesEval(x).ToArray();
        var train = model.FeaturesTrain(x).ToArray();
        // Training-mode output has per-channel batch mean 0 (gamma 1, beta 0).
        for (int c = 0; c < 4; c++)
        {
            double m = 0;
            for (int n = 0; n < 5; n++) for (int p = 0; p < 36; p++) m += train[(n * 4 + c) * 36 + p];
            Close(0, m / 180, 1e-4);
        }
        // The running statistics moved by momentum 0.25 toward the batch's mean and unbiased variance.
        var conv = Ops.Conv2d(x, model.Parameters["conv"].Value, null, 1, "same").ToArray();
        for (int c = 0; c < 4; c++)
        {
            var vals = Enumerable.Range(0, 5).SelectMany(n => Enumerable.Range(0, 36).Select(p => (double)conv[(n * 4 + c) * 36 + p])).ToArray();
            double mean = vals.Average(), unbiased = vals.Sum(v => (v - mean) * (v - mean)) / (vals.Length - 1);
            Close(0.25 * mean, buffers[0].Value.Data[c], 1e-4);
            Close(0.75 + 0.25 * unbiased, buffers[1].Value.Data[c], 1e-4);
        }
        // Evaluation mode reads the running statistics: now different from before the update, and from training mode.
        var evalAfter = model.FeaturesEval(x).ToArray();
        Assert.NotEqual(evalBefore, evalAfter);
        var expected = Ops.BatchNorm(Tensor.FromArray(conv, 5, 4, 6, 6), Tensor.Full(1, 4), Tensor.Zeros(4), buffers[0].Value, buffers[1].Value).ToArray();
        for (int i = 0; i < expected.Length; i++) Close(expected[i], evalAfter[i], 1e-4);
    }

    [Fact]
    public void Dropout_is_the_identity_in_evaluation_and_a_seeded_mask_in_training()
    {
        var a = new TinyConvNet(seed: 4);
        var x = Random(8, 64, 2, 6, 6);
        Assert.Equal(a.Predict(x).ToArray(), a.Predict(x).ToArray());
        var t1 = a.PredictTraining(x).ToArray();
        var t2 = a.PredictTraining(x).ToArray();
        Assert.NotEqual(t1, t2); // a new mask on every call
        var b = new TinyConvNet(seed: 4);
        Assert.Equal(t1, b.PredictTraining(x).ToArray()); // same seed, same first call: same mask
    }

    [Fact]
    public void Checkpoints_carry_buffers()
    {
        var model = new TinyConvNet(seed: 5);
        var opt = new Sgd(0.1f);
        model.Step(Random(9, 8, 2, 6, 6), Tensor.FromArray(new float[] { 0, 1, 2, 0, 1, 2, 0, 1 }, 8), opt);
        var path = Path.Combine(Path.GetTempPath(), $"graphnet-buffers-{Environment.ProcessId}.safetensors");
        try
        {
            model.Save(path);
            var (tensors, _) = Checkpoint.Read(path);
            Assert.Equal(((IModel)model).Buffers[1].Value.Data, tensors["variance"].Data);
            var fresh = new TinyConvNet(seed: 6);
            fresh.Load(path);
            Assert.Equal(((IModel)model).Buffers[0].Value.Data, ((IModel)fresh).Buffers[0].Value.Data);
            var x = Random(10, 3, 2, 6, 6);
            Assert.Equal(model.Predict(x).ToArray(), fresh.Predict(x).ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Decoder_gradients_match_finite_differences()
    {
        var model = new TinyDecoder(seed: 6);
        var ids = Tokens(2, 3, TinyDecoder.T);
        var next = Tokens(3, 3, TinyDecoder.T);
        // Embeddings start at N(0, 0.01²): scale them up so that a finite-difference step is small against them.
        foreach (var name in new[] { "tok", "pos" })
            for (int i = 0; i < model.Parameters[name].Value.Length; i++) model.Parameters[name].Value.Data[i] *= 50;
        model.LossAndGradients(ids, next);
        var failures = new System.Collections.Generic.List<string>();
        foreach (var p in model.Parameters)
        {
            var g = p.Grad.ToArray();
            for (int probe = 0; probe < 3; probe++)
            {
                int i = (probe * 7919 + 13) % p.Value.Length;
                float keep = p.Value.Data[i];
                const float eps = 2e-3f;
                p.Value.Data[i] = keep + eps; double up = model.LossAndGradients(ids, next);
                p.Value.Data[i] = keep - eps; double down = model.LossAndGradients(ids, next);
                p.Value.Data[i] = keep;
                double fd = (up - down) / (2 * eps);
                if (!(Math.Abs(fd - g[i]) < 2e-3 + 0.05 * Math.Abs(fd))) failures.Add($"{p.Name}[{i}]: analytic {g[i]}, finite difference {fd}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void A_pytorch_state_dict_loads_by_name_and_gives_pytorchs_outputs()
    {
        // data/torch_state_dict.safetensors: written by data/make_torch_state_dict.py with PyTorch 1.13 (weights, batch
        // norm running statistics after training batches, num_batches_tracked as I64, and inputs/outputs under "io.")
        string path = System.IO.Path.Combine(System.AppContext.BaseDirectory, "data", "torch_state_dict.safetensors");
        var io = Checkpoint.Read(path).Tensors;
        var model = new TorchMirror(seed: 1);
        var before = model.Logits(io["io.images"]);
        model.LoadPyTorch(path, ignore: name => name.StartsWith("io.", System.StringComparison.Ordinal));
        void Close(Tensor expected, Tensor actual)
        {
            Assert.Equal(expected.Shape, actual.Shape);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(System.Math.Abs(expected.Data[i] - actual.Data[i]) < 1e-4 * (1 + System.Math.Abs(expected.Data[i])), $"element {i}: PyTorch {expected.Data[i]}, GraphNet {actual.Data[i]}");
        }
        Close(io["io.logits"], model.Logits(io["io.images"]));
        Close(io["io.outputs"], model.Outputs(io["io.sequence"]));
        Assert.NotEqual(before.Data, model.Logits(io["io.images"]).Data);

        // the inputs are tensors the model does not have: strict loading names the first one and changes nothing
        var fresh = new TorchMirror(seed: 1);
        var error = Assert.Throws<System.IO.InvalidDataException>(() => fresh.LoadPyTorch(path));
        Assert.Contains("tensor 'io.", error.Message);
        Assert.Equal(before.Data, fresh.Logits(io["io.images"]).Data);
        fresh.LoadPyTorch(path, strict: false);
        Close(io["io.logits"], fresh.Logits(io["io.images"]));
    }

    [Fact]
    public void A_pytorch_state_dict_with_a_wrong_or_missing_tensor_is_an_error_naming_it()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "graphnet-torch-" + System.Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            var source = new TorchMirror(seed: 3);
            var tensors = source.Parameters.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Value)).Concat(source.Buffers).ToList();
            string Write(string file, IEnumerable<KeyValuePair<string, Tensor>> items)
            {
                string path = System.IO.Path.Combine(dir, file);
                Checkpoint.Write(path, items.ToList(), new SortedDictionary<string, string> { ["format"] = "pt" });
                return path;
            }
            var model = new TorchMirror(seed: 4);
            var wrong = Write("wrong.safetensors", tensors.Select(kv => kv.Key == "fc.weight" ? new KeyValuePair<string, Tensor>(kv.Key, new Tensor(144, 10)) : kv));
            var e1 = Assert.Throws<System.IO.InvalidDataException>(() => model.LoadPyTorch(wrong));
            Assert.Contains("tensor 'fc.weight' has shape [144, 10], expected [10, 144]", e1.Message);
            var missing = Write("missing.safetensors", tensors.Where(kv => kv.Key != "bn.running_var"));
            var e2 = Assert.Throws<System.IO.InvalidDataException>(() => model.LoadPyTorch(missing));
            Assert.Contains("no tensor 'bn.running_var'", e2.Message);
            Assert.NotEqual(source.Parameters["conv.weight"].Value.Data, model.Parameters["conv.weight"].Value.Data); // nothing changed
            model.LoadPyTorch(Write("right.safetensors", tensors));
            Assert.Equal(source.Parameters["conv.weight"].Value.Data, model.Parameters["conv.weight"].Value.Data);
        }
        finally
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }
}
