using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>Checks the IR's invariants; tests run it after every pass.</summary>
public static class Verifier
{
    public static void Verify(Graph g, string after = "build")
    {
        var seen = new HashSet<Node>();
        foreach (var n in g.Nodes)
        {
            foreach (var i in n.Inputs)
                if (!seen.Contains(i)) Fail(after, n, $"input {i} is not defined before use");
            string? problem = Check(n);
            if (problem is not null) Fail(after, n, problem);
            seen.Add(n);
        }
        foreach (var o in g.Outputs)
            if (!seen.Contains(o.Value)) throw Rewriter.Internal($"after pass '{after}': output '{o.Key}' is not in the graph");
    }

    private static void Fail(string after, Node n, string why) =>
        throw Rewriter.Internal($"after pass '{after}': {GraphPrinter.Line(n)}: {why}");

    private static string? Check(Node n)
    {
        int arity = n.Op.Category() switch
        {
            OpCategory.Leaf => 0,
            OpCategory.Unary or OpCategory.Reduce or OpCategory.Movement => 1,
            OpCategory.Binary or OpCategory.MatMul or OpCategory.Solve => 2,
            OpCategory.Structured => n.Op switch
            {
                OpKind.Gather or OpKind.ScatterAdd or OpKind.TakeAlong or OpKind.PutAlong => 2,
                OpKind.Attention => 3,
                OpKind.Convolve or OpKind.ConvolveWeights => 2,
                OpKind.AttentionGrad => 5,
                _ => 1,
            },
            OpCategory.Ternary => 3,
            OpCategory.Scan => n.Op == OpKind.ScanOutput ? 1 : n.Attrs.Scan is { } sb ? sb.Carries + sb.Xs + sb.Invariants : -1,
        };
        if (n.Inputs.Count != arity) return $"expected {arity} inputs";
        switch (n.Op.Category())
        {
            case OpCategory.Unary or OpCategory.Binary or OpCategory.Ternary:
                return n.Inputs.All(i => i.Shape.Equals(n.Shape)) ? null : "elementwise operands must have the output's shape";
            case OpCategory.Reduce:
                var x = n[0].Shape;
                if (x.Rank != n.Shape.Rank) return "reduction must keep dims";
                for (int a = 0; a < x.Rank; a++)
                    if (n.Shape[a] != (n.Attrs.Axes.Contains(a) ? Dim.Const(1) : x[a])) return $"wrong reduced shape at axis {a}";
                return null;
            case OpCategory.Movement when n.Op == OpKind.Reshape:
                return n[0].Shape.Size == n.Shape.Size ? null : "reshape changes the element count";
            case OpCategory.Movement when n.Op == OpKind.Expand:
                var s = n[0].Shape;
                return s.Rank == n.Shape.Rank && Enumerable.Range(0, s.Rank).All(a => s[a] == n.Shape[a] || s[a] == Dim.Const(1))
                    ? null : "expand must only grow dims of size 1";
            case OpCategory.Movement:
                var p = n.Attrs.Axes;
                return p.Length == n.Shape.Rank && Enumerable.Range(0, p.Length).All(a => n.Shape[a] == n[0].Shape[p[a]])
                    ? null : "permute shape does not match its axes";
            case OpCategory.MatMul:
                Shape A = n[0].Shape, B = n[1].Shape; int r = A.Rank;
                if (r < 2 || B.Rank != r || n.Shape.Rank != r) return "matmul operands must have equal rank >= 2";
                Dim k1 = n.Attrs.TransA ? A[r - 2] : A[r - 1], k2 = n.Attrs.TransB ? B[r - 1] : B[r - 2];
                return k1 == k2 ? null : "matmul inner dims differ";
            case OpCategory.Structured when n.Op is OpKind.Attention or OpKind.AttentionGrad:
                return AttentionShapes(n);
            case OpCategory.Leaf:
                return null;
            case OpCategory.Scan when n.Op == OpKind.ScanOutput:
                return n[0].Op == OpKind.Scan && n.Attrs.Ints.Length == 1 && n.Shape.Equals(n[0].Attrs.Scan!.OutputShape(n.Attrs.Ints[0]))
                    ? null : "scan output does not match its scan";
            case OpCategory.Scan:
                Verify(n.Attrs.Scan!.Body, "scan body");
                return null;
        }
        return null;
    }

    /// <summary>q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv] with equal batch axes; the packed output [..., Tq, Dv + 1]; the gradients' shapes.</summary>
    private static string? AttentionShapes(Node n)
    {
        Shape q = n[0].Shape, k = n[1].Shape, v = n[2].Shape;
        int r = q.Rank;
        if (r < 2 || k.Rank != r || v.Rank != r || n.Attrs.Ints.Length < 1) return "attention operands must have equal rank >= 2";
        for (int a = 0; a < r - 2; a++)
            if (k[a] != q[a] || v[a] != q[a]) return "attention operands must have equal batch axes";
        if (k[r - 1] != q[r - 1] || v[r - 2] != k[r - 2] || !q[r - 1].IsConstant || !v[r - 1].IsConstant) return "attention operands' lengths or features differ";
        var packed = new Shape(q.Dims.Take(r - 1).Append(Dim.Const(v[r - 1].Coef + 1)));
        if (n.Op == OpKind.Attention) return n.Shape.Equals(packed) ? null : "attention output must be [..., Tq, Dv + 1]";
        if (!n[3].Shape.Equals(packed) || !n[4].Shape.Equals(packed) || n.Attrs.Ints.Length != 2) return "attention gradient needs the packed output and its gradient";
        if (n.Attrs.Ints[1] == 2 && q[r - 2] != k[r - 2]) return "attention gradient of all three needs as many queries as keys";
        var want = n.Attrs.Ints[1] == 0 ? q : new Shape(k.Dims.Take(r - 1).Append(Dim.Const((n.Attrs.Ints[1] == 2 ? 2 * q[r - 1].Coef : q[r - 1].Coef) + v[r - 1].Coef)));
        return n.Shape.Equals(want) ? null : "attention gradient has the wrong shape";
    }
}
