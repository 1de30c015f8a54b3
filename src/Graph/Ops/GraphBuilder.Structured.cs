using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Primitives with their own runtime routine: sliding windows and their adjoint, gather and scatter-add,
/// slice and pad along one axis, model state and random draws. Each pair is the other's gradient.
/// </summary>
public sealed partial class GraphBuilder
{
    private sealed class SaltCounter { public int Next; }

    private SaltCounter _salts = new(); // shared with nested builders (loop bodies), so every random call site of an entry has its own stream

    /// <summary>A builder for a loop body inside this graph: the same mode, random draws on streams of their own, the same warnings.</summary>
    public GraphBuilder Nested() => new() { Training = Training, _salts = _salts, _warnings = _warnings };

    private List<string> _warnings = new();

    /// <summary>What the ops built so far found suspicious but legal (a loss whose operands broadcast against each other); the generator reports each as a warning where the op is called.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Whether composites build their training-mode form (batch statistics, dropout masks).</summary>
    public bool Training { get; set; }

    /// <summary>
    /// The index (as a float) of the largest value along <paramref name="axis"/>, the first one on ties as NumPy and
    /// PyTorch choose; the axis removed, or kept as a dim of 1. Not differentiable: a constant to autodiff.
    /// </summary>
    public Node ArgMax(Node x, int axis = -1, bool keepDims = false) => ArgExtreme(OpKind.ArgMax, x, axis, keepDims);

    /// <summary>The index (as a float) of the smallest value along <paramref name="axis"/>, the first one on ties.</summary>
    public Node ArgMin(Node x, int axis = -1, bool keepDims = false) => ArgExtreme(OpKind.ArgMin, x, axis, keepDims);

    /// <summary>The indices (as floats) that sort <paramref name="x"/> along <paramref name="axis"/>: stable (equal values keep their order), NaN counted largest; not differentiable.</summary>
    public Node ArgSort(Node x, int axis = -1, bool descending = false)
    {
        if (x.Shape.Rank == 0) throw new ShapeError(ShapeErrorKind.WrongRank, "argsort needs a tensor of rank 1 or more, got a scalar");
        axis = NormalizeAxis(axis, x.Shape.Rank, "argsort");
        return Prim(OpKind.ArgSort, x.Shape, new NodeAttrs { Axes = new[] { axis }, Ints = new[] { descending ? 1 : 0 } }, x);
    }

    /// <summary>Element j along <paramref name="axis"/> of the result is x at position indices[j] (numpy's take_along_axis); the gradient flows back to those positions.</summary>
    public Node TakeAlong(Node x, Node indices, int axis)
    {
        axis = NormalizeAxis(axis, x.Shape.Rank, "take_along");
        if (indices.Shape.Rank != x.Shape.Rank || Enumerable.Range(0, x.Shape.Rank).Any(a => a != axis && indices.Shape[a] != x.Shape[a]))
            throw new ShapeError(ShapeErrorKind.Mismatch, $"take_along axis {axis}: indices {indices.Shape} must match {x.Shape} on every other axis");
        if (!x.Shape[axis].IsConstant) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"take_along: axis {axis} of {x.Shape} must have a constant size");
        return Prim(OpKind.TakeAlong, indices.Shape, new NodeAttrs { Axes = new[] { axis } }, x, indices);
    }

    /// <summary>The adjoint of <see cref="TakeAlong"/>: values summed into a tensor of <paramref name="size"/> along the axis, at the indices.</summary>
    public Node PutAlong(Node indices, Node values, int axis, int size)
    {
        var shape = new Shape(values.Shape.Dims.Select((d, i) => i == axis ? Dim.Const(size) : d));
        return Prim(OpKind.PutAlong, shape, new NodeAttrs { Axes = new[] { axis }, Ints = new[] { size } }, indices, values);
    }

    /// <summary><paramref name="x"/> sorted along <paramref name="axis"/> (stable); the gradient goes back to where each value came from.</summary>
    public Node Sort(Node x, int axis = -1, bool descending = false) => TakeAlong(x, ArgSort(x, axis, descending), axis);

    /// <summary>The <paramref name="k"/> largest (or smallest) values along <paramref name="axis"/>, in that order, and their indices.</summary>
    public (Node Values, Node Indices) TopK(Node x, int k, int axis = -1, bool largest = true)
    {
        if (x.Shape.Rank == 0) throw new ShapeError(ShapeErrorKind.WrongRank, "topk needs a tensor of rank 1 or more, got a scalar");
        axis = NormalizeAxis(axis, x.Shape.Rank, "topk");
        var n = x.Shape[axis];
        if (!n.IsConstant) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"topk: axis {axis} of {x.Shape} must have a constant size");
        if (k < 1 || k > n.Coef) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"topk: k = {k} must be between 1 and {n.Coef}, the size of axis {axis} of {x.Shape}");
        var indices = Slice(ArgSort(x, axis, largest), axis, 0, k);
        return (TakeAlong(x, indices, axis), indices);
    }

    /// <summary>Running sums along <paramref name="axis"/> (from the last element when <paramref name="reverse"/>); the gradient is the running sum the other way.</summary>
    public Node CumSum(Node x, int axis = -1, bool reverse = false)
    {
        if (x.Shape.Rank == 0) throw new ShapeError(ShapeErrorKind.WrongRank, "cumsum needs a tensor of rank 1 or more, got a scalar");
        axis = NormalizeAxis(axis, x.Shape.Rank, "cumsum");
        return Prim(OpKind.CumSum, x.Shape, new NodeAttrs { Axes = new[] { axis }, Ints = new[] { reverse ? 1 : 0 } }, x);
    }

    /// <summary>
    /// The eigendecomposition of a symmetric matrix [n, n] (its upper triangle is read), as numpy's eigh: eigenvalues
    /// ascending and eigenvectors as the matching columns, each vector's largest component positive. Gradients flow
    /// through both (the eigenvectors' where the eigenvalues are distinct).
    /// </summary>
    public (Node Values, Node Vectors) Eigh(Node a)
    {
        if (a.Shape.Rank != 2 || a.Shape[0] != a.Shape[1] || !a.Shape[0].IsConstant)
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"eigh needs a square matrix of constant size, got {a.Shape}");
        var n = a.Shape[0];
        return EighParts(Prim(OpKind.Eigh, new Shape(Dim.Const(n.Coef + 1), n), NodeAttrs.None, a)); // one decomposition for both
    }

    /// <summary>
    /// The lower-triangular L with A = L·Lᵀ for each symmetric positive definite A [..., n, n] (A is read as (A + Aᵀ)/2);
    /// a matrix that is not positive definite is a run-time error naming the pivot. Differentiable.
    /// </summary>
    public Node Cholesky(Node a)
    {
        SquareSize(a, "cholesky");
        return Prim(OpKind.Cholesky, a.Shape, NodeAttrs.None, a);
    }

    /// <summary>
    /// The sign of det A and log |det A| for each square A [..., n, n] (numpy's slogdet; LU at run time): a singular
    /// matrix gives sign 0 and −∞. The log carries the gradient A⁻ᵀ; the sign is a constant.
    /// </summary>
    public (Node Sign, Node LogAbsDet) SLogDet(Node a)
    {
        SquareSize(a, "slogdet");
        var batch = a.Shape.Dims.Take(a.Shape.Rank - 2).ToList();
        var both = Prim(OpKind.SLogDet, new Shape(batch.Concat(new[] { Dim.Const(2) })), NodeAttrs.None, a);
        return SLogDetParts(both);
    }

    /// <summary>The sign (index 0 of the last axis) and log |det| (index 1) of an <see cref="OpKind.SLogDet"/> result.</summary>
    public (Node Sign, Node LogAbsDet) SLogDetParts(Node slogdet)
    {
        var batch = new Shape(slogdet.Shape.Dims.Take(slogdet.Shape.Rank - 1));
        int last = slogdet.Shape.Rank - 1;
        return (Reshape(Slice(slogdet, last, 0, 1), batch), Reshape(Slice(slogdet, last, 1, 1), batch));
    }

    /// <summary>log det A for each square A [..., n, n], like torch.logdet: NaN where the determinant is negative, −∞ where it is 0.</summary>
    public Node LogDet(Node a)
    {
        var (sign, logAbs) = SLogDet(a);
        return Add(logAbs, Log(sign)); // log 1 = 0, log 0 = −∞, log −1 = NaN
    }

    private static Dim SquareSize(Node a, string op)
    {
        int r = a.Shape.Rank;
        if (r < 2 || a.Shape[r - 1] != a.Shape[r - 2] || !a.Shape[r - 1].IsConstant)
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"{op} needs square matrices [..., n, n] of constant n, got {a.Shape}");
        return a.Shape[r - 1];
    }

    /// <summary>The eigenvalues [n] (row 0) and eigenvectors [n, n] (rows 1..n) of an <see cref="OpKind.Eigh"/> result.</summary>
    public (Node Values, Node Vectors) EighParts(Node eigh)
    {
        var n = eigh.Shape[1];
        return (Reshape(Slice(eigh, 0, 0, 1), new Shape(n)), Slice(eigh, 0, 1, (int)n.Coef));
    }

    private Node ArgExtreme(OpKind op, Node x, int axis, bool keepDims)
    {
        if (x.Shape.Rank == 0) throw new ShapeError(ShapeErrorKind.WrongRank, $"{op.Info().Name} needs a tensor of rank 1 or more, got a scalar");
        axis = NormalizeAxis(axis, x.Shape.Rank, op.Info().Name);
        var kept = new Shape(x.Shape.Dims.Select((d, i) => i == axis ? Dim.Const(1) : d));
        var r = Prim(op, kept, new NodeAttrs { Axes = new[] { axis } }, x);
        return keepDims ? r : Reshape(r, new Shape(x.Shape.Dims.Where((_, i) => i != axis)));
    }

    /// <summary>A model buffer: read like a parameter, updated only through <see cref="UpdateState"/>.</summary>
    public Node State(string name, Shape shape) => Prim(OpKind.State, shape, new NodeAttrs { Name = name });

    /// <summary>Writes <paramref name="value"/> to the buffer or parameter <paramref name="state"/> after the entry point has run.</summary>
    public void UpdateState(Node state, Node value)
    {
        if (state.Op is not (OpKind.State or OpKind.Param))
            throw new ShapeError(ShapeErrorKind.InvalidArgument, "running statistics must be [Buffer] fields of the model");
        if (!value.Shape.Equals(state.Shape))
            throw new ShapeError(ShapeErrorKind.Mismatch, $"update of buffer '{state.Attrs.Name}' {state.Shape} has shape {value.Shape}");
        Graph.SetOutput(StatePrefix + state.Attrs.Name, value);
    }

    /// <summary>The output name prefix of buffer updates.</summary>
    public const string StatePrefix = "state.";

    /// <summary>Uniform draws on [0, 1); each call site gets its own stream, each call of the entry point new values.</summary>
    public Node RandomUniform(Shape shape) => Prim(OpKind.Random, shape, new NodeAttrs { Value = _salts.Next++ });

    /// <summary>Standard normal draws (Box–Muller over two uniform streams): constants to autodiff, so <c>mu + sigma * Normal(...)</c> carries gradients to mu and sigma.</summary>
    public Node RandomNormal(Shape shape)
    {
        var radius = Sqrt(Mul(Const(-2), Log(Sub(Const(1), RandomUniform(shape))))); // 1 - u is in (0, 1]
        return Mul(radius, Cos(Mul(Const(2 * System.Math.PI), RandomUniform(shape))));
    }

    /// <summary>A random permutation of 0 .. n − 1 (as floats): the order that sorts n uniform draws, every order equally likely.</summary>
    public Node Permutation(Dim n) => ArgSort(RandomUniform(new Shape(n)));

    /// <summary>1 with probability <paramref name="p"/>, else 0, elementwise; no gradient flows to p.</summary>
    public Node Bernoulli(Node p) => Lt(RandomUniform(p.Shape), StopGradient(p));

    /// <summary>
    /// One draw per row from softmax(<paramref name="logits"/>) over the last axis, as an index (a float), by the
    /// Gumbel-max trick: argmax(logits − log(−log u)). The result drops the last axis; no gradient flows to the logits.
    /// </summary>
    public Node Categorical(Node logits)
    {
        if (logits.Shape.Rank == 0) throw new ShapeError(ShapeErrorKind.WrongRank, "categorical needs logits with a last axis of categories, got a scalar");
        var u = Add(RandomUniform(logits.Shape), Const(1.0 / (1 << 25))); // in (0, 1): the Gumbel noise stays finite
        return ArgMax(Sub(StopGradient(logits), Log(Neg(Log(u)))), -1);
    }

    /// <summary>Sliding windows: x [N, C, S...] (1 or 2 spatial dims) to [N, O..., C, K...], zero outside the input.</summary>
    public Node Window(Node x, Window w)
    {
        var spatial = WindowPositions(x.Shape, w);
        var shape = new Shape(new[] { x.Shape[0] }.Concat(spatial).Concat(new[] { x.Shape[1] }).Concat(w.Kernel.Select(k => Dim.Const(k))));
        return Prim(OpKind.Window, shape, new NodeAttrs { Ints = w.ToInts() }, x);
    }

    /// <summary>The window positions along each spatial dim of an input [N, C, S...], after checking that the window fits.</summary>
    private static Dim[] WindowPositions(Shape x, Window w)
    {
        int s = w.Rank;
        if (x.Rank != 2 + s)
            throw new ShapeError(ShapeErrorKind.WrongRank, $"a {s}-d window needs an input [N, C{string.Concat(Enumerable.Repeat(", L", s))}], got {x}");
        var spatial = new Dim[s];
        for (int i = 0; i < s; i++)
        {
            var d = x[2 + i];
            if (!d.IsConstant) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"window: spatial dims must be constants, got {x}");
            int o = w.Positions(i, (int)d.Coef);
            if (o < 1)
                throw new ShapeError(ShapeErrorKind.Mismatch, $"window {w} does not fit in input {x}: dim {2 + i} of {d.Coef} is smaller than the dilated kernel");
            spatial[i] = o;
        }
        return spatial;
    }

    /// <summary>
    /// A stride-1 convolution computed directly from the image (<see cref="OpKind.Convolve"/>): x [N, C, S...] by weights
    /// [O, C, K...] to [N, O, O...]. <see cref="Conv(Node, Node, Node?, int[], int[], int[], int[], int)"/> picks it for small channel counts.
    /// </summary>
    public Node Convolve(Node x, Node weight, Window w)
    {
        var spatial = WindowPositions(x.Shape, w);
        if (w.Stride.Any(v => v != 1)) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"convolve: direct convolution runs stride 1, got {w}");
        if (weight.Shape.Rank != 2 + w.Rank || weight.Shape[1] != x.Shape[1] || !weight.Shape.Dims.Skip(2).Select(d => d.Coef).SequenceEqual(w.Kernel.Select(k => (long)k)))
            throw new ShapeError(ShapeErrorKind.Mismatch, $"convolve: weights {weight.Shape} do not match input {x.Shape} and window {w}");
        return Prim(OpKind.Convolve, new Shape(new[] { x.Shape[0], weight.Shape[0] }.Concat(spatial)), new NodeAttrs { Ints = w.ToInts() }, x, weight);
    }

    /// <summary>The weight gradient of a <see cref="Convolve"/> with window <paramref name="w"/>: output gradient g [N, O, O...] and images x to weights of shape <paramref name="weights"/>.</summary>
    public Node ConvolveWeights(Node g, Node x, Window w, Shape weights) =>
        Prim(OpKind.ConvolveWeights, weights, new NodeAttrs { Ints = w.ToInts() }, g, x);

    /// <summary>The adjoint of <see cref="Window"/>: windows [N, O..., C, K...] summed back into an input of shape <paramref name="input"/>.</summary>
    public Node Unwindow(Node cols, Window w, Shape input) =>
        Prim(OpKind.Unwindow, input, new NodeAttrs { Ints = w.ToInts() }, cols);

    /// <summary>Rows of <paramref name="table"/> [V, D...] at <paramref name="ids"/> (integers stored as floats): [ids..., D...].</summary>
    public Node Gather(Node table, Node ids)
    {
        if (table.Shape.Rank < 1) throw new ShapeError(ShapeErrorKind.WrongRank, $"gather needs a table of rank 1 or more, got {table.Shape}");
        var shape = new Shape(ids.Shape.Dims.Concat(table.Shape.Dims.Skip(1)));
        return Prim(OpKind.Gather, shape, NodeAttrs.None, table, ids);
    }

    /// <summary>Sums each row of <paramref name="values"/> [ids..., D...] into row ids[i] of a [rows, D...] result.</summary>
    public Node ScatterAdd(Node ids, Node values, int rows)
    {
        int r = ids.Shape.Rank;
        if (values.Shape.Rank < r || !values.Shape.Dims.Take(r).SequenceEqual(ids.Shape.Dims))
            throw new ShapeError(ShapeErrorKind.Mismatch, $"scatter_add: values {values.Shape} must start with the ids' shape {ids.Shape}");
        var shape = new Shape(new[] { Dim.Const(rows) }.Concat(values.Shape.Dims.Skip(r)));
        return Prim(OpKind.ScatterAdd, shape, new NodeAttrs { Ints = new[] { rows } }, ids, values);
    }

    /// <summary>Elements <paramref name="start"/> .. start + length − 1 along <paramref name="axis"/>.</summary>
    public Node Slice(Node x, int axis, int start, int length) => Slice(x, axis, Dim.Const(start), Dim.Const(length));

    /// <summary>
    /// Elements <paramref name="start"/> .. start + length − 1 along <paramref name="axis"/>, where the axis, the start and
    /// the length may be symbolic: <c>x[:, 1:]</c> of [B, T] is <c>Slice(x, 1, 1, T-1)</c>. What cannot be checked here
    /// (that T − 1 ≥ 1) the entry point checks once the dims are bound.
    /// </summary>
    public Node Slice(Node x, int axis, Dim start, Dim length)
    {
        axis = NormalizeAxis(axis, x.Shape.Rank, "slice");
        var d = x.Shape[axis];
        var rest = d - start - length;
        if (start.IsConstant && start.Coef < 0 || length.IsConstant && length.Coef < 1 || rest.IsConstant && rest.Coef < 0)
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"slice [{start}, {start + length}) is out of range for axis {axis} of {x.Shape}");
        if (start == Dim.Const(0) && length == d) return x;
        var shape = new Shape(x.Shape.Dims.Select((v, i) => i == axis ? length : v));
        return Prim(OpKind.Slice, shape, new NodeAttrs { Axes = new[] { axis }, DimValue = start }, x);
    }

    /// <summary>Index <paramref name="index"/> along <paramref name="axis"/>, the axis removed (torch.select; <c>x[.., t]</c>).</summary>
    public Node Select(Node x, int axis, int index)
    {
        axis = NormalizeAxis(axis, x.Shape.Rank, "select");
        var d = x.Shape[axis];
        if (d.IsConstant && (index < 0 || index >= d.Coef))
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"select: index {index} is out of range for axis {axis} of {x.Shape}");
        return Reshape(Slice(x, axis, index, 1), new Shape(x.Shape.Dims.Where((_, i) => i != axis).ToList()));
    }

    /// <summary>Zero padding along <paramref name="axis"/>: <paramref name="before"/> zeros, the input, <paramref name="after"/> zeros.</summary>
    public Node Pad(Node x, int axis, int before, int after)
    {
        if (before < 0 || after < 0) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"pad widths must not be negative, got {before} and {after}");
        return Pad(x, axis, Dim.Const(before), Dim.Const(after));
    }

    /// <summary>Zero padding whose widths may be symbolic (a concatenation along a run-time axis pads each part by the others' lengths).</summary>
    public Node Pad(Node x, int axis, Dim before, Dim after)
    {
        axis = NormalizeAxis(axis, x.Shape.Rank, "pad");
        if (before == Dim.Const(0) && after == Dim.Const(0)) return x;
        var shape = new Shape(x.Shape.Dims.Select((v, i) => i == axis ? v + before + after : v));
        return Prim(OpKind.Pad, shape, new NodeAttrs { Axes = new[] { axis }, DimValue = before }, x);
    }

    /// <summary>The zeros a <see cref="OpKind.Pad"/> adds after its input.</summary>
    public static Dim PadAfter(Node pad)
    {
        int axis = pad.Attrs.Axes[0];
        return pad.Shape[axis] - pad[0].Shape[axis] - pad.Attrs.DimValue;
    }
}
