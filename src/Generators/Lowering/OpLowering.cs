using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;

namespace GraphNet.Generators;

/// <summary>
/// Maps each user-facing op (GraphNet.Ops and Tensor methods, by name and positional arguments)
/// to the <see cref="GraphBuilder"/> call that defines it. A test checks this covers every public op.
/// </summary>
internal static class OpLowering
{
    public static readonly string[] Names =
    {
        "Neg", "Exp", "Log", "Sqrt", "Abs", "Sign", "Tanh", "Sigmoid", "Relu", "Square", "StopGradient",
        "Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "Lt", "Le", "Gt", "Ge", "Eq", "Ne", "Where", "Clamp",
        "Sum", "Mean", "Max", "Min", "Reshape", "Permute", "Transpose", "BroadcastTo", "MatMul", "Solve",
        "Softmax", "LogSoftmax", "LogSumExp", "SoftmaxCrossEntropy", "Mse", "Mae", "Huber",
        "BinaryCrossEntropyWithLogits", "Softplus", "Hinge", "OneHot", "Eye", "Zeros", "Ones",
        "Sin", "Cos", "Gelu", "Erf", "Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
        "GlobalAvgPool", "GlobalMaxPool", "BatchNorm", "LayerNorm", "Dropout", "Embedding", "Gather",
        "Concat", "Stack", "Split", "Chunk", "Slice", "Select", "Pad", "Attention", "AttentionWeights",
        "MultiHeadAttention", "SplitHeads", "MergeHeads", "SinusoidalPositions", "ArgMax", "ArgMin",
        "Uniform", "Normal", "Bernoulli", "Categorical", "Permutation", "ArgSort", "Sort", "TopK", "CumSum", "Eigh", "ScatterAdd",
        "Cholesky", "LogDet", "SLogDet", "SolveTriangular", "Grad",
    };

    /// <summary>Lowers a call whose result is a tensor, or an array of tensors for Split and Chunk.</summary>
    public static Value LowerValue(GraphBuilder b, string op, IReadOnlyList<Value> a)
    {
        if (op == "Eigh")
        {
            var (values, vectors) = b.Eigh(AsTensor(b, a[0], op));
            return new ArrayValue(new List<Value> { new TensorValue(values), new TensorValue(vectors) });
        }
        if (op == "SLogDet")
        {
            var (sign, logAbs) = b.SLogDet(AsTensor(b, a[0], op));
            return new ArrayValue(new List<Value> { new TensorValue(sign), new TensorValue(logAbs) });
        }
        if (op == "TopK")
        {
            var (values, indices) = b.TopK(AsTensor(b, a[0], op), AsInt(a[1], op), a.Count > 2 ? AsInt(a[2], op) : -1, a.Count <= 3 || a[3] is not BoolValue { Value: false });
            return new ArrayValue(new List<Value> { new TensorValue(values), new TensorValue(indices) });
        }
        if (op is "Split" or "Chunk")
        {
            var x = AsTensor(b, a[0], op);
            int axis = a.Count > 2 ? AsInt(a[2], op) : 0;
            var parts = op == "Split"
                ? b.Split(x, axis, a[1] is ArrayValue arr ? arr.Items.Select(v => AsInt(v, op)).ToArray() : throw Invalid(op, "expected the sizes as an array"))
                : b.Chunk(x, AsInt(a[1], op), axis);
            return new ArrayValue(parts.Select(p => (Value)new TensorValue(p)).ToList());
        }
        return new TensorValue(Lower(b, op, a));
    }

    public static Node Lower(GraphBuilder b, string op, IReadOnlyList<Value> a)
    {
        Node T(int i) => AsTensor(b, a[i], op);
        int I(int i) => AsInt(a[i], op);
        bool Bo(int i) => a[i] is BoolValue bv ? bv.Value : throw Invalid(op, "expected a bool");
        double F(int i) => a[i] is ScalarValue s ? s.Value : throw Invalid(op, "expected a constant number");
        int[]? Axes(int i) => a[i] switch
        {
            ArrayValue arr => arr.Items.Select(v => AsInt(v, op)).ToArray(),
            ScalarValue or DimValue => new[] { AsInt(a[i], op) },
            _ => throw Invalid(op, "expected axes"),
        };
        Dim[] Dims(int i) => a[i] is ArrayValue arr ? arr.Items.Select(v => AsDim(v, op)).ToArray() : new[] { AsDim(a[i], op) };
        IReadOnlyList<int>? ReduceAxes() => a.Count > 1 ? Axes(1) : null;
        Node? Opt(int i) => i < a.Count && a[i] is not NullValue ? T(i) : null;
        Node[] Many(int i) => a[i] is ArrayValue arr ? arr.Items.Select(v => AsTensor(b, v, op)).ToArray() : throw Invalid(op, "expected an array of tensors");
        Node Conv()
        {
            var x = T(0); var w = T(1);
            int stride = I(3), dilation = I(5), groups = I(6);
            return a[4] is StringValue mode ? b.Conv(x, w, Opt(2), stride, mode.Value, dilation, groups) : b.Conv(x, w, Opt(2), stride, I(4), dilation, groups);
        }
        Node Pool(bool max, int s)
        {
            int k = I(1), st = I(2) == 0 ? k : I(2), p = I(3);
            int[] R(int v) => Enumerable.Repeat(v, s).ToArray();
            return b.Pool(T(0), max, R(k), R(st), R(p));
        }
        bool Keep() => a.Count > 2 && Bo(2);

        return op switch
        {
            "Neg" => b.Neg(T(0)),
            "Exp" => b.Exp(T(0)),
            "Log" => b.Log(T(0)),
            "Sqrt" => b.Sqrt(T(0)),
            "Abs" => b.Abs(T(0)),
            "Sign" => b.Sign(T(0)),
            "Tanh" => b.Tanh(T(0)),
            "Sigmoid" => b.Sigmoid(T(0)),
            "Relu" => b.Relu(T(0)),
            "Square" => b.Square(T(0)),
            "StopGradient" => b.StopGradient(T(0)),
            "Add" => b.Add(T(0), T(1)),
            "Sub" => b.Sub(T(0), T(1)),
            "Mul" => b.Mul(T(0), T(1)),
            "Div" => b.Div(T(0), T(1)),
            "Pow" => b.Pow(T(0), T(1)),
            "Maximum" => b.Maximum(T(0), T(1)),
            "Minimum" => b.Minimum(T(0), T(1)),
            "Lt" => b.Lt(T(0), T(1)),
            "Le" => b.Le(T(0), T(1)),
            "Gt" => b.Gt(T(0), T(1)),
            "Ge" => b.Ge(T(0), T(1)),
            "Eq" => b.Eq(T(0), T(1)),
            "Ne" => b.Ne(T(0), T(1)),
            "Where" => b.Where(T(0), T(1), T(2)),
            "Clamp" => b.Minimum(b.Maximum(T(0), T(1)), T(2)),
            "Sum" => b.Sum(T(0), ReduceAxes(), Keep()),
            "Mean" => b.Mean(T(0), ReduceAxes(), Keep()),
            "Max" => b.Max(T(0), ReduceAxes(), Keep()),
            "Min" => b.Min(T(0), ReduceAxes(), Keep()),
            "Reshape" => b.Reshape(T(0), Dims(1)),
            "Permute" => b.Permute(T(0), Axes(1)!),
            "Transpose" => b.Transpose(T(0)),
            "BroadcastTo" => b.BroadcastTo(T(0), new Shape(Dims(1))),
            "MatMul" => b.MatMul(T(0), T(1), a.Count > 2 && Bo(2), a.Count > 3 && Bo(3)),
            "Solve" => b.Solve(T(0), T(1), a.Count > 2 && Bo(2)),
            "Softmax" => b.Softmax(T(0), a.Count > 1 ? I(1) : -1),
            "LogSoftmax" => b.LogSoftmax(T(0), a.Count > 1 ? I(1) : -1),
            "LogSumExp" => b.LogSumExp(T(0), a.Count > 1 ? I(1) : -1, Keep()),
            "SoftmaxCrossEntropy" => b.SoftmaxCrossEntropy(T(0), T(1)),
            "Mse" => b.Mse(T(0), T(1)),
            "Mae" => b.Mae(T(0), T(1)),
            "Huber" => b.Huber(T(0), T(1), a.Count > 2 ? F(2) : 1.0),
            "BinaryCrossEntropyWithLogits" => b.BinaryCrossEntropyWithLogits(T(0), T(1)),
            "Softplus" => b.Softplus(T(0)),
            "Hinge" => b.Hinge(T(0), T(1)),
            "OneHot" => b.OneHot(T(0), I(1)),
            "Eye" => b.Eye(AsDim(a[0], op)),
            "Zeros" => b.Full(0, new Shape(Dims(0))),
            "Ones" => b.Full(1, new Shape(Dims(0))),
            "Sin" => b.Sin(T(0)),
            "Cos" => b.Cos(T(0)),
            "Gelu" => a.Count > 1 && a[1] is StringValue mode ? b.Gelu(T(0), mode.Value) : b.Gelu(T(0)),
            "Erf" => b.Erf(T(0)),
            "Conv1d" or "Conv2d" => Conv(),
            "MaxPool1d" => Pool(true, 1),
            "MaxPool2d" => Pool(true, 2),
            "AvgPool1d" => Pool(false, 1),
            "AvgPool2d" => Pool(false, 2),
            "GlobalAvgPool" => b.GlobalPool(T(0), false),
            "GlobalMaxPool" => b.GlobalPool(T(0), true),
            "BatchNorm" => b.BatchNorm(T(0), T(1), T(2), T(3), T(4), F(5), F(6)),
            "LayerNorm" => b.LayerNorm(T(0), T(1), T(2), F(3)),
            "Dropout" => b.Dropout(T(0), F(1)),
            "Embedding" => b.Embedding(T(0), T(1)),
            "Gather" => b.Gather(T(0), T(1)),
            "Uniform" => b.RandomUniform(new Shape(Dims(0))),
            "Normal" => b.RandomNormal(new Shape(Dims(0))),
            "Bernoulli" => b.Bernoulli(T(0)),
            "Permutation" => b.Permutation(AsDim(a[0], op)),
            "Categorical" => b.Categorical(T(0)),
            "ScatterAdd" => b.ScatterAdd(T(0), T(1), I(2)),
            "ArgSort" => b.ArgSort(T(0), a.Count > 1 ? I(1) : -1, a.Count > 2 && Bo(2)),
            "Sort" => b.Sort(T(0), a.Count > 1 ? I(1) : -1, a.Count > 2 && Bo(2)),
            "Cholesky" => b.Cholesky(T(0)),
            "Grad" => Grad(b, T(0), T(1)),
            "LogDet" => b.LogDet(T(0)),
            "SolveTriangular" => b.SolveTriangular(T(0), T(1), Bo(2), a.Count > 3 && Bo(3)),
            "CumSum" => b.CumSum(T(0), a.Count > 1 ? I(1) : -1, a.Count > 2 && Bo(2)),
            "ArgMax" => b.ArgMax(T(0), a.Count > 1 ? I(1) : -1, a.Count > 2 && Bo(2)),
            "ArgMin" => b.ArgMin(T(0), a.Count > 1 ? I(1) : -1, a.Count > 2 && Bo(2)),
            "Concat" => b.Concat(Many(0), I(1)),
            "Stack" => b.Stack(Many(0), I(1)),
            "Slice" => b.Slice(T(0), I(1), AsDim(a[2], op), AsDim(a[3], op)),
            "SliceRange" => SliceRange(b, T(0), I(1), a[2], Bo(3), a[4], Bo(5)),
            "Select" => b.Select(T(0), I(1), I(2)),
            "Pad" => b.Pad(T(0), I(1), I(2), I(3)),
            "Attention" => b.Attention(T(0), T(1), T(2), Bo(3)),
            "AttentionWeights" => b.AttentionWeights(T(0), T(1), Bo(2)),
            "MultiHeadAttention" => b.MultiHeadAttention(T(0), T(1), T(2), I(3), Bo(4)),
            "SplitHeads" => b.SplitHeads(T(0), I(1)),
            "MergeHeads" => b.MergeHeads(T(0)),
            "SinusoidalPositions" => b.SinusoidalPositions(AsDim(a[0], op), I(1)),
            _ => throw Invalid(op, "this op is not known to the generator"),
        };
    }

    public static Node AsTensor(GraphBuilder b, Value v, string op) => v switch
    {
        TensorValue t => t.Node,
        ScalarValue s => b.Const(s.Value),
        DimValue d => b.DimValue(d.Dim),
        _ => throw Invalid(op, "expected a tensor or a number"),
    };

    public static int AsInt(Value v, string op) => v switch
    {
        ScalarValue s when s.Value == Math.Floor(s.Value) => (int)s.Value,
        DimValue { Dim.IsConstant: true } d => (int)d.Dim.Coef,
        _ => throw Invalid(op, "expected a constant integer (axes and counts cannot depend on run-time dims)"),
    };

    /// <summary>
    /// ∂y/∂x inside the program (y a scalar computed from x): the gradient's nodes join the graph, so a loss built from
    /// them is differentiated again by the entry's own autodiff (a gradient penalty, a contractive penalty: double backward).
    /// </summary>
    private static Node Grad(GraphBuilder b, Node y, Node x)
    {
        if (y.Shape.Size != Dim.Const(1))
            throw new ShapeError(ShapeErrorKind.WrongRank, $"grad differentiates a scalar, got {y.Shape}: reduce it first (Sum or Mean), or take Sum(y * v) for a vector-Jacobian product");
        return Gradients.Grad(b, y.Shape.Rank == 0 ? y : b.Reshape(y, Shape.Scalar), new[] { x })[0];
    }

    /// <summary><c>x[.., start..end]</c> along one axis: each bound absent (the axis' start or end), from the start, or <c>^k</c> from the end.</summary>
    private static Node SliceRange(GraphBuilder b, Node x, int axis, Value start, bool startFromEnd, Value end, bool endFromEnd)
    {
        if (axis >= x.Shape.Rank)
            throw new ShapeError(ShapeErrorKind.WrongRank, $"a range at axis {axis} of an index needs a tensor of rank {axis + 1} or more, got {x.Shape}");
        var d = x.Shape[axis];
        Dim Bound(Value v, bool fromEnd, Dim open) => v is NullValue ? open : fromEnd ? d - AsDim(v, "range") : AsDim(v, "range");
        Dim first = Bound(start, startFromEnd, Dim.Const(0)), last = Bound(end, endFromEnd, d);
        return b.Slice(x, axis, first, last - first);
    }

    public static Dim AsDim(Value v, string op) => v switch
    {
        ScalarValue s when s.Value == Math.Floor(s.Value) => Dim.Const((long)s.Value),
        DimValue d => d.Dim,
        TensorValue { Node: { Op: OpKind.Input, Attrs.DimValue: { IsConstant: false } count } } => count, // an entry's int argument: a run-time dim
        _ => throw Invalid(op, "expected an integer dim (a constant, x.Shape[i], an int argument, or sums and products of those)"),
    };

    private static ShapeError Invalid(string op, string why) => new(ShapeErrorKind.InvalidArgument, $"{op}: {why}");
}
