using System;

namespace GraphNet.Compiler;

/// <summary>
/// The defining scalar semantics of every elementwise primitive, in double precision. Constant
/// folding uses it and the runtime's reference kernels call it, so there is one definition.
/// Conventions at kinks: sign(0) = 0, relu'(0) = 0, abs'(0) = 0 (see Gradients); comparisons give 1 or 0.
/// </summary>
public static class ScalarSemantics
{
    public static double Apply(OpKind op, double a, double b = 0, double c = 0) => op switch
    {
        OpKind.Neg => -a,
        OpKind.Exp => Math.Exp(a),
        OpKind.Log => Math.Log(a),
        OpKind.Sqrt => Math.Sqrt(a),
        OpKind.Abs => Math.Abs(a),
        OpKind.Sign => a > 0 ? 1 : a < 0 ? -1 : 0,
        OpKind.Tanh => Math.Tanh(a),
        OpKind.Sigmoid => a >= 0 ? 1 / (1 + Math.Exp(-a)) : Math.Exp(a) / (1 + Math.Exp(a)),
        OpKind.Relu => a > 0 ? a : 0,
        OpKind.Sin => Math.Sin(a),
        OpKind.Cos => Math.Cos(a),
        OpKind.StopGradient => a,
        OpKind.Add => a + b,
        OpKind.Sub => a - b,
        OpKind.Mul => a * b,
        OpKind.Div => a / b,
        OpKind.Pow => Math.Pow(a, b),
        OpKind.Max => Math.Max(a, b),
        OpKind.Min => Math.Min(a, b),
        OpKind.Lt => a < b ? 1 : 0,
        OpKind.Le => a <= b ? 1 : 0,
        OpKind.Gt => a > b ? 1 : 0,
        OpKind.Ge => a >= b ? 1 : 0,
        OpKind.Eq => a == b ? 1 : 0,
        OpKind.Ne => a != b ? 1 : 0,
        OpKind.Where => a != 0 ? b : c,
        OpKind.Input or OpKind.Param or OpKind.Const or OpKind.DimValue or OpKind.Iota or OpKind.State or OpKind.Random
            or OpKind.ReduceSum or OpKind.ReduceMax or OpKind.Reshape or OpKind.Expand or OpKind.Permute or OpKind.MatMul or OpKind.Solve
            or OpKind.Window or OpKind.Unwindow or OpKind.Gather or OpKind.ScatterAdd or OpKind.Slice or OpKind.Pad or OpKind.ArgMax or OpKind.ArgMin or OpKind.ArgSort or OpKind.TakeAlong or OpKind.PutAlong or OpKind.CumSum or OpKind.EighValues or OpKind.EighVectors or OpKind.Scan or OpKind.ScanOutput
            => throw new ArgumentException($"{op} is not an elementwise op", nameof(op)),
    };
}
