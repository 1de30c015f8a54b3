using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Reverse mode through a scan (backprop through time). The backward pass is a scan too, running the body's
/// vector-Jacobian product from the last step to the first: its carries are the adjoints of the forward carries
/// and the running sums of the invariants' gradients; it reads, per step, the adjoints of the per-step results
/// and the residuals, the body's values that its gradient rules read, which the forward scan saves
/// (time-major stacks in the memory plan) rather than recomputes. Values that depend only on invariants are
/// recomputed per step; the scanned inputs are read again from the sequence itself.
/// </summary>
public static class ScanGradients
{
    /// <summary>Replaces every forward scan of <paramref name="g"/> by one that also saves its residuals (before autodiff).</summary>
    public static Graph Prepare(Graph g)
    {
        if (!g.Nodes.Any(n => n.Op == OpKind.Scan && n.Attrs.Scan!.Primal is null && !n.Attrs.Scan.IsBackward)) return g;
        var augmented = new Dictionary<ScanBody, ScanBody>();
        return Rewriter.Run(g, (b, n, ins) =>
        {
            if (n.Op != OpKind.Scan || n.Attrs.Scan!.Primal is not null || n.Attrs.Scan.IsBackward) return null;
            var body = n.Attrs.Scan;
            if (!augmented.TryGetValue(body, out var aug)) augmented[body] = aug = Augment(body);
            return b.Graph.Add(OpKind.Scan, n.Shape, n.Attrs with { Scan = aug }, ins);
        });
    }

    private static ScanBody Augment(ScanBody body)
    {
        var (_, residuals) = Backward(body, Enumerable.Repeat(true, body.Ys).ToArray(),
            Enumerable.Repeat(true, body.Xs).ToArray(), Enumerable.Repeat(true, body.Invariants).ToArray());
        var f = Rewriter.Run(body.Body, (_, _, _) => null); // same node ids
        for (int m = 0; m < residuals.Count; m++) f.SetOutput(ScanBody.Y(body.Ys + m), f.Nodes[residuals[m]]);
        return new ScanBody(f, body.Length, body.Carries, body.XAxes, body.Invariants, body.Ys + residuals.Count, body.Reverse)
        {
            ResidualIds = residuals, Primal = body,
        };
    }

    /// <summary>What the backward scan reads at step t from outside, in the order of its x inputs.</summary>
    private enum Source { Seed, Residual, X }

    private sealed record BackwardPlan(ScanBody Body, List<(Source Kind, int Index)> Xs, List<int> Invariants, List<int> Accumulated, List<int> XGrads,
        List<(int Invariant, int A, int B)> Hoisted);

    /// <summary>The gradient of a scan node, for <see cref="Gradients.Grad(GraphBuilder, IReadOnlyList{ValueTuple{Node, Node}}, IReadOnlyList{Node}, System.Threading.CancellationToken)"/>.</summary>
    internal static Node?[] Rule(GraphBuilder b, Node n, Node?[] outAdj, bool[] need)
    {
        var aug = n.Attrs.Scan!;
        if (aug.IsBackward)
            throw new ShapeError(ShapeErrorKind.InvalidArgument,
                "gradients of second order through a loop over time steps (a scan) are not derived; differentiate the loop once, or unroll it over a constant count");
        var source = n;
        if (aug.Primal is null)
        {
            // Not prepared (a direct caller of Gradients.Grad): a second forward scan that saves the residuals.
            // ModelCompiler runs Prepare first, so compiled entry points run the forward loop once.
            aug = Augment(aug);
            source = b.Graph.Add(OpKind.Scan, n.Shape, n.Attrs with { Scan = aug }, n.Inputs.ToArray());
        }
        var body = aug.Primal!;
        int C = body.Carries, X = body.Xs, V = body.Invariants;
        var seedY = Enumerable.Range(0, body.Ys).Select(k => outAdj[C + k] is not null).ToArray();
        var needX = Enumerable.Range(0, X).Select(i => need[C + i]).ToArray();
        var needV = Enumerable.Range(0, V).Select(j => need[C + X + j]).ToArray();
        var (plan, residuals) = Backward(body, seedY, needX, needV);

        var init = Enumerable.Range(0, C).Select(i => outAdj[i] ?? b.Full(0, n.Inputs[i].Shape))
            .Concat(plan.Accumulated.Select(j => b.Full(0, n.Inputs[C + X + j].Shape))).ToList();
        var xs = plan.Xs.Select(s => s.Kind switch
        {
            Source.Seed => outAdj[C + s.Index]!,
            Source.Residual => b.ScanOutput(source, C + body.Ys + IndexOf(aug.ResidualIds, residuals[s.Index])),
            _ => n.Inputs[C + s.Index],
        }).ToList();
        var inv = plan.Invariants.Select(j => n.Inputs[C + X + j]).ToList();
        var outs = b.Scan(plan.Body, init, xs, inv);

        var grads = new Node?[n.Inputs.Count];
        for (int i = 0; i < C; i++) grads[i] = outs[i];
        for (int k = 0; k < plan.Accumulated.Count; k++) grads[C + X + plan.Accumulated[k]] = outs[C + k];
        foreach (var (j, ya, yb) in plan.Hoisted)
        {
            // Σₜ aₜᵀ·bₜ over all steps as one GEMM: the stacks [T, B, m] and [T, B, n] seen as [T·B, m] and [T·B, n].
            Node Stack(int f) => f >= 0 ? outs[plan.Body.Carries + f] : xs[-1 - f];
            Node A = Stack(ya), B = Stack(yb);
            var a2 = b.Reshape(A, new Shape(A.Shape[0] * A.Shape[1], A.Shape[2]));
            var b2 = b.Reshape(B, new Shape(B.Shape[0] * B.Shape[1], B.Shape[2]));
            var term = b.MatMul(a2, b2, transA: true);
            grads[C + X + j] = grads[C + X + j] is { } acc ? b.Add(acc, term) : term;
        }
        for (int m = 0; m < plan.XGrads.Count; m++)
        {
            int i = plan.XGrads[m], axis = body.XAxes[i];
            var stacked = outs[plan.Body.Carries + m]; // [T, ...]: move the time axis back to where the sequence has it
            int r = stacked.Shape.Rank;
            var perm = Enumerable.Range(0, r).Select(a => a == axis ? 0 : a < axis ? a + 1 : a).ToArray();
            grads[C + i] = axis == 0 ? stacked : b.Permute(stacked, perm);
        }
        return grads;
    }

    private static int IndexOf(IReadOnlyList<int> ids, int id)
    {
        for (int i = 0; i < ids.Count; i++) if (ids[i] == id) return i;
        throw Rewriter.Internal($"residual %{id} was not saved by the forward scan");
    }

    /// <summary>
    /// Builds the backward body for the given adjoints and wanted gradients. Returns its plan and the residuals
    /// it reads (body node ids, in the order of its residual inputs).
    /// </summary>
    private static (BackwardPlan Plan, List<int> Residuals) Backward(ScanBody body, bool[] seedY, bool[] needX, bool[] needV)
    {
        var f = body.Body;
        int C = body.Carries;
        // Probe: the body, then the adjoints, then the gradient rules, in one graph.
        var pb = new GraphBuilder();
        var map = new Dictionary<Node, Node>();
        foreach (var node in f.Nodes) map[node] = Rewriter.Clone(pb, node, node.Inputs.Select(x => map[x]).ToArray());
        int boundary = pb.Graph.Nodes.Count;
        var seeds = new List<(Node, Node)>();
        var seedInputs = new Dictionary<Node, (Source, int)>();
        for (int i = 0; i < C; i++) // every carry has an adjoint: it flows in from the next step even when the final value is unused
        {
            var y = map[f.Output(ScanBody.Carry(i))];
            var s = pb.Input("seed.c" + i, y.Shape);
            seeds.Add((y, s));
            seedInputs[s] = (Source.Seed, -1 - i);
        }
        for (int k = 0; k < body.Ys; k++)
            if (seedY[k])
            {
                var y = map[f.Output(ScanBody.Y(k))];
                var s = pb.Input("seed.y" + k, y.Shape);
                seeds.Add((y, s));
                seedInputs[s] = (Source.Seed, k);
            }
        var cIn = Enumerable.Range(0, C).Select(i => map[ScanBody.In(f, ScanBody.Carry(i))]).ToList();
        var xIn = Enumerable.Range(0, body.Xs).Select(i => map[ScanBody.In(f, ScanBody.X(i))]).ToList();
        var vIn = Enumerable.Range(0, body.Invariants).Select(j => map[ScanBody.In(f, ScanBody.Invariant(j))]).ToList();
        var wrt = cIn.Concat(xIn.Where((_, i) => needX[i])).Concat(vIn.Where((_, j) => needV[j])).ToList();
        var grads = seeds.Count == 0 ? wrt.Select(w => pb.Full(0, w.Shape)).ToArray() : Gradients.Grad(pb, seeds, wrt);
        var p = pb.Graph;

        // Which body values depend on the step (carries or sequence inputs). The backward saves, per step, the
        // carries and the results of the step's costly ops (matrix products, reductions, routines: JAX's
        // "dots saveable" policy) and recomputes the elementwise math and views from them; values that do not depend
        // on the step are recomputed too.
        var stepDependent = new HashSet<Node>(cIn.Concat(xIn));
        for (int id = 0; id < boundary; id++)
            if (p.Nodes[id].Inputs.Any(stepDependent.Contains)) stepDependent.Add(p.Nodes[id]);
        static bool Cheap(Node n) => n.Op.IsElementwise() || n.Op.Category() == OpCategory.Movement || n.Op == OpKind.Slice;
        var live = new HashSet<Node>(grads);
        var residuals = new List<Node>();
        for (int id = p.Nodes.Count - 1; id >= 0; id--)
        {
            var node = p.Nodes[id];
            if (!live.Contains(node)) continue;
            if (id < boundary && stepDependent.Contains(node) && !xIn.Contains(node) && !Cheap(node)) { residuals.Add(node); continue; }
            foreach (var x in node.Inputs) live.Add(x);
        }
        residuals.Reverse();

        // The backward body: carries are the carries' adjoints then the accumulated invariant gradients;
        // per step it reads the results' adjoints, the residuals and the sequences it needs.
        var bb = new GraphBuilder();
        var bmap = new Dictionary<Node, Node>();
        var xsPlan = new List<(Source, int)>();
        var invPlan = new List<int>();
        // An invariant's gradient is summed over steps. Terms aₜᵀ·bₜ (a weight's gradient: a contraction over the
        // batch) are hoisted out of the loop: a and b become per-step results and one GEMM over all steps sums them
        // afterwards; other terms are accumulated in a carry.
        var wanted = Enumerable.Range(0, body.Invariants).Where(j => needV[j]).ToList();
        var vGrads = wanted.Select((j, k) => grads[C + needX.Count(x => x) + k]).ToList();
        static bool Hoistable(Node t) => t.Op == OpKind.MatMul && t.Attrs.TransA && !t.Attrs.TransB && t.Shape.Rank == 2;
        var hoistTerms = new List<List<Node>>();
        var restTerms = new List<List<Node>>();
        foreach (var g in vGrads)
        {
            var terms = new List<Node>();
            Flatten(g, boundary, terms);
            hoistTerms.Add(terms.Where(Hoistable).ToList());
            restTerms.Add(terms.Where(t => !Hoistable(t)).ToList());
        }
        var accumulated = wanted.Where((_, k) => restTerms[k].Count > 0).ToList();
        var carryIn = Enumerable.Range(0, C).Select(i => bb.Input(ScanBody.Carry(i), cIn[i].Shape)).ToList();
        var accIn = accumulated.Select((j, k) => bb.Input(ScanBody.Carry(C + k), vIn[j].Shape)).ToList();
        var xsIndex = new Dictionary<Node, int>(); // backward body input -> its entry in xsPlan
        var residualIndex = residuals.Select((r, i) => (r, i)).ToDictionary(p => p.r, p => p.i);
        Node NewX(Source s, int index, Shape shape)
        {
            xsPlan.Add((s, index));
            var input = bb.Input(ScanBody.X(xsPlan.Count - 1), shape);
            xsIndex[input] = xsPlan.Count - 1;
            return input;
        }
        foreach (var node in p.Nodes)
        {
            if (!live.Contains(node)) continue;
            Node mapped;
            if (seedInputs.TryGetValue(node, out var seed))
                mapped = seed.Item2 < 0 ? carryIn[-1 - seed.Item2] : NewX(Source.Seed, seed.Item2, node.Shape);
            else if (residualIndex.TryGetValue(node, out var ri)) mapped = NewX(Source.Residual, ri, node.Shape);
            else if (xIn.IndexOf(node) is var xi && xi >= 0) mapped = NewX(Source.X, xi, node.Shape);
            else if (vIn.IndexOf(node) is var vj && vj >= 0)
            {
                invPlan.Add(vj);
                mapped = bb.Input(ScanBody.Invariant(invPlan.Count - 1), node.Shape);
            }
            else mapped = Rewriter.Clone(bb, node, node.Inputs.Select(x => bmap[x]).ToArray());
            bmap[node] = mapped;
        }
        Node Out(Node g) => bmap.TryGetValue(g, out var m) ? m : Rewriter.Clone(bb, g, g.Inputs.Select(x => bmap[x]).ToArray());
        for (int i = 0; i < C; i++) bb.Graph.SetOutput(ScanBody.Carry(i), Out(grads[i]));
        int gi = C;
        var xGrads = new List<int>();
        var xGradNodes = new List<Node>();
        for (int i = 0; i < body.Xs; i++)
            if (needX[i]) { xGrads.Add(i); xGradNodes.Add(Out(grads[gi++])); }
        for (int k = 0; k < accumulated.Count; k++)
        {
            var rest = restTerms[wanted.IndexOf(accumulated[k])].Select(Out).ToList();
            bb.Graph.SetOutput(ScanBody.Carry(C + k), rest.Aggregate(accIn[k], (acc, t) => bb.Add(acc, t)));
        }
        for (int m = 0; m < xGradNodes.Count; m++) bb.Graph.SetOutput(ScanBody.Y(m), xGradNodes[m]);
        var hoisted = new List<(int, int, int)>();
        int ny = xGradNodes.Count;
        for (int k = 0; k < wanted.Count; k++)
            foreach (var t in hoistTerms[k])
            {
                // A factor the backward scan already reads as a time-major stack (a residual, an adjoint) is used as it is.
                int Factor(Node f)
                {
                    var m = Out(f);
                    if (xsIndex.TryGetValue(m, out var xi) && xsPlan[xi].Item1 != Source.X) return -1 - xi;
                    for (int q = 0; q < ny; q++)
                        if (bb.Graph.Output(ScanBody.Y(q)) == m) return q; // already a per-step result (an input's gradient)
                    bb.Graph.SetOutput(ScanBody.Y(ny), m);
                    return ny++;
                }
                int fa = Factor(t[0]), fb = Factor(t[1]);
                hoisted.Add((wanted[k], fa, fb));
            }

        var backward = new ScanBody(bb.Graph, body.Length, C + accumulated.Count, xsPlan.Select(s => s.Item1 == Source.X ? body.XAxes[s.Item2] : 0).ToArray(),
            invPlan.Count, ny, !body.Reverse) { IsBackward = true };
        return (new BackwardPlan(backward, xsPlan, invPlan, accumulated, xGrads, hoisted), residuals.Select(r => r.Id).ToList());
    }

    /// <summary>The terms of a sum built by the gradient rules (adds made after the body's own nodes).</summary>
    private static void Flatten(Node g, int boundary, List<Node> terms)
    {
        if (g.Op == OpKind.Add && g.Id >= boundary) { Flatten(g[0], boundary, terms); Flatten(g[1], boundary, terms); }
        else terms.Add(g);
    }
}
