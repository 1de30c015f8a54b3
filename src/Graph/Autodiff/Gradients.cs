using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Reverse-mode autodiff over the IR. Each primitive has one rule, written in IR ops, so the
/// derived graph is itself differentiable (second order) and goes through the same passes.
/// Subgradient conventions: relu'(0) = 0, abs'(0) = 0, sign' = 0, comparison' = 0; elementwise
/// max/min split the gradient equally between tied operands; a max reduction splits it equally
/// between tied maxima, except a pooling max (PyTorch's max pooling), which routes it to the first arg-max.
/// </summary>
public static class Gradients
{
    /// <summary>
    /// Adds to the builder's graph the gradient of <paramref name="y"/> with respect to each node in
    /// <paramref name="wrt"/>. <paramref name="y"/> must be a scalar unless a <paramref name="seed"/> of its shape is given.
    /// </summary>
    public static Node[] Grad(GraphBuilder b, Node y, IReadOnlyList<Node> wrt, Node? seed = null, System.Threading.CancellationToken ct = default)
    {
        if (seed is null && y.Shape.Rank != 0)
            throw new ShapeError(ShapeErrorKind.WrongRank, $"gradient of a non-scalar {y.Shape}: reduce it to a scalar first (for example .Mean())");
        return Grad(b, new[] { (y, seed ?? b.Const(1)) }, wrt, ct);
    }

    /// <summary>
    /// The vector-Jacobian product of several values at once: adds to the builder's graph the gradient of
    /// Σ⟨yᵢ, seedᵢ⟩ with respect to each node in <paramref name="wrt"/> (each seed has its value's shape).
    /// </summary>
    public static Node[] Grad(GraphBuilder b, IReadOnlyList<(Node Y, Node Seed)> ys, IReadOnlyList<Node> wrt, System.Threading.CancellationToken ct = default) =>
        Grad(b, ys, wrt, partial: false, ct);

    /// <summary>
    /// As above; with <paramref name="partial"/> the gradient stops at the nodes in <paramref name="wrt"/> (the partial
    /// derivatives, as if they were independent leaves, which is what a rule returns for its inputs).
    /// </summary>
    private static Node[] Grad(GraphBuilder b, IReadOnlyList<(Node Y, Node Seed)> ys, IReadOnlyList<Node> wrt, bool partial, System.Threading.CancellationToken ct)
    {
        int last = ys.Max(p => p.Y.Id);
        var nodes = b.Graph.Nodes.Take(last + 1).ToList();
        var needs = new HashSet<Node>(wrt);
        foreach (var n in nodes)
            if (n.Inputs.Any(needs.Contains)) needs.Add(n);
        var adj = new Dictionary<Node, Node>();
        foreach (var (y, s) in ys) adj[y] = adj.TryGetValue(y, out var prior) ? b.Add(prior, s) : s;
        var scanOutputs = nodes.Where(n => n.Op == OpKind.ScanOutput).GroupBy(n => n[0]).ToDictionary(x => x.Key, x => x.ToList());
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            if ((i & 255) == 0) ct.ThrowIfCancellationRequested();
            var n = nodes[i];
            if (!needs.Contains(n) || n.Inputs.Count == 0 || partial && wrt.Contains(n)) continue;
            Node?[] grads;
            if (n.Op == OpKind.Scan)
            {
                if (!scanOutputs.TryGetValue(n, out var outs)) continue;
                var outAdj = new Node?[n.Attrs.Scan!.Carries + n.Attrs.Scan.Ys];
                foreach (var o in outs)
                    if (adj.TryGetValue(o, out var go))
                        outAdj[o.Attrs.Ints[0]] = outAdj[o.Attrs.Ints[0]] is { } p ? b.Add(p, go) : go;
                if (outAdj.All(a => a is null)) continue;
                grads = ScanGradients.Rule(b, n, outAdj, n.Inputs.Select(needs.Contains).ToArray());
            }
            else if (n.Op == OpKind.ScanOutput) continue; // its scan takes the adjoints of all its outputs at once
            else
            {
                if (!adj.TryGetValue(n, out var g)) continue;
                grads = Rule(b, n, g, n.Inputs.Select(needs.Contains).ToArray());
            }
            for (int k = 0; k < n.Inputs.Count; k++)
            {
                var gk = grads[k];
                if (gk is null || !needs.Contains(n.Inputs[k])) continue;
                adj[n.Inputs[k]] = adj.TryGetValue(n.Inputs[k], out var prev) ? b.Add(prev, gk) : gk;
            }
        }
        return wrt.Select(w => adj.TryGetValue(w, out var g) ? g : b.Full(0, w.Shape)).ToArray();
    }

    /// <summary>
    /// The adjoint of a symmetric eigendecomposition A = V·diag(λ)·Vᵀ: V·(diag(ḡλ) + F ∘ Vᵀḡ_V)·Vᵀ with
    /// F_ij = 1/(λ_j − λ_i) off the diagonal (0 on it); symmetrized, as A is read symmetric.
    /// </summary>
    private static Node EighRule(GraphBuilder b, Node n, Node g)
    {
        var (values, vectors) = b.EighParts(n);
        var (gValues, gVectors) = b.EighParts(g);
        int size = (int)n[0].Shape[0].Coef;
        var gap = b.Sub(b.Reshape(values, new Shape(1, size)), b.Reshape(values, new Shape(size, 1))); // λ_j − λ_i
        var f = b.Where(b.Eq(gap, b.Const(0)), b.Const(0), b.Div(b.Const(1), b.Add(gap, b.Eq(gap, b.Const(0)))));
        var inner = b.Add(b.Mul(b.Eye(size), b.Reshape(gValues, new Shape(1, size))), b.Mul(f, b.MatMul(vectors, gVectors, transA: true)));
        var full = b.MatMul(b.MatMul(vectors, inner), vectors, transB: true);
        return b.Mul(b.Const(0.5), b.Add(full, b.Transpose(full)));
    }

    /// <summary>
    /// A fused attention's gradient: with as many queries as keys, one recomputing op for all three side by side (each block
    /// of weights recomputed once); otherwise one for the queries and one for the keys and values side by side.
    /// </summary>
    private static Node?[] AttentionRule(GraphBuilder b, Node n, Node g, bool[] need)
    {
        int r = n.Shape.Rank, d = (int)n[1].Shape[r - 1].Coef, dv = (int)n[2].Shape[r - 1].Coef;
        if (n[0].Shape[r - 2] == n[1].Shape[r - 2] && need[1] | need[2])
        {
            var all = b.AttentionGrad(n, g, part: 2);
            return new Node?[] { need[0] ? b.Slice(all, -1, 0, d) : null, b.Slice(all, -1, d, d), b.Slice(all, -1, 2 * d, dv) };
        }
        var grads = new Node?[3];
        if (need[0]) grads[0] = b.AttentionGrad(n, g, part: 0);
        if (need[1] || need[2])
        {
            var kv = b.AttentionGrad(n, g, part: 1);
            grads[1] = b.Slice(kv, -1, 0, d);
            grads[2] = b.Slice(kv, -1, d, dv);
        }
        return grads;
    }

    /// <summary>
    /// Second order through a fused attention: the attention gradient's value rebuilt from primitives (the weights stored),
    /// differentiated with respect to q, k, v and the output gradient. The packed output input is a function of q, k and v,
    /// which the rebuilt value reads directly, so it gets no gradient of its own.
    /// </summary>
    private static Node?[] AttentionGradRule(GraphBuilder b, Node n, Node g)
    {
        Node q = n[0], k = n[1], v = n[2], seed = n[4];
        var packed = b.AttentionUnfused(q, k, v, n.Attrs.Ints[0] == 1, n.Attrs.Value);
        var first = Grad(b, new[] { (packed, seed) }, new[] { q, k, v }, partial: true, default);
        var value = n.Attrs.Ints[1] switch
        {
            0 => first[0],
            1 => b.Concat(new[] { first[1], first[2] }, -1),
            _ => b.Concat(new[] { first[0], first[1], first[2] }, -1),
        };
        var second = Grad(b, new[] { (value, g) }, new[] { q, k, v, seed }, partial: true, default);
        return new Node?[] { second[0], second[1], second[2], null, second[3] };
    }

    /// <summary>An output gradient [N, O, O...] as rows [N·O..., O], the layout of a window matrix's product.</summary>
    private static Node GradientRows(GraphBuilder b, Node g)
    {
        int r = g.Shape.Rank;
        var rows = g.Shape.Dims.Skip(2).Aggregate(g.Shape[0], (a, d) => a * d);
        return b.Reshape(b.Permute(g, new[] { 0 }.Concat(Enumerable.Range(2, r - 2)).Append(1).ToArray()), new Shape(rows, g.Shape[1]));
    }

    /// <summary>A direct convolution's input gradient: the output gradient times the weights, folded back into the image (col2im).</summary>
    private static Node ConvolveInputGradient(GraphBuilder b, Node n, Node g)
    {
        Node x = n[0], w = n[1];
        var window = Window.FromInts(n.Attrs.Ints);
        var taps = w.Shape.Dims.Skip(1).Aggregate(Dim.Const(1), (a, d) => a * d);
        var cols = b.MatMul(GradientRows(b, g), b.Reshape(w, new Shape(w.Shape[0], taps)));
        var shape = new Shape(new[] { x.Shape[0] }.Concat(n.Shape.Dims.Skip(2)).Concat(w.Shape.Dims.Skip(1)));
        return b.Unwindow(b.Reshape(cols, shape), window, x.Shape);
    }

    /// <summary>Second order through a direct convolution's weight gradient: its value as the window matrix's product, differentiated.</summary>
    private static Node?[] ConvolveWeightsRule(GraphBuilder b, Node n, Node c)
    {
        Node g = n[0], x = n[1];
        var win = b.Window(x, Window.FromInts(n.Attrs.Ints));
        var taps = n.Shape.Dims.Skip(1).Aggregate(Dim.Const(1), (a, d) => a * d);
        var rows = GradientRows(b, g);
        var value = b.Reshape(b.MatMul(rows, b.Reshape(win, new Shape(rows.Shape[0], taps)), transA: true), n.Shape);
        var grads = Grad(b, new[] { (value, c) }, new[] { g, x }, partial: true, default);
        return new Node?[] { grads[0], grads[1] };
    }

    private static Node?[] Rule(GraphBuilder b, Node n, Node g, bool[] need) => n.Op switch
    {
        OpKind.Input or OpKind.Param or OpKind.Const or OpKind.DimValue or OpKind.Iota or OpKind.State or OpKind.Random => new Node?[0],
        OpKind.Neg => new[] { b.Neg(g) },
        OpKind.Exp => new[] { b.Mul(g, n) },
        OpKind.Log => new[] { b.Div(g, n[0]) },
        OpKind.Sqrt => new[] { b.Div(g, b.Mul(b.Const(2), n)) },
        OpKind.Abs => new[] { b.Mul(g, b.Sign(n[0])) },
        OpKind.Sign or OpKind.StopGradient => new Node?[] { null },
        OpKind.Tanh => new[] { b.Mul(g, b.Sub(b.Const(1), b.Mul(n, n))) },
        OpKind.Erf => new[] { b.Mul(g, b.Mul(b.Const(2 / System.Math.Sqrt(System.Math.PI)), b.Exp(b.Neg(b.Square(n[0]))))) },
        OpKind.Sigmoid => new[] { b.Mul(g, b.Mul(n, b.Sub(b.Const(1), n))) },
        OpKind.Relu => new[] { b.Mul(g, b.Gt(n[0], b.Const(0))) },
        OpKind.Sin => new[] { b.Mul(g, b.Cos(n[0])) },
        OpKind.Cos => new[] { b.Neg(b.Mul(g, b.Sin(n[0]))) },
        OpKind.Add => new[] { g, g },
        OpKind.Sub => new[] { g, b.Neg(g) },
        OpKind.Mul => new[] { b.Mul(g, n[1]), b.Mul(g, n[0]) },
        OpKind.Div => new[] { b.Div(g, n[1]), b.Neg(b.Div(b.Mul(g, n), n[1])) },
        OpKind.Pow => new[]
        {
            need[0] ? b.Mul(g, b.Mul(n[1], b.Pow(n[0], b.Sub(n[1], b.Const(1))))) : null,
            need[1] ? b.Mul(g, b.Mul(n, b.Log(n[0]))) : null,
        },
        OpKind.Max => new[] { b.Mul(g, Share(b, n[0], n[1])), b.Mul(g, Share(b, n[1], n[0])) },
        OpKind.Min => new[] { b.Mul(g, Share(b, n[1], n[0])), b.Mul(g, Share(b, n[0], n[1])) },
        OpKind.Lt or OpKind.Le or OpKind.Gt or OpKind.Ge or OpKind.Eq or OpKind.Ne => new Node?[] { null, null },
        OpKind.Where => new[] { null, b.Where(n[0], g, b.Const(0)), b.Where(n[0], b.Const(0), g) },
        OpKind.ReduceSum => new[] { b.BroadcastTo(g, n[0].Shape) },
        OpKind.ReduceMax => new[] { MaxRoute(b, n, g) },
        OpKind.Reshape => new[] { b.Reshape(g, n[0].Shape) },
        OpKind.Expand => new[] { SumTo(b, g, n[0].Shape) },
        OpKind.Permute => new[] { b.Permute(g, Inverse(n.Attrs.Axes)) },
        OpKind.MatMul => MatMulRule(b, n, g),
        OpKind.Solve => SolveRule(b, n, g),
        OpKind.Window => new[] { b.Unwindow(g, Window.FromInts(n.Attrs.Ints), n[0].Shape) },
        OpKind.Unwindow => new[] { b.Window(g, Window.FromInts(n.Attrs.Ints)) },
        OpKind.Gather when !n[0].Shape[0].IsConstant && need[0] => throw new ShapeError(ShapeErrorKind.InvalidArgument,
            $"the gradient of a gather from a table whose row count is known only at run time ({n[0].Shape}) is not derived; gather from a [Param] table of constant shape, or stop the gradient"),
        OpKind.Gather => new[] { need[0] ? b.ScatterAdd(n[1], g, (int)n[0].Shape[0].Coef) : null, null },
        OpKind.ArgMax or OpKind.ArgMin or OpKind.ArgSort => new Node?[] { null }, // piecewise constant: no gradient flows to x
        OpKind.TakeAlong => new[] { need[0] ? b.PutAlong(n[1], g, n.Attrs.Axes[0], (int)n[0].Shape[n.Attrs.Axes[0]].Coef) : null, null },
        OpKind.PutAlong => new[] { null, need[1] ? b.TakeAlong(g, n[0], n.Attrs.Axes[0]) : null },
        OpKind.CumSum => new[] { b.CumSum(g, n.Attrs.Axes[0], n.Attrs.Ints[0] == 0) },
        OpKind.Eigh => new[] { EighRule(b, n, g) },
        OpKind.Cholesky => new[] { CholeskyRule(b, n, g) },
        OpKind.SLogDet => new[] { SLogDetRule(b, n, g) },
        OpKind.Attention => AttentionRule(b, n, g, need),
        OpKind.AttentionGrad => AttentionGradRule(b, n, g),
        OpKind.Convolve => new[] { need[0] ? ConvolveInputGradient(b, n, g) : null, need[1] ? b.ConvolveWeights(g, n[0], Window.FromInts(n.Attrs.Ints), n[1].Shape) : null },
        OpKind.ConvolveWeights => ConvolveWeightsRule(b, n, g),
        OpKind.ScatterAdd => new[] { null, b.Gather(g, n[0]) },
        OpKind.Slice => new[] { b.Pad(g, n.Attrs.Axes[0], n.Attrs.DimValue, n[0].Shape[n.Attrs.Axes[0]] - n.Attrs.DimValue - n.Shape[n.Attrs.Axes[0]]) },
        OpKind.Pad => new[] { b.Slice(g, n.Attrs.Axes[0], n.Attrs.DimValue, n[0].Shape[n.Attrs.Axes[0]]) },
        OpKind.Scan or OpKind.ScanOutput => throw Rewriter.Internal("scans are differentiated as a whole"),
    };

    /// <summary>
    /// X = A⁻¹B: ∂B = A⁻ᵀ·g, ∂A = −∂B·Xᵀ (for X = A⁻ᵀB: ∂A = −X·∂Bᵀ). A triangular solve reads one triangle of A,
    /// so ∂A is kept to that triangle and ∂B is the transposed triangular solve.
    /// </summary>
    private static Node?[] SolveRule(GraphBuilder b, Node n, Node g)
    {
        int triangle = GraphBuilder.Triangle(n);
        var gb = triangle == 0 ? b.Solve(n[0], g, !n.Attrs.TransA) : b.SolveTriangular(n[0], g, triangle == 2, !n.Attrs.TransA);
        var ga = n.Attrs.TransA ? b.MatMul(n, gb, transB: true) : b.MatMul(gb, n, transB: true);
        if (triangle != 0) ga = b.Mul(ga, TriangleMask(b, n[0].Shape, lower: triangle == 1, diagonal: 1));
        return new[] { b.Neg(ga), gb };
    }

    /// <summary>1 strictly inside the lower (or upper) triangle of each trailing [n, n], <paramref name="diagonal"/> on the diagonal, 0 elsewhere.</summary>
    private static Node TriangleMask(GraphBuilder b, Shape shape, bool lower, double diagonal)
    {
        int r = shape.Rank;
        var square = new Shape(shape[r - 2], shape[r - 1]);
        Node rows = b.Iota(square, 0), cols = b.Iota(square, 1);
        var strict = lower ? b.Gt(rows, cols) : b.Lt(rows, cols);
        return b.Add(strict, b.Mul(b.Const(diagonal), b.Eq(rows, cols)));
    }

    /// <summary>
    /// A = L·Lᵀ: with Φ(X) the lower triangle of X with its diagonal halved, ∂A = sym(L⁻ᵀ·Φ(Lᵀ·tril(ḡ))·L⁻¹)
    /// (Murray 2016; PyTorch's cholesky_backward), by two triangular solves.
    /// </summary>
    private static Node CholeskyRule(GraphBuilder b, Node n, Node g)
    {
        var lower = TriangleMask(b, n.Shape, lower: true, diagonal: 1);
        var phi = b.Mul(b.MatMul(n, b.Mul(g, lower), transA: true), TriangleMask(b, n.Shape, lower: true, diagonal: 0.5));
        var right = b.Transpose(b.SolveTriangular(n, b.Transpose(phi), upper: false, transA: true)); // Φ·L⁻¹
        var s = b.SolveTriangular(n, right, upper: false, transA: true);                             // L⁻ᵀ·Φ·L⁻¹
        return b.Mul(b.Const(0.5), b.Add(s, b.Transpose(s)));
    }

    /// <summary>∂ log |det A| / ∂A = A⁻ᵀ, scaled by the log's gradient (the sign's is zero).</summary>
    private static Node SLogDetRule(GraphBuilder b, Node n, Node g)
    {
        var a = n[0];
        int r = a.Shape.Rank;
        var size = (int)a.Shape[r - 1].Coef;
        var (_, gLog) = b.SLogDetParts(g);
        var inverseT = b.Solve(a, b.BroadcastTo(b.Eye(size), a.Shape), transA: true);
        return b.Mul(inverseT, b.BroadcastTo(b.Reshape(gLog, new Shape(gLog.Shape.Dims.Concat(new[] { Dim.Const(1), Dim.Const(1) }))), a.Shape));
    }

    /// <summary>Weight of the first operand in max(a, b): 1 where a &gt; b, 1/2 where tied, else 0.</summary>
    private static Node Share(GraphBuilder b, Node a, Node c) => b.Add(b.Gt(a, c), b.Mul(b.Const(0.5), b.Eq(a, c)));

    private static Node MaxRoute(GraphBuilder b, Node n, Node g)
    {
        var x = n[0];
        if (n.Attrs.Ints is { Length: > 0 } flags && flags[0] == GraphBuilder.FirstMax && n.Attrs.Axes.All(a => x.Shape[a].IsConstant))
            return b.Mul(b.BroadcastTo(g, x.Shape), FirstArgMax(b, x, n.Attrs.Axes));
        var mask = b.Eq(x, b.BroadcastTo(n, x.Shape));
        var count = b.Reduce(OpKind.ReduceSum, mask, n.Attrs.Axes, keepDims: true);
        return b.Mul(b.BroadcastTo(g, x.Shape), b.Div(mask, b.BroadcastTo(count, x.Shape)));
    }

    /// <summary>1 at the first maximum of x over <paramref name="axes"/> (row-major order within them), 0 elsewhere.</summary>
    private static Node FirstArgMax(GraphBuilder b, Node x, IReadOnlyList<int> axes)
    {
        int r = x.Shape.Rank;
        var perm = Enumerable.Range(0, r).Where(i => !axes.Contains(i)).Concat(axes.OrderBy(a => a)).ToArray();
        var moved = b.Permute(x, perm);
        var window = axes.Aggregate(Dim.Const(1), (p, a) => p * x.Shape[a]);
        var flat = b.Reshape(moved, new Shape(moved.Shape.Dims.Take(r - axes.Count).Concat(new[] { window })));
        // Positions within the window as a [window] vector broadcast by the comparison (not a full-size tensor in memory).
        var position = b.BroadcastTo(b.Iota(new Shape(window), 0), flat.Shape);
        var first = b.Eq(position, b.BroadcastTo(b.ArgMax(flat, -1, keepDims: true), flat.Shape));
        return b.Permute(b.Reshape(first, moved.Shape), Inverse(perm));
    }

    /// <summary>Sums <paramref name="g"/> over the axes that a broadcast to its shape expanded.</summary>
    public static Node SumTo(GraphBuilder b, Node g, Shape shape)
    {
        var axes = Enumerable.Range(0, shape.Rank).Where(i => shape[i] != g.Shape[i]).ToArray();
        return b.Reshape(b.Reduce(OpKind.ReduceSum, g, axes, keepDims: true), shape);
    }

    private static int[] Inverse(int[] perm)
    {
        var inv = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
        return inv;
    }

    private static Node?[] MatMulRule(GraphBuilder b, Node n, Node g)
    {
        Node a = n[0], c = n[1];
        return (n.Attrs.TransA, n.Attrs.TransB) switch
        {
            (false, false) => new[] { b.MatMul(g, c, transB: true), b.MatMul(a, g, transA: true) },
            (true, false) => new[] { b.MatMul(c, g, transB: true), b.MatMul(a, g) },
            (false, true) => new[] { b.MatMul(g, c), b.MatMul(g, a, transA: true) },
            (true, true) => new[] { b.MatMul(c, g, transA: true, transB: true), b.MatMul(g, a, transA: true, transB: true) },
        };
    }
}
