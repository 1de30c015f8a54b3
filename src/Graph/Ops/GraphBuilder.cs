using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Builds graph IR with shape inference. This is the one definition of every op's semantics:
/// the generator lowers spec methods through it and the eager runtime runs each call through it.
/// Primitives are in this file; composites (expanded here, before autodiff) in GraphBuilder.Composites.cs.
/// </summary>
public sealed partial class GraphBuilder
{
    public GraphBuilder(Graph? graph = null) { Graph = graph ?? new Graph(); }

    public Graph Graph { get; }

    private Node Prim(OpKind op, Shape shape, NodeAttrs attrs, params Node[] inputs) => Graph.Add(op, shape, attrs, inputs);

    // ---- leaves -------------------------------------------------------------------------

    public Node Input(string name, Shape shape) => Prim(OpKind.Input, shape, new NodeAttrs { Name = name });

    /// <summary>A rank-0 input holding an <c>int</c> argument that may serve as the run-time dim <paramref name="symbol"/> (a loop's length).</summary>
    public Node CountInput(string name, string symbol) => Prim(OpKind.Input, Shape.Scalar, new NodeAttrs { Name = name, DimValue = Dim.Sym(symbol) });

    public Node Param(string name, Shape shape) => Prim(OpKind.Param, shape, new NodeAttrs { Name = name });

    public Node Const(double value) => Prim(OpKind.Const, Shape.Scalar, new NodeAttrs { Value = value });

    public Node Full(double value, Shape shape) => BroadcastTo(Const(value), shape, "full");

    public Node DimValue(Dim d) => d.IsConstant ? Const(d.Coef) : Prim(OpKind.DimValue, Shape.Scalar, new NodeAttrs { DimValue = d });

    public Node Iota(Shape shape, int axis)
    {
        axis = NormalizeAxis(axis, shape.Rank, "iota");
        return Prim(OpKind.Iota, shape, new NodeAttrs { Axes = new[] { axis } });
    }

    // ---- elementwise --------------------------------------------------------------------

    public Node Unary(OpKind op, Node x)
    {
        if (op.Category() != OpCategory.Unary) throw new ArgumentException($"{op} is not unary", nameof(op));
        return Prim(op, x.Shape, NodeAttrs.None, x);
    }

    public Node Neg(Node x) => Unary(OpKind.Neg, x);
    public Node Exp(Node x) => Unary(OpKind.Exp, x);
    public Node Log(Node x) => Unary(OpKind.Log, x);
    public Node Sqrt(Node x) => Unary(OpKind.Sqrt, x);
    public Node Abs(Node x) => Unary(OpKind.Abs, x);
    public Node Sign(Node x) => Unary(OpKind.Sign, x);
    public Node Tanh(Node x) => Unary(OpKind.Tanh, x);
    public Node Erf(Node x) => Unary(OpKind.Erf, x);
    public Node Sigmoid(Node x) => Unary(OpKind.Sigmoid, x);
    public Node Relu(Node x) => Unary(OpKind.Relu, x);
    public Node Sin(Node x) => Unary(OpKind.Sin, x);
    public Node Cos(Node x) => Unary(OpKind.Cos, x);
    public Node StopGradient(Node x) => Unary(OpKind.StopGradient, x);

    /// <summary>A binary primitive with NumPy broadcasting.</summary>
    public Node Binary(OpKind op, Node a, Node b)
    {
        if (op.Category() != OpCategory.Binary) throw new ArgumentException($"{op} is not binary", nameof(op));
        var shape = BroadcastShape(a.Shape, b.Shape, op.Info().Name);
        return Prim(op, shape, NodeAttrs.None, BroadcastTo(a, shape, op.Info().Name), BroadcastTo(b, shape, op.Info().Name));
    }

    public Node Add(Node a, Node b) => Binary(OpKind.Add, a, b);
    public Node Sub(Node a, Node b) => Binary(OpKind.Sub, a, b);
    public Node Mul(Node a, Node b) => Binary(OpKind.Mul, a, b);
    public Node Div(Node a, Node b) => Binary(OpKind.Div, a, b);
    public Node Pow(Node a, Node b) => Binary(OpKind.Pow, a, b);
    public Node Maximum(Node a, Node b) => Binary(OpKind.Max, a, b);
    public Node Minimum(Node a, Node b) => Binary(OpKind.Min, a, b);
    public Node Lt(Node a, Node b) => Binary(OpKind.Lt, a, b);
    public Node Le(Node a, Node b) => Binary(OpKind.Le, a, b);
    public Node Gt(Node a, Node b) => Binary(OpKind.Gt, a, b);
    public Node Ge(Node a, Node b) => Binary(OpKind.Ge, a, b);
    public Node Eq(Node a, Node b) => Binary(OpKind.Eq, a, b);
    public Node Ne(Node a, Node b) => Binary(OpKind.Ne, a, b);

    /// <summary><c>cond != 0 ? a : b</c>, all three broadcast together.</summary>
    public Node Where(Node cond, Node a, Node b)
    {
        var shape = BroadcastShape(BroadcastShape(cond.Shape, a.Shape, "where"), b.Shape, "where");
        return Prim(OpKind.Where, shape, NodeAttrs.None,
            BroadcastTo(cond, shape, "where"), BroadcastTo(a, shape, "where"), BroadcastTo(b, shape, "where"));
    }

    // ---- reductions ---------------------------------------------------------------------

    /// <summary>A reduction over <paramref name="axes"/> (all axes when null or empty).</summary>
    public Node Reduce(OpKind op, Node x, IReadOnlyList<int>? axes, bool keepDims)
    {
        if (op.Category() != OpCategory.Reduce) throw new ArgumentException($"{op} is not a reduction", nameof(op));
        var ax = NormalizeAxes(axes, x.Shape.Rank, op.Info().Name);
        if (ax.Length == 0) return x;
        var kept = new Shape(x.Shape.Dims.Select((d, i) => ax.Contains(i) ? Dim.Const(1) : d));
        var r = Prim(op, kept, new NodeAttrs { Axes = ax }, x);
        return keepDims ? r : Reshape(r, new Shape(x.Shape.Dims.Where((_, i) => !ax.Contains(i))));
    }

    public Node Sum(Node x, IReadOnlyList<int>? axes = null, bool keepDims = false) => Reduce(OpKind.ReduceSum, x, axes, keepDims);

    public Node Max(Node x, IReadOnlyList<int>? axes = null, bool keepDims = false) => Reduce(OpKind.ReduceMax, x, axes, keepDims);

    /// <summary>
    /// The max over <paramref name="axes"/> whose gradient goes to the first arg-max (in row-major order over those axes)
    /// instead of being shared between tied maxima: how PyTorch's max pooling routes it, so input gradients agree on flat
    /// windows (an image's blank border, a ReLU's zeros).
    /// </summary>
    public Node MaxToFirst(Node x, IReadOnlyList<int> axes, bool keepDims = false)
    {
        var ax = NormalizeAxes(axes, x.Shape.Rank, "max");
        if (ax.Length == 0) return x;
        var kept = new Shape(x.Shape.Dims.Select((d, i) => ax.Contains(i) ? Dim.Const(1) : d));
        var r = Prim(OpKind.ReduceMax, kept, new NodeAttrs { Axes = ax, Ints = new[] { FirstMax } }, x);
        return keepDims ? r : Reshape(r, new Shape(x.Shape.Dims.Where((_, i) => !ax.Contains(i))));
    }

    /// <summary>The flag (Ints[0]) of a max reduction that routes its gradient to the first arg-max.</summary>
    public const int FirstMax = 1;

    // ---- movement -----------------------------------------------------------------------

    /// <summary>Reshape to <paramref name="target"/>; at most one dim may be -1 (inferred).</summary>
    public Node Reshape(Node x, IReadOnlyList<Dim> target)
    {
        var dims = target.ToArray();
        int infer = Array.FindIndex(dims, d => d.IsConstant && d.Coef == -1);
        if (dims.Count(d => d.IsConstant && d.Coef == -1) > 1)
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"reshape of {x.Shape}: at most one dim may be -1 in {Fmt(dims)}");
        if (dims.Any(d => d.IsConstant && d.Coef < 0 && d.Coef != -1 || d.Coef == 0))
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"reshape of {x.Shape}: dims must be positive (or -1) in {Fmt(dims)}");
        if (infer >= 0)
        {
            var known = dims.Where((_, i) => i != infer).Aggregate(Dim.Const(1), (a, d) => a * d);
            var q = Dim.TryDivide(x.Shape.Size, known)
                ?? throw new ShapeError(ShapeErrorKind.Mismatch, $"reshape cannot infer -1: {x.Shape} has {x.Shape.Size} elements, not a multiple of {known}");
            dims[infer] = q;
        }
        var shape = new Shape(dims);
        if (shape.Size != x.Shape.Size)
            throw new ShapeError(ShapeErrorKind.Mismatch, $"reshape from {x.Shape} to {shape}: element counts differ ({x.Shape.Size} vs {shape.Size})");
        return shape.Equals(x.Shape) ? x : Prim(OpKind.Reshape, shape, NodeAttrs.None, x);
    }

    public Node Reshape(Node x, Shape target) => Reshape(x, target.Dims);

    /// <summary>Reorders axes: output axis i is input axis <c>perm[i]</c>.</summary>
    public Node Permute(Node x, IReadOnlyList<int> perm)
    {
        int r = x.Shape.Rank;
        var p = perm.Select(a => NormalizeAxis(a, r, "permute")).ToArray();
        if (p.Length != r || p.Distinct().Count() != r)
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"permute of {x.Shape}: ({string.Join(", ", perm)}) is not a permutation of {r} axes");
        if (p.Select((a, i) => a == i).All(b => b)) return x;
        return Prim(OpKind.Permute, new Shape(p.Select(a => x.Shape[a])), new NodeAttrs { Axes = p }, x);
    }

    /// <summary>Swaps the last two axes.</summary>
    public Node Transpose(Node x)
    {
        int r = x.Shape.Rank;
        if (r < 2) throw new ShapeError(ShapeErrorKind.WrongRank, $"transpose needs at least 2 dims, got {x.Shape}");
        var p = Enumerable.Range(0, r).ToArray();
        (p[r - 2], p[r - 1]) = (p[r - 1], p[r - 2]);
        return Permute(x, p);
    }

    /// <summary>NumPy broadcasting of <paramref name="x"/> to <paramref name="shape"/>.</summary>
    public Node BroadcastTo(Node x, Shape shape, string op = "broadcast")
    {
        if (x.Shape.Equals(shape)) return x;
        if (x.Shape.Rank > shape.Rank) throw Mismatch(op, x.Shape, shape);
        int lead = shape.Rank - x.Shape.Rank;
        var aligned = new Shape(Enumerable.Repeat(Dim.Const(1), lead).Concat(x.Shape.Dims));
        for (int i = 0; i < shape.Rank; i++)
            if (aligned[i] != shape[i] && aligned[i] != Dim.Const(1)) throw Mismatch(op, x.Shape, shape);
        var r = Reshape(x, aligned);
        return aligned.Equals(shape) ? r : Prim(OpKind.Expand, shape, NodeAttrs.None, r);
    }

    // ---- matmul -------------------------------------------------------------------------

    /// <summary>
    /// Matrix product over the last two axes with batch broadcasting; <paramref name="transA"/> and
    /// <paramref name="transB"/> transpose the operands' last two axes. A 1-D operand is a vector.
    /// </summary>
    public Node MatMul(Node a, Node b, bool transA = false, bool transB = false)
    {
        if (a.Shape.Rank == 0 || b.Shape.Rank == 0)
            throw new ShapeError(ShapeErrorKind.WrongRank, $"matmul needs tensors of rank 1 or more, got {a.Shape} and {b.Shape}");
        if (a.Shape.Rank == 1)
        {
            var r = MatMul(Reshape(a, new Shape(Dim.Const(1), a.Shape[0])), b, false, transB);
            return Reshape(r, new Shape(r.Shape.Dims.Where((_, i) => i != r.Shape.Rank - 2)));
        }
        if (b.Shape.Rank == 1)
        {
            var r = MatMul(a, Reshape(b, new Shape(b.Shape[0], Dim.Const(1))), transA, false);
            return Reshape(r, new Shape(r.Shape.Dims.Take(r.Shape.Rank - 1)));
        }
        Dim m = a.Shape[a.Shape.Rank - (transA ? 1 : 2)], ka = a.Shape[a.Shape.Rank - (transA ? 2 : 1)];
        Dim kb = b.Shape[b.Shape.Rank - (transB ? 1 : 2)], n = b.Shape[b.Shape.Rank - (transB ? 2 : 1)];
        if (ka != kb)
            throw new ShapeError(ShapeErrorKind.Mismatch,
                $"matmul inner dims differ: {a.Shape}{(transA ? "ᵀ" : "")} x {b.Shape}{(transB ? "ᵀ" : "")} contracts {ka} with {kb}");
        var batchA = new Shape(a.Shape.Dims.Take(a.Shape.Rank - 2));
        var batchB = new Shape(b.Shape.Dims.Take(b.Shape.Rank - 2));
        // [..., M, K] x [K, N]: fold the batch into M (one GEMM, no copy of b).
        if (batchB.Rank == 0 && batchA.Rank > 0 && !transA)
        {
            var flat = Reshape(a, new Shape(batchA.Size * m, ka));
            var r = MatMul(flat, b, false, transB);
            return Reshape(r, new Shape(batchA.Dims.Concat(new[] { m, n })));
        }
        var batch = BroadcastShape(batchA, batchB, "matmul");
        var ea = BroadcastTo(a, new Shape(batch.Dims.Concat(a.Shape.Dims.Skip(a.Shape.Rank - 2))), "matmul");
        var eb = BroadcastTo(b, new Shape(batch.Dims.Concat(b.Shape.Dims.Skip(b.Shape.Rank - 2))), "matmul");
        return Prim(OpKind.MatMul, new Shape(batch.Dims.Concat(new[] { m, n })), new NodeAttrs { TransA = transA, TransB = transB }, ea, eb);
    }

    /// <summary>
    /// X with op(A)·X = B (LU with partial pivoting at run time; a singular A is a run-time error): A [..., n, n], B [..., n, k] (or [..., n] for one right-hand side), the leading batch axes equal
    /// (a batch of systems, one per user in ALS).
    /// </summary>
    public Node Solve(Node a, Node rhs, bool transA = false) => Solve(a, rhs, transA, 0);

    private Node Solve(Node a, Node rhs, bool transA, int triangle)
    {
        int r = a.Shape.Rank;
        if (r < 2)
            throw new ShapeError(ShapeErrorKind.WrongRank, $"solve needs square matrices [..., n, n] as A, got {a.Shape}");
        if (a.Shape[r - 1] != a.Shape[r - 2])
            throw new ShapeError(ShapeErrorKind.Mismatch, $"solve needs square matrices as A, got {a.Shape}");
        if (rhs.Shape.Rank == r - 1)
            return Reshape(Solve(a, Reshape(rhs, new Shape(rhs.Shape.Dims.Concat(new[] { Dim.Const(1) }))), transA, triangle), rhs.Shape);
        if (rhs.Shape.Rank != r)
            throw new ShapeError(ShapeErrorKind.WrongRank, $"solve: B {rhs.Shape} must have A's rank {r} (or one less, for one right-hand side)");
        if (!rhs.Shape.Dims.Take(r - 1).SequenceEqual(a.Shape.Dims.Take(r - 1)))
            throw new ShapeError(ShapeErrorKind.Mismatch, $"solve: A {a.Shape} and B {rhs.Shape} differ in their batch axes or row counts");
        return Prim(OpKind.Solve, rhs.Shape, triangle == 0 ? new NodeAttrs { TransA = transA } : new NodeAttrs { TransA = transA, Ints = new[] { triangle } }, a, rhs);
    }

    /// <summary>
    /// X with op(A)·X = B for a triangular A [..., n, n] (lower, or upper when <paramref name="upper"/>), by substitution;
    /// only that triangle of A is read, like torch.linalg.solve_triangular. B as for <see cref="Solve"/>.
    /// </summary>
    public Node SolveTriangular(Node a, Node rhs, bool upper, bool transA = false) => Solve(a, rhs, transA, upper ? 2 : 1);

    /// <summary>Which triangle a <see cref="OpKind.Solve"/> reads: 0 all of A (LU), 1 the lower, 2 the upper.</summary>
    public static int Triangle(Node solve) => solve.Attrs.Ints is { Length: > 0 } t ? t[0] : 0;

    // ---- shape helpers ------------------------------------------------------------------

    public static Shape BroadcastShape(Shape a, Shape b, string op)
    {
        int r = Math.Max(a.Rank, b.Rank);
        var dims = new Dim[r];
        for (int i = 0; i < r; i++)
        {
            Dim da = i < r - a.Rank ? 1 : a[i - (r - a.Rank)];
            Dim db = i < r - b.Rank ? 1 : b[i - (r - b.Rank)];
            if (da == db || db == Dim.Const(1)) dims[i] = da;
            else if (da == Dim.Const(1)) dims[i] = db;
            else throw Mismatch(op, a, b);
        }
        return new Shape(dims);
    }

    public static int NormalizeAxis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"{op}: axis {axis} is out of range for a tensor of rank {rank}");
        return a;
    }

    public static int[] NormalizeAxes(IReadOnlyList<int>? axes, int rank, string op) =>
        axes is null || axes.Count == 0
            ? Enumerable.Range(0, rank).ToArray()
            : axes.Select(a => NormalizeAxis(a, rank, op)).Distinct().OrderBy(a => a).ToArray();

    private static ShapeError Mismatch(string op, Shape a, Shape b) =>
        new(ShapeErrorKind.Mismatch, $"{op}: shapes {a} and {b} cannot be broadcast together");

    private static string Fmt(IEnumerable<Dim> dims) => "[" + string.Join(", ", dims) + "]";
}
