using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>The library's RNN, LSTM and GRU against double-precision references written from PyTorch's documented equations.</summary>
public class RecurrentTests
{
    internal static Tensor Random(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        new Rng((ulong)seed, 5).FillNormal(t.Data, 0, 1);
        return t;
    }

    private static double Sig(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>x·Wᵀ + b for row <paramref name="r"/> of x [B, n] and W [m, n]: m values.</summary>
    private static double[] Affine(Tensor x, int r, Tensor w, Tensor b)
    {
        int m = w.Shape[0], n = w.Shape[1];
        var y = new double[m];
        for (int j = 0; j < m; j++)
        {
            double s = b.Data[j];
            for (int k = 0; k < n; k++) s += (double)x.Data[r * n + k] * w.Data[j * n + k];
            y[j] = s;
        }
        return y;
    }

    private static (double[] H, double[] C) LstmReference(ParameterSet ps, string prefix, string suffix, Tensor x, int r, double[] h, double[] c)
    {
        int hidden = h.Length;
        var ht = Tensor.FromArray(h.Select(v => (float)v).ToArray(), 1, hidden);
        var gi = Affine(x, r, ps[prefix + "weight_ih" + suffix].Value, ps[prefix + "bias_ih" + suffix].Value);
        var gh = Affine(ht, 0, ps[prefix + "weight_hh" + suffix].Value, ps[prefix + "bias_hh" + suffix].Value);
        var hn = new double[hidden];
        var cn = new double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double i = Sig(gi[j] + gh[j]), f = Sig(gi[hidden + j] + gh[hidden + j]);
            double g = Math.Tanh(gi[2 * hidden + j] + gh[2 * hidden + j]), o = Sig(gi[3 * hidden + j] + gh[3 * hidden + j]);
            cn[j] = f * c[j] + i * g;
            hn[j] = o * Math.Tanh(cn[j]);
        }
        return (hn, cn);
    }

    private static double[] GruReference(ParameterSet ps, string prefix, string suffix, Tensor x, int r, double[] h)
    {
        int hidden = h.Length;
        var ht = Tensor.FromArray(h.Select(v => (float)v).ToArray(), 1, hidden);
        var gi = Affine(x, r, ps[prefix + "weight_ih" + suffix].Value, ps[prefix + "bias_ih" + suffix].Value);
        var gh = Affine(ht, 0, ps[prefix + "weight_hh" + suffix].Value, ps[prefix + "bias_hh" + suffix].Value);
        var hn = new double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double rr = Sig(gi[j] + gh[j]), z = Sig(gi[hidden + j] + gh[hidden + j]);
            double n = Math.Tanh(gi[2 * hidden + j] + rr * gh[2 * hidden + j]);
            hn[j] = (1 - z) * n + z * h[j];
        }
        return hn;
    }

    private static double[] At(Tensor t, int row) => t.Data.Skip(row * t.Shape[^1]).Take(t.Shape[^1]).Select(v => (double)v).ToArray();

    private static void Close(double[] expected, Tensor actual, int row, double tol)
    {
        var got = At(actual, row);
        for (int j = 0; j < expected.Length; j++)
            Assert.True(Math.Abs(expected[j] - got[j]) < tol, $"row {row}, unit {j}: expected {expected[j]}, got {got[j]}");
    }

    [Fact]
    public void Cells_match_pytorch_equations_in_double_precision()
    {
        var m = new RecurrentCells(seed: 3);
        const int b = 3;
        var x = Random(1, b, RecurrentCells.I);
        var h = Random(2, b, RecurrentCells.H);
        var c = Random(3, b, RecurrentCells.H);
        Assert.Equal(new[] { 4 * RecurrentCells.H, RecurrentCells.I }, m.Parameters["lstm.weight_ih"].Value.Shape);
        Assert.Equal(new[] { 3 * RecurrentCells.H, RecurrentCells.H }, m.Parameters["gru.weight_hh"].Value.Shape);
        double bound = 1 / Math.Sqrt(RecurrentCells.H);
        Assert.All(m.Parameters.Under("lstm").SelectMany(p => p.Value.Data), v => Assert.InRange(Math.Abs(v), 0, bound));
        var (hl, cl) = m.RunLstm(x, h, c);
        var hg = m.RunGru(x, h);
        var hr = m.RunRnn(x, h);
        for (int r = 0; r < b; r++)
        {
            var (eh, ec) = LstmReference(m.Parameters, "lstm.", "", x, r, At(h, r), At(c, r));
            Close(eh, hl, r, 1e-5);
            Close(ec, cl, r, 1e-5);
            Close(GruReference(m.Parameters, "gru.", "", x, r, At(h, r)), hg, r, 1e-5);
            var ht = Tensor.FromArray(At(h, r).Select(v => (float)v).ToArray(), 1, RecurrentCells.H);
            double[] Elman(string p, bool relu)
            {
                var a = Affine(x, r, m.Parameters[p + ".weight_ih"].Value, m.Parameters[p + ".bias_ih"].Value);
                var bh = Affine(ht, 0, m.Parameters[p + ".weight_hh"].Value, m.Parameters[p + ".bias_hh"].Value);
                return a.Select((v, j) => relu ? Math.Max(0, v + bh[j]) : Math.Tanh(v + bh[j])).ToArray();
            }
            Close(Elman("rnn", false).Zip(Elman("relu", true), (u, v) => u + v).ToArray(), hr, r, 1e-5);
        }
        // The eager spec methods agree with the compiled ones.
        Assert.Equal(m.GruStep(x, h).Data.Select(v => Math.Round(v, 5)), hg.Data.Select(v => Math.Round(v, 5)));
    }

    [Fact]
    public void Lstm_layer_unrolls_the_cell_over_the_sequence()
    {
        var m = new SequenceModel(seed: 4);
        const int b = 2;
        var x = Random(5, b, SequenceModel.T, SequenceModel.I);
        var h0 = Random(6, 1, b, SequenceModel.H);
        var c0 = Random(7, 1, b, SequenceModel.H);
        var (output, hT, cT) = m.RunEncode(x, h0, c0);
        Assert.Equal(new[] { b, SequenceModel.T, SequenceModel.H }, output.Shape);
        Assert.Equal(new[] { 4 * SequenceModel.H, SequenceModel.I }, m.Parameters["lstm.weight_ih_l0"].Value.Shape);
        for (int r = 0; r < b; r++)
        {
            double[] h = At(h0, r), c = At(c0, r);
            for (int t = 0; t < SequenceModel.T; t++)
            {
                var xt = Tensor.FromArray(x.Data.Skip((r * SequenceModel.T + t) * SequenceModel.I).Take(SequenceModel.I).ToArray(), 1, SequenceModel.I);
                (h, c) = LstmReference(m.Parameters, "lstm.", "_l0", xt, 0, h, c);
                Close(h, output, r * SequenceModel.T + t, 1e-5);
            }
            Close(h, hT, r, 1e-5);
            Close(c, cT, r, 1e-5);
        }
        var (eagerOutput, _, _) = m.Encode(x, h0, c0);
        Assert.All(eagerOutput.Data.Zip(output.Data), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-5));
    }

    [Fact]
    public void Stacked_lstm_and_gru_gradients_match_finite_differences_and_train()
    {
        var m = new SequenceModel(seed: 5);
        var x = Random(8, 4, SequenceModel.T, SequenceModel.I);
        var h0 = Random(9, 1, 4, SequenceModel.H);
        var y = Tensor.FromArray(new float[] { 0, 1, 1, 0 }, 4);
        m.LossAndGradients(x, h0, y);
        EndToEndTests.CheckGradients(m.Parameters, () => m.LossAndGradients(x, h0, y), 1e-3);
        var opt = new Adam(0.05f);
        float first = m.Step(x, h0, y, opt), last = first;
        for (int i = 0; i < 40; i++) last = m.Step(x, h0, y, opt);
        Assert.True(last < 0.5 * first, $"loss {first} -> {last}");
    }

    /// <summary>Loads data/recurrent_pytorch.json (written by make_recurrent_fixture.py with PyTorch 1.13).</summary>
    private static JsonElement Fixture(string layer)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "recurrent_pytorch.json")));
        return doc.RootElement.GetProperty(layer).Clone();
    }

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    private static Tensor Of(JsonElement e, params int[] shape) => Tensor.FromArray(Floats(e), shape);

    /// <summary>Copies PyTorch's state_dict into the layer's parameters by name and checks the names are exactly PyTorch's.</summary>
    private static void LoadStateDict(ParameterSet ps, string layer, JsonElement fixture)
    {
        var dict = fixture.GetProperty("state_dict");
        var ours = ps.Under(layer).Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var theirs = dict.EnumerateObject().Select(p => layer + "." + p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(theirs, ours);
        foreach (var p in dict.EnumerateObject())
        {
            var target = ps[layer + "." + p.Name].Value;
            Assert.Equal(p.Value.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray(), target.Shape);
            Floats(p.Value.GetProperty("data")).CopyTo(target.Data, 0);
        }
    }

    private static void Same(float[] expected, Tensor actual, int[] shape, double tol = 1e-5)
    {
        Assert.Equal(shape, actual.Shape);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual.Data[i]) < tol, $"element {i}: PyTorch {expected[i]}, GraphNet {actual.Data[i]}");
    }

    [Fact]
    public void Multi_layer_bidirectional_layers_match_pytorch_given_its_state_dict()
    {
        var m = new DeepRecurrent(seed: 1);
        const int H = DeepRecurrent.H;
        {
            var f = Fixture("lstm");
            LoadStateDict(m.Parameters, "lstm", f);
            int[] xs = f.GetProperty("x_shape").EnumerateArray().Select(v => v.GetInt32()).ToArray(); // [B, T, I]
            var x = Of(f.GetProperty("x"), xs);
            var h0 = Of(f.GetProperty("h0"), 4, xs[0], H);
            var c0 = Of(f.GetProperty("c0"), 4, xs[0], H);
            var (y, hn, cn) = m.RunLstm(x, h0, c0);
            Same(Floats(f.GetProperty("output")), y, new[] { xs[0], xs[1], 2 * H });
            Same(Floats(f.GetProperty("hn")), hn, new[] { 4, xs[0], H });
            Same(Floats(f.GetProperty("cn")), cn, new[] { 4, xs[0], H });
            var (ey, _, _) = m.Lstm(x, h0, c0); // the eager spec method too
            Same(Floats(f.GetProperty("output")), ey, new[] { xs[0], xs[1], 2 * H });
        }
        {
            var f = Fixture("gru");
            LoadStateDict(m.Parameters, "gru", f);
            int[] xs = f.GetProperty("x_shape").EnumerateArray().Select(v => v.GetInt32()).ToArray(); // [T, B, I]
            var (y, hn) = m.RunGru(Of(f.GetProperty("x"), xs), Of(f.GetProperty("h0"), 4, xs[1], H));
            Same(Floats(f.GetProperty("output")), y, new[] { xs[0], xs[1], 2 * H });
            Same(Floats(f.GetProperty("hn")), hn, new[] { 4, xs[1], H });
        }
        {
            var f = Fixture("rnn");
            LoadStateDict(m.Parameters, "rnn", f);
            int[] xs = f.GetProperty("x_shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var (y, hn) = m.RunRnn(Of(f.GetProperty("x"), xs), Of(f.GetProperty("h0"), 2, xs[0], H));
            Same(Floats(f.GetProperty("output")), y, new[] { xs[0], xs[1], H });
            Same(Floats(f.GetProperty("hn")), hn, new[] { 2, xs[0], H });
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    public void Multi_layer_bidirectional_gradients_match_finite_differences(int steps)
    {
        var m = new DeepRecurrent(seed: 2);
        var x = Random(11, 2, steps, DeepRecurrent.I);
        var h0 = Random(12, 4, 2, DeepRecurrent.H);
        m.LossAndGradients(x, h0);
        EndToEndTests.CheckGradients(m.Parameters, () => m.LossAndGradients(x, h0), 2e-3);
    }
}
