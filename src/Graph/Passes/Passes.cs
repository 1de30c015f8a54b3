using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace GraphNet.Compiler;

/// <summary>One graph-to-graph pass with a name (for dumps and the verifier's messages).</summary>
public sealed record Pass(string Name, System.Func<Graph, Graph> Run);

/// <summary>The ordered pass pipeline. Autodiff runs before it, so every pass sees forward and backward alike.</summary>
public static class Pipeline
{
    public static readonly IReadOnlyList<Pass> Passes = new[]
    {
        new Pass("fold", ConstantFold),
        new Pass("simplify", Simplify),
        new Pass("slice-sink", SinkSlices),
        new Pass("onehot-scatter", OneHotScatter),
        new Pass("matmul-transpose", FoldTransposeIntoMatMul),
        new Pass("cse", Cse),
        new Pass("dce", Dce),
        new Pass("scan-prune", PruneScans),
    };

    /// <summary>Runs the passes to a fixed point (at most a few rounds); the verifier runs between passes when asked.</summary>
    public static Graph Optimize(Graph g, bool verify = false, CancellationToken ct = default)
    {
        for (int round = 0; round < 4; round++)
        {
            int before = g.Nodes.Count;
            foreach (var p in Passes)
            {
                ct.ThrowIfCancellationRequested();
                g = p.Run(g);
                if (verify) Verifier.Verify(g, p.Name);
            }
            if (g.Nodes.Count == before) break;
        }
        return g;
    }

    /// <summary>Elementwise ops on scalar constants become constants.</summary>
    public static Graph ConstantFold(Graph g) => Rewriter.Run(g, (b, n, ins) =>
    {
        if (!n.Op.IsElementwise() || n.Shape.Rank != 0 || !ins.All(i => i.Op == OpKind.Const)) return null;
        double At(int k) => k < ins.Length ? ins[k].Attrs.Value : 0;
        return b.Const(ScalarSemantics.Apply(n.Op, At(0), At(1), At(2)));
    });

    /// <summary>Identities: x*1, x+0, x-0, x/1, -(-x), reshape of reshape, expand of expand; stop-gradient is the identity after autodiff.</summary>
    public static Graph Simplify(Graph g) => Rewriter.Run(g, (b, n, ins) => n.Op switch
    {
        OpKind.Mul when Rewriter.IsConst(ins[1], 1) => ins[0],
        OpKind.Mul when Rewriter.IsConst(ins[0], 1) => ins[1],
        OpKind.Add when Rewriter.IsConst(ins[1], 0) => ins[0],
        OpKind.Add when Rewriter.IsConst(ins[0], 0) => ins[1],
        OpKind.Sub when Rewriter.IsConst(ins[1], 0) => ins[0],
        OpKind.Div when Rewriter.IsConst(ins[1], 1) => ins[0],
        OpKind.Neg when ins[0].Op == OpKind.Neg => ins[0][0],
        OpKind.StopGradient => ins[0],
        OpKind.Reshape when ins[0].Shape.Equals(n.Shape) => ins[0],
        OpKind.Reshape when ins[0].Op == OpKind.Reshape => b.Reshape(ins[0][0], n.Shape),
        OpKind.Expand when ins[0].Op == OpKind.Expand => b.Graph.Add(OpKind.Expand, n.Shape, n.Attrs, ins[0][0]),
        _ => null,
    });

    /// <summary>
    /// A slice of an elementwise value that only slices read becomes the elementwise op of its operands' slices, so
    /// slices end on buffers, where kernels read them in place: an LSTM's four gates, sliced from x[.., t] + h·Wᵀ,
    /// are computed by the kernels that use them, and the sum is never written.
    /// </summary>
    public static Graph SinkSlices(Graph g)
    {
        var users = g.Consumers();
        var outputs = new HashSet<Node>(g.Outputs.Select(o => o.Value));
        bool Sinkable(Node e) => e.Op.IsElementwise() && !outputs.Contains(e) && users[e].All(u => u.Op == OpKind.Slice);
        return Rewriter.Run(g, (b, n, ins) =>
        {
            if (n.Op != OpKind.Slice || !Sinkable(n[0])) return null;
            int axis = n.Attrs.Axes[0];
            var parts = ins[0].Inputs.Select(x => b.Slice(x, axis, n.Attrs.DimValue, n.Shape[axis])).ToArray();
            return b.Graph.Add(ins[0].Op, n.Shape, ins[0].Attrs, parts);
        });
    }

    /// <summary>
    /// Products and sums of one-hot rows become scatters: <c>OneHot(ids, K)ᵀ·X</c> (per-class sums of rows, K-means'
    /// centroid update) is <c>ScatterAdd(ids, X, K)</c> and <c>Sum(OneHot(ids, K), 0)</c> (per-class counts) is a scatter
    /// of ones, so the [N, K] one-hot matrix is never written and the N·K·D multiply-adds by zero are not done.
    /// </summary>
    public static Graph OneHotScatter(Graph g) => Rewriter.Run(g, (b, n, ins) =>
    {
        if (n.Op == OpKind.MatMul && n.Attrs.TransA && !n.Attrs.TransB && n.Shape.Rank == 2 && OneHotIds(ins[0]) is { } ids && ids.Shape.Rank == 1)
            return b.ScatterAdd(ids, ins[1], (int)ins[0].Shape[1].Coef);
        if (n.Op == OpKind.ReduceSum && n.Shape.Rank == 2 && n.Attrs.Axes.SequenceEqual(new[] { 0 }) && OneHotIds(ins[0]) is { } rows && rows.Shape.Rank == 1)
            return b.Reshape(b.ScatterAdd(rows, b.Full(1, rows.Shape), (int)ins[0].Shape[1].Coef), n.Shape);
        return null;
    });

    /// <summary>The ids of a one-hot matrix built as rows of the identity (<c>Gather(Eye(K), ids)</c>), or null.</summary>
    private static Node? OneHotIds(Node n)
    {
        if (n.Op != OpKind.Gather) return null;
        var eye = n[0];
        while (eye.Op == OpKind.StopGradient) eye = eye[0];
        bool Iota(Node x, int axis) => x.Op == OpKind.Iota && x.Attrs.Axes.SequenceEqual(new[] { axis });
        return eye.Op == OpKind.Eq && eye.Shape.Rank == 2 && (Iota(eye[0], 0) && Iota(eye[1], 1) || Iota(eye[0], 1) && Iota(eye[1], 0)) ? n[1] : null;
    }

    /// <summary><c>matmul(transpose(a), b)</c> becomes <c>matmul(a, b, transA)</c>, and likewise for b.</summary>
    public static Graph FoldTransposeIntoMatMul(Graph g) => Rewriter.Run(g, (b, n, ins) =>
    {
        if (n.Op != OpKind.MatMul || !(SwapsLastTwo(ins[0]) || SwapsLastTwo(ins[1]))) return null;
        bool ta = n.Attrs.TransA, tb = n.Attrs.TransB;
        var a = ins[0]; var c = ins[1];
        if (SwapsLastTwo(a)) { a = a[0]; ta = !ta; }
        if (SwapsLastTwo(c)) { c = c[0]; tb = !tb; }
        return b.Graph.Add(OpKind.MatMul, n.Shape, n.Attrs with { TransA = ta, TransB = tb }, a, c);
    });

    private static bool SwapsLastTwo(Node n)
    {
        if (n.Op != OpKind.Permute) return false;
        var p = n.Attrs.Axes; int r = p.Length;
        return r >= 2 && p[r - 1] == r - 2 && p[r - 2] == r - 1 && Enumerable.Range(0, r - 2).All(i => p[i] == i);
    }

    /// <summary>Common subexpression elimination by (op, inputs, attributes, shape).</summary>
    public static Graph Cse(Graph g)
    {
        var seen = new Dictionary<(OpKind, string, NodeAttrs, Shape), Node>();
        return Rewriter.Run(g, (b, n, ins) =>
        {
            var key = (n.Op, string.Join(",", ins.Select(i => i.Id)), n.Attrs, n.Shape);
            if (n.Op is OpKind.Input or OpKind.Param) return null;
            if (seen.TryGetValue(key, out var prior)) return prior;
            var clone = Rewriter.Clone(b, n, ins);
            seen[key] = clone;
            return clone;
        });
    }

    /// <summary>Dead code elimination: keeps what the outputs need, plus every input and parameter (the signature).</summary>
    public static Graph Dce(Graph g)
    {
        var live = new HashSet<Node>(g.Outputs.Select(o => o.Value));
        for (int i = g.Nodes.Count - 1; i >= 0; i--)
        {
            var n = g.Nodes[i];
            if (n.Op is OpKind.Input or OpKind.Param) live.Add(n);
            if (live.Contains(n)) foreach (var x in n.Inputs) live.Add(x);
        }
        var b = new GraphBuilder();
        var map = new Dictionary<Node, Node>();
        foreach (var n in g.Nodes.Where(live.Contains))
            map[n] = Rewriter.Clone(b, n, n.Inputs.Select(x => map[x]).ToArray());
        foreach (var o in g.Outputs) b.Graph.SetOutput(o.Key, map[o.Value]);
        return b.Graph;
    }

    /// <summary>
    /// A scan's per-step results that nothing reads are dropped from its body (whose own dead code elimination then
    /// drops their computation): a gradient entry that needs only the adjoints, a residual no rule read.
    /// </summary>
    public static Graph PruneScans(Graph g)
    {
        var used = g.Nodes.Where(n => n.Op == OpKind.ScanOutput).GroupBy(n => n[0]).ToDictionary(x => x.Key, x => new HashSet<int>(x.Select(o => o.Attrs.Ints[0])));
        if (!g.Nodes.Any(n => n.Op == OpKind.Scan && Enumerable.Range(0, n.Attrs.Scan!.Ys).Any(q => !Used(n, n.Attrs.Scan.Carries + q)))) return g;
        bool Used(Node scan, int i) => used.TryGetValue(scan, out var u) && u.Contains(i);
        var renumbered = new Dictionary<Node, int[]>(); // pruned scan -> new index of each old output (-1: dropped)
        return Rewriter.Run(g, (b, n, ins) =>
        {
            if (n.Op == OpKind.ScanOutput && renumbered.TryGetValue(ins[0], out var map))
                return b.Graph.Add(OpKind.ScanOutput, n.Shape, n.Attrs with { Ints = new[] { map[n.Attrs.Ints[0]] } }, ins[0]);
            if (n.Op != OpKind.Scan) return null;
            var sb = n.Attrs.Scan!;
            var keep = Enumerable.Range(0, sb.Ys).Where(q => Used(n, sb.Carries + q)).ToList();
            if (keep.Count == sb.Ys) return null;
            var body = Rewriter.Run(sb.Body, (_, _, _) => null);
            var values = keep.Select(q => body.Output(ScanBody.Y(q))).ToList();
            for (int q = 0; q < sb.Ys; q++) body.RemoveOutput(ScanBody.Y(q));
            for (int q = 0; q < keep.Count; q++) body.SetOutput(ScanBody.Y(q), values[q]);
            // The residual layout changes: a later autodiff of this scan saves its residuals anew.
            var pruned = new ScanBody(body, sb.Length, sb.Carries, sb.XAxes, sb.Invariants, keep.Count, sb.Reverse) { IsBackward = sb.IsBackward };
            var scan = b.Graph.Add(OpKind.Scan, n.Shape, n.Attrs with { Scan = pruned }, ins);
            renumbered[scan] = Enumerable.Range(0, sb.Carries).Concat(Enumerable.Range(0, sb.Ys).Select(q => keep.IndexOf(q) is var k && k >= 0 ? sb.Carries + k : -1)).ToArray();
            return scan;
        });
    }
}
