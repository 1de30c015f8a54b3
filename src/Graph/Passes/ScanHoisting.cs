using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Hoists the per-step input projections out of loops (the cuDNN/oneDNN trick): a product xₜ·W of a scanned
/// sequence's step by a loop-invariant matrix becomes one GEMM over all steps before the loop, X·W, read step by
/// step like any sequence. Runs before autodiff, so the backward pass gets the same treatment: the input's gradient
/// and the weight's are one GEMM each over the stacked steps.
/// </summary>
public static class ScanHoisting
{
    public static Graph Hoist(Graph g)
    {
        if (!g.Nodes.Any(n => n.Op == OpKind.Scan && Products(n.Attrs.Scan!).Count > 0)) return g;
        return Rewriter.Run(g, (b, n, ins) =>
        {
            if (n.Op != OpKind.Scan) return null;
            var body = n.Attrs.Scan!;
            var found = Products(body);
            if (found.Count == 0) return null;
            int C = body.Carries, X = body.Xs;
            var nb = new GraphBuilder();
            var map = new Dictionary<Node, Node>();
            foreach (var node in body.Body.Nodes)
            {
                int k = found.FindIndex(p => p.Product == node);
                map[node] = k >= 0 ? nb.Input(ScanBody.X(X + k), node.Shape) : Rewriter.Clone(nb, node, node.Inputs.Select(x => map[x]).ToArray());
            }
            foreach (var o in body.Body.Outputs) nb.Graph.SetOutput(o.Key, map[o.Value]);
            var projected = found.Select(p => b.MatMul(ins[C + p.X], ins[C + X + p.Invariant], false, p.Product.Attrs.TransB)).ToList();
            var hoisted = new ScanBody(nb.Graph, body.Length, C, body.XAxes.Concat(found.Select(p => body.XAxes[p.X])).ToArray(),
                body.Invariants, body.Ys, body.Reverse);
            var inputs = ins.Take(C + X).Concat(projected).Concat(ins.Skip(C + X)).ToArray();
            return b.Graph.Add(OpKind.Scan, n.Shape, n.Attrs with { Scan = hoisted }, inputs);
        });
    }

    /// <summary>The body's products xₜ·W (or xₜ·Wᵀ) of a step [B, I] of a sequence whose time axis is not its last by an invariant matrix.</summary>
    private static List<(Node Product, int X, int Invariant)> Products(ScanBody body)
    {
        var found = new List<(Node, int, int)>();
        if (body.Primal is not null || body.IsBackward) return found;
        var xs = Enumerable.Range(0, body.Xs).Select(i => ScanBody.In(body.Body, ScanBody.X(i))).ToList();
        var vs = Enumerable.Range(0, body.Invariants).Select(j => ScanBody.In(body.Body, ScanBody.Invariant(j))).ToList();
        foreach (var m in body.Body.Nodes)
        {
            if (m.Op != OpKind.MatMul || m.Attrs.TransA || m[0].Shape.Rank != 2 || m[1].Shape.Rank != 2) continue;
            int i = xs.IndexOf(m[0]), j = vs.IndexOf(m[1]);
            if (i >= 0 && j >= 0 && body.XAxes[i] < 2) found.Add((m, i, j));
        }
        return found;
    }
}
