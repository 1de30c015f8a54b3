using System;

namespace GraphNet.Compiler;

/// <summary>One row of facts per primitive op.</summary>
public readonly struct OpInfo
{
    public OpInfo(OpCategory category, string name) { Category = category; Name = name; }

    public OpCategory Category { get; }

    /// <summary>The lower-case name used in IR dumps and kernel comments.</summary>
    public string Name { get; }

    public bool IsElementwise => Category is OpCategory.Unary or OpCategory.Binary or OpCategory.Ternary;
}

public static class OpTable
{
    public static OpInfo Info(this OpKind op) => op switch
    {
        OpKind.Input => new(OpCategory.Leaf, "input"),
        OpKind.Param => new(OpCategory.Leaf, "param"),
        OpKind.Const => new(OpCategory.Leaf, "const"),
        OpKind.DimValue => new(OpCategory.Leaf, "dim"),
        OpKind.Iota => new(OpCategory.Leaf, "iota"),
        OpKind.State => new(OpCategory.Leaf, "state"),
        OpKind.Random => new(OpCategory.Leaf, "random"),
        OpKind.Neg => new(OpCategory.Unary, "neg"),
        OpKind.Exp => new(OpCategory.Unary, "exp"),
        OpKind.Log => new(OpCategory.Unary, "log"),
        OpKind.Sqrt => new(OpCategory.Unary, "sqrt"),
        OpKind.Abs => new(OpCategory.Unary, "abs"),
        OpKind.Sign => new(OpCategory.Unary, "sign"),
        OpKind.Tanh => new(OpCategory.Unary, "tanh"),
        OpKind.Erf => new(OpCategory.Unary, "erf"),
        OpKind.Sigmoid => new(OpCategory.Unary, "sigmoid"),
        OpKind.Relu => new(OpCategory.Unary, "relu"),
        OpKind.Sin => new(OpCategory.Unary, "sin"),
        OpKind.Cos => new(OpCategory.Unary, "cos"),
        OpKind.StopGradient => new(OpCategory.Unary, "stop_gradient"),
        OpKind.Add => new(OpCategory.Binary, "add"),
        OpKind.Sub => new(OpCategory.Binary, "sub"),
        OpKind.Mul => new(OpCategory.Binary, "mul"),
        OpKind.Div => new(OpCategory.Binary, "div"),
        OpKind.Pow => new(OpCategory.Binary, "pow"),
        OpKind.Max => new(OpCategory.Binary, "max"),
        OpKind.Min => new(OpCategory.Binary, "min"),
        OpKind.Lt => new(OpCategory.Binary, "lt"),
        OpKind.Le => new(OpCategory.Binary, "le"),
        OpKind.Gt => new(OpCategory.Binary, "gt"),
        OpKind.Ge => new(OpCategory.Binary, "ge"),
        OpKind.Eq => new(OpCategory.Binary, "eq"),
        OpKind.Ne => new(OpCategory.Binary, "ne"),
        OpKind.Where => new(OpCategory.Ternary, "where"),
        OpKind.ReduceSum => new(OpCategory.Reduce, "sum"),
        OpKind.ReduceMax => new(OpCategory.Reduce, "max_reduce"),
        OpKind.Reshape => new(OpCategory.Movement, "reshape"),
        OpKind.Expand => new(OpCategory.Movement, "expand"),
        OpKind.Permute => new(OpCategory.Movement, "permute"),
        OpKind.MatMul => new(OpCategory.MatMul, "matmul"),
        OpKind.Solve => new(OpCategory.Solve, "solve"),
        OpKind.Window => new(OpCategory.Structured, "window"),
        OpKind.Unwindow => new(OpCategory.Structured, "unwindow"),
        OpKind.Gather => new(OpCategory.Structured, "gather"),
        OpKind.ScatterAdd => new(OpCategory.Structured, "scatter_add"),
        OpKind.Slice => new(OpCategory.Structured, "slice"),
        OpKind.Pad => new(OpCategory.Structured, "pad"),
        OpKind.ArgMax => new(OpCategory.Structured, "argmax"),
        OpKind.ArgMin => new(OpCategory.Structured, "argmin"),
        OpKind.ArgSort => new(OpCategory.Structured, "argsort"),
        OpKind.TakeAlong => new(OpCategory.Structured, "take_along"),
        OpKind.PutAlong => new(OpCategory.Structured, "put_along"),
        OpKind.CumSum => new(OpCategory.Structured, "cumsum"),
        OpKind.Eigh => new(OpCategory.Structured, "eigh"),
        OpKind.Cholesky => new(OpCategory.Structured, "cholesky"),
        OpKind.SLogDet => new(OpCategory.Structured, "slogdet"),
        OpKind.Attention => new(OpCategory.Structured, "attention"),
        OpKind.Convolve => new(OpCategory.Structured, "convolve"),
        OpKind.ConvolveWeights => new(OpCategory.Structured, "convolve_weights"),
        OpKind.AttentionGrad => new(OpCategory.Structured, "attention_grad"),
        OpKind.Scan => new(OpCategory.Scan, "scan"),
        OpKind.ScanOutput => new(OpCategory.Scan, "scan_output"),
    };

    public static OpCategory Category(this OpKind op) => op.Info().Category;

    public static bool IsElementwise(this OpKind op) => op.Info().IsElementwise;
}
