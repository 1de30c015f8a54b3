using System;
using System.IO;
using System.Linq;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>Models built from modules: hierarchical names, checkpoints, sub-tree training, gradients, eager equality, the new spec language.</summary>
public class ModuleTests
{
    private static Tensor Random(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        new Rng((ulong)seed, 3).FillNormal(t.Data, 0, 1);
        return t;
    }

    private static Tensor Ids(int seed, int b, int t, int vocab)
    {
        var rng = new Rng((ulong)seed, 4);
        return Tensor.FromArray(Enumerable.Range(0, b * t).Select(i => (float)(rng.Bits((ulong)i) % (ulong)vocab)).ToArray(), b, t);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected.Data[i] - actual.Data[i]) <= tol * (1 + Math.Abs(expected.Data[i])), $"at {i}: expected {expected.Data[i]}, got {actual.Data[i]}");
    }

    [Fact]
    public void Parameters_have_hierarchical_names_in_state_dict_order()
    {
        var m = new ModuleGpt(seed: 1);
        var names = m.Parameters.Select(p => p.Name).ToList();
        Assert.Equal("positions", names[0]);
        Assert.Equal("tokens.weight", names[1]);
        Assert.Contains("blocks.0.norm1.weight", names);
        Assert.Contains("blocks.11.self_attn.in_proj_weight", names);
        Assert.Contains("blocks.11.self_attn.out_proj.bias", names);
        Assert.Contains("blocks.3.linear2.weight", names);
        Assert.Equal("head.bias", names[^1]);
        Assert.Equal(names.Count, names.Distinct().Count());
        // PyTorch layouts: Linear.weight is [out, in], in_proj_weight [3d, d].
        Assert.Equal(new[] { ModuleGpt.Hidden, ModuleGpt.D }, m.Parameters["blocks.0.linear1.weight"].Value.Shape);
        Assert.Equal(new[] { 3 * ModuleGpt.D, ModuleGpt.D }, m.Parameters["blocks.0.self_attn.in_proj_weight"].Value.Shape);
        Assert.Equal(12, m.Parameters.Under("blocks.3").Count);
        Assert.Equal(12 * 12, m.Parameters.Under("blocks").Count);
        Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => m.Parameters.Under("block"));
    }

    [Fact]
    public void Library_initialization_follows_pytorch_bounds()
    {
        var m = new ModuleGpt(seed: 2);
        var w = m.Parameters["blocks.0.linear1.weight"].Value.Data;
        var b = m.Parameters["blocks.0.linear2.bias"].Value.Data;
        double bw = 1 / Math.Sqrt(ModuleGpt.D), bb = 1 / Math.Sqrt(ModuleGpt.Hidden);
        Assert.All(w, v => Assert.InRange(Math.Abs(v), 0, bw));
        Assert.All(b, v => Assert.InRange(Math.Abs(v), 0, bb));
        Assert.True(w.Max() > 0.7 * bw && b.Select(Math.Abs).Max() > 0.5 * bb, "U(±1/√fanIn) should fill most of its range");
        Assert.All(m.Parameters["blocks.0.norm1.weight"].Value.Data, v => Assert.Equal(1f, v));
        Assert.All(m.Parameters["blocks.0.self_attn.in_proj_bias"].Value.Data, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Compiled_forward_equals_the_eager_spec_methods_running_on_the_bound_modules()
    {
        var m = new ModuleGpt(seed: 3);
        var ids = Ids(1, 3, ModuleGpt.Context, ModuleGpt.Vocab);
        AssertClose(m.Logits(ids), m.Predict(ids), 1e-4);
    }

    [Fact]
    public void Twelve_block_gpt_gradients_match_finite_differences()
    {
        var m = new ModuleGpt(seed: 4);
        var ids = Ids(2, 2, ModuleGpt.Context, ModuleGpt.Vocab);
        var next = Ids(3, 2, ModuleGpt.Context, ModuleGpt.Vocab);
        float loss = m.LossAndGradients(ids, next);
        Assert.Equal((double)m.Loss(ids, next).Data[0], loss, 4);
        EndToEndTests.CheckGradients(m.Parameters, () => m.LossAndGradients(ids, next), 1e-3);
    }

    [Fact]
    public void Checkpoints_round_trip_with_hierarchical_names()
    {
        var a = new ModuleGpt(seed: 5);
        var path = Path.Combine(Path.GetTempPath(), $"graphnet-modules-{Guid.NewGuid():N}.safetensors");
        try
        {
            a.Save(path);
            var stored = Checkpoint.Read(path).Tensors;
            Assert.Contains("blocks.7.self_attn.out_proj.weight", stored.Keys);
            var b = new ModuleGpt(seed: 6);
            Assert.NotEqual(a.Parameters["blocks.7.linear1.weight"].Value.Data, b.Parameters["blocks.7.linear1.weight"].Value.Data);
            b.Load(path);
            foreach (var p in a.Parameters) Assert.Equal(p.Value.Data, b.Parameters[p.Name].Value.Data);
            var ids = Ids(7, 2, ModuleGpt.Context, ModuleGpt.Vocab);
            Assert.Equal(a.Predict(ids).Data, b.Predict(ids).Data);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_parameter_subtree_trains_alone()
    {
        var m = new ModuleGpt(seed: 8);
        var ids = Ids(9, 4, ModuleGpt.Context, ModuleGpt.Vocab);
        var next = Ids(10, 4, ModuleGpt.Context, ModuleGpt.Vocab);
        var head = m.Parameters.Under("head");
        var frozen = m.Parameters.Where(p => !p.Name.StartsWith("head.", StringComparison.Ordinal)).Select(p => (p.Name, p.Value.ToArray())).ToList();
        var before = head.Select(p => p.Value.ToArray()).ToList();
        var opt = new Adam(1e-2f);
        float first = m.LossAndGradients(ids, next), last = first;
        for (int i = 0; i < 30; i++)
        {
            last = m.LossAndGradients(ids, next);
            opt.Step(head);
        }
        Assert.True(last < first * 0.9, $"loss {first} -> {last}");
        foreach (var (name, values) in frozen) Assert.Equal(values, m.Parameters[name].Value.Data);
        Assert.Contains(head.Select((p, i) => (p, i)), x => !x.p.Value.Data.SequenceEqual(before[x.i]));
    }

    [Fact]
    public void Unrolled_lstm_tuple_entry_equals_eager_and_its_gradients_match_finite_differences()
    {
        var m = new UnrolledLstm(seed: 1);
        var x = Random(1, 3, UnrolledLstm.Steps, UnrolledLstm.Input);
        var h0 = Random(2, 3, UnrolledLstm.Hidden);
        var y = Tensor.FromArray(new float[] { 0, 1, 1 }, 3);
        var (logits, h) = m.Forward(x, h0);
        var (eagerLogits, eagerH) = m.Run(x, h0);
        AssertClose(eagerLogits, logits, 1e-5);
        AssertClose(eagerH, h, 1e-5);
        Assert.Equal(new[] { 3, UnrolledLstm.Classes }, logits.Shape);
        Assert.Contains("cell.x2h.weight", m.Parameters.Select(p => p.Name));
        m.LossAndGradients(x, h0, y);
        EndToEndTests.CheckGradients(m.Parameters, () => m.LossAndGradients(x, h0, y), 1e-3);
    }

    [Fact]
    public void Scalar_arguments_reach_the_kernels_at_run_time()
    {
        var m = new UnrolledLstm(seed: 1);
        var z = Random(3, 4, UnrolledLstm.Classes);
        foreach (var (t, s) in new[] { (1f, 0), (0.25f, 2), (4f, -1) })
            AssertClose(m.Tempered(z, t, s), m.Temper(z, t, s), 1e-5);
        var sharp = m.Temper(z, 0.05f, 0).Data;
        Assert.Contains(sharp, v => v > 0.99f);
    }

    [Fact]
    public void Clamp_and_float_comparisons_compile_like_their_eager_forms()
    {
        var m = new UnrolledLstm(seed: 1);
        var z = Random(4, 5, UnrolledLstm.Classes);
        var clipped = m.Clip(z);
        AssertClose(m.Clipped(z), clipped, 0);
        Assert.All(clipped.Data, v => Assert.InRange(v, 0f, 0.5f));
    }

    [Fact]
    public void Kernels_with_many_inputs_from_modules_compile_and_match_eager()
    {
        var m = new WideModules(seed: 2);
        var x = Random(6, 4, WideModules.N);
        AssertClose(m.Wide(x), m.RunWide(x), 1e-5);
        AssertClose(m.Reused(x), m.RunReused(x), 1e-5);
        var joined = m.RunJoined(x);
        Assert.Equal(new[] { 4, 20 * WideModules.N }, joined.Shape);
        AssertClose(m.Joined(x), joined, 1e-6);
        Assert.Equal(41, m.Parameters.Count);
        m.TotalAndGradients(x);
        EndToEndTests.CheckGradients(m.Parameters, () => m.TotalAndGradients(x), 1e-3);
    }

    [Fact]
    public void Parameter_groups_select_sub_modules_by_path()
    {
        var m = new ModuleGpt(seed: 11);
        var (select, _) = ParameterGroups.Under("blocks.1", new Adam());
        var chosen = m.Parameters.Where(select).Select(p => p.Name).ToList();
        Assert.Equal(m.Parameters.Under("blocks.1").Select(p => p.Name), chosen);
        Assert.Equal(12, chosen.Count);
        Assert.DoesNotContain(chosen, n => n.StartsWith("blocks.10", StringComparison.Ordinal) || n.StartsWith("blocks.11", StringComparison.Ordinal));
        var ids = Ids(12, 4, ModuleGpt.Context, ModuleGpt.Vocab);
        var next = Ids(13, 4, ModuleGpt.Context, ModuleGpt.Vocab);
        var opt = new ParameterGroups(ParameterGroups.Under("head", new Adam(3e-2f)), (_ => true, new Adam(3e-3f)));
        float first = m.Step(ids, next, opt), last = first;
        for (int i = 0; i < 20; i++) last = m.Step(ids, next, opt);
        Assert.True(last < first * 0.9, $"loss {first} -> {last}");
    }
}
