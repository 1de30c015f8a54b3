using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static GraphNet.Ops;

namespace GraphNet.Models.Tests;

/// <summary>
/// Ratings from two embedding tables (users and items looked up by input ids) and a dense bias: the tables' gradients are
/// scatter-adds by the entry's inputs, the bias's is not.
/// </summary>
[Model]
public sealed partial class RowGradientModel
{
    public const int Users = 400, Items = 37, Rank = 5;

    [Param(Users, Rank, Init = Init.Normal)] Tensor users;
    [Param(Items, Rank, Init = Init.Normal)] Tensor items;
    [Param(1)] Tensor bias;

    public Tensor Loss([Shape("B")] Tensor u, [Shape("B")] Tensor i, [Shape("B")] Tensor r) =>
        Sum(Square(Sum(Embedding(users, u) * Embedding(items, i), 1) + bias - r));

    [Train(nameof(Loss))] public partial float Step(Tensor u, Tensor i, Tensor r, Optimizer optimizer);
}

/// <summary>Steps a [Train] entry hands its optimizer: the rows of the scatter-add gradients, and the same values as a full step.</summary>
[Collection("Workers")]
public class RowGradientTests
{
    /// <summary>Records what the entry passes; steps nothing.</summary>
    private sealed class Recorder : Optimizer
    {
        public readonly List<(string Name, float[] Ids, int Count)> Rows = new();
        public int Dense;
        public override void Step(IReadOnlyList<Parameter> parameters) => Dense++;
        public override void Step(IReadOnlyList<Parameter> parameters, IReadOnlyList<GradientRows> rows)
        {
            foreach (var r in rows) Rows.Add((r.Parameter.Name, r.Ids, r.Count));
        }
        public override IEnumerable<KeyValuePair<string, Tensor>> State(IReadOnlyList<Parameter> parameters) => [];
    }

    /// <summary>Steps <paramref name="inner"/> over every row: the base class's rows form falls back to this one.</summary>
    private sealed class FullPass(Optimizer inner) : Optimizer
    {
        public override void Step(IReadOnlyList<Parameter> parameters) => inner.Step(parameters);
        public override IEnumerable<KeyValuePair<string, Tensor>> State(IReadOnlyList<Parameter> parameters) => inner.State(parameters);
    }

    private static (Tensor U, Tensor I, Tensor R) Batch(int seed, int b = 9)
    {
        var rng = new Random(seed);
        var u = new Tensor(b); var i = new Tensor(b); var r = new Tensor(b);
        for (int k = 0; k < b; k++) { u.Data[k] = rng.Next(RowGradientModel.Users); i.Data[k] = rng.Next(RowGradientModel.Items); r.Data[k] = (float)rng.NextDouble(); }
        u.Data[b - 1] = u.Data[0]; // a repeated id: its row gets both rows' gradient, and one update
        return (u, i, r);
    }

    [Fact]
    public void TrainEntryPassesTheRowsOfEachScatterAddGradient()
    {
        var model = new RowGradientModel(seed: 3);
        var (u, i, r) = Batch(1);
        var rec = new Recorder();
        model.Step(u, i, r, rec);
        Assert.Equal(0, rec.Dense);
        Assert.Equal(new[] { "users", "items" }, rec.Rows.Select(x => x.Name).ToArray());
        Assert.Same(u.Data, rec.Rows[0].Ids);
        Assert.Same(i.Data, rec.Rows[1].Ids);
        Assert.All(rec.Rows, x => Assert.Equal(9, x.Count));
        // The gradient is zero outside the rows named.
        var g = model.Parameters["users"].Grad.Data;
        var named = u.Data.Select(v => (int)v).ToHashSet();
        for (int row = 0; row < RowGradientModel.Users; row++)
            if (!named.Contains(row)) Assert.All(g.Skip(row * RowGradientModel.Rank).Take(RowGradientModel.Rank), v => Assert.Equal(0f, v));
        Assert.Contains(g, v => v != 0f);
    }

    public static TheoryData<string> Rules => new() { "sgd", "adagrad", "signsgd", "adam", "sgd-l2", "sgd-clip" };

    private static Optimizer Make(string rule) => rule switch
    {
        "sgd" => new Sgd(0.05f) { Schedule = Schedule.Step(2, 0.5f) },
        "adagrad" => new AdaGrad(0.1f),
        "signsgd" => new SignSgd(0.01f),
        "adam" => new Adam(0.01f),
        "sgd-l2" => new Sgd(0.05f) { L2 = 0.1f },
        _ => new Sgd(0.05f) { ClipNorm = 0.5f },
    };

    /// <summary>Rows only (SGD, AdaGrad, sign-SGD; clipped too) or the full pass (Adam, an L2 penalty): the same bits as the full pass.</summary>
    [Theory, MemberData(nameof(Rules))]
    public void RowStepsMatchTheFullPassBitForBit(string rule)
    {
        var rows = new RowGradientModel(seed: 5);
        var full = new RowGradientModel(seed: 5);
        Optimizer a = Make(rule), b = new FullPass(Make(rule));
        for (int step = 0; step < 4; step++)
        {
            var (u, i, r) = Batch(10 + step);
            Assert.Equal(full.Step(u, i, r, b), rows.Step(u, i, r, a));
        }
        for (int p = 0; p < rows.Parameters.Count; p++)
            Assert.Equal(full.Parameters[p].Value.Data, rows.Parameters[p].Value.Data);
        var sa = a.State(rows.Parameters).ToList();
        var sb = b.State(full.Parameters).ToList();
        Assert.Equal(sb.Count, sa.Count);
        for (int k = 0; k < sa.Count; k++) Assert.Equal(sb[k].Value.Data, sa[k].Value.Data);
    }

    /// <summary>Rows only touch rows: a weight outside them is left as it was even where a full pass would change it.</summary>
    [Fact]
    public void OnlyTheNamedRowsChange()
    {
        var w = new Tensor(100, 3);
        for (int k = 0; k < w.Length; k++) w.Data[k] = k;
        var g = new Tensor(100, 3);
        g.Data[3 * 7 + 1] = 1f;
        g.Data[3 * 50] = 2f; // not named: a caller's promise broken, so it shows which rows were stepped
        var p = new Parameter("t", w, g);
        new Sgd(0.5f).Step(new[] { p }, new[] { new GradientRows(p, new[] { 7f, 7f, 9f }, 2) });
        Assert.Equal(3 * 7 + 1 - 0.5f, w.Data[3 * 7 + 1]);
        Assert.Equal(150f, w.Data[150]);
        Assert.Equal(Enumerable.Range(0, 300).Select(k => k == 22 ? 21.5f : (float)k).ToArray(), w.Data);
    }

    /// <summary>A parameter named twice (by a caller of the public form): both entries' rows are stepped, by the full pass.</summary>
    [Fact]
    public void ATableNamedTwiceIsSteppedWhole()
    {
        var w = new Tensor(100, 3);
        var g = new Tensor(100, 3);
        g.Data[3 * 7] = 1f;
        g.Data[3 * 60] = 1f;
        var p = new Parameter("t", w, g);
        new Sgd(0.5f).Step(new[] { p }, new[] { new GradientRows(p, new[] { 7f }, 1), new GradientRows(p, new[] { 60f }, 1) });
        Assert.Equal(-0.5f, w.Data[3 * 7]);
        Assert.Equal(-0.5f, w.Data[3 * 60]);
    }

    [Fact]
    public void BadIdsThrowNamingTheParameterAndChangeNothing()
    {
        var w = new Tensor(100, 3);
        var p = new Parameter("table", w, new Tensor(100, 3));
        p.Grad.Data[0] = 1f;
        var opt = new Sgd(0.1f);
        foreach (var bad in new[] { 100f, -1f, 2.5f, float.NaN })
        {
            var e = Assert.Throws<ArgumentException>(() => opt.Step(new[] { p }, new[] { new GradientRows(p, new[] { 0f, bad }, 2) }));
            Assert.Contains("'table'", e.Message);
            Assert.Contains("position 1", e.Message);
        }
        Assert.All(w.Data, v => Assert.Equal(0f, v));
        Assert.Equal(0, opt.Steps);
        Assert.Throws<ArgumentException>(() => opt.Step(new[] { p }, new[] { new GradientRows(p, new[] { 0f }, 2) }));
    }
}
