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
        "Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "Lt", "Le", "Gt", "Ge", "Eq", "Ne", "Where",
        "Sum", "Mean", "Max", "Min", "Reshape", "Permute", "Transpose", "BroadcastTo", "MatMul", "Solve",
        "Softmax", "LogSoftmax", "LogSumExp", "SoftmaxCrossEntropy", "Mse", "Mae", "Huber",
        "BinaryCrossEntropyWithLogits", "Softplus", "Hinge", "OneHot", "Eye",
    };

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
            "Eye" => b.Eye(I(0)),
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

    public static Dim AsDim(Value v, string op) => v switch
    {
        ScalarValue s when s.Value == Math.Floor(s.Value) => Dim.Const((long)s.Value),
        DimValue d => d.Dim,
        _ => throw Invalid(op, "expected an integer dim"),
    };

    private static ShapeError Invalid(string op, string why) => new(ShapeErrorKind.InvalidArgument, $"{op}: {why}");
}
