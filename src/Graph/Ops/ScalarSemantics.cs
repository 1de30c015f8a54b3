using System;

namespace GraphNet.Compiler;

/// <summary>
/// The defining scalar semantics of every elementwise primitive, in double precision. Constant
/// folding uses it and the runtime's reference kernels call it, so there is one definition.
/// Conventions at kinks: sign(0) = 0, relu'(0) = 0, abs'(0) = 0 (see Gradients); comparisons give 1 or 0.
/// </summary>
public static class ScalarSemantics
{
    /// <summary>erf in double to about 1e-15: the Taylor series near 0, the continued fraction of erfc in the tails.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax > 6) return Math.Sign(x);
        if (ax <= 2.5)
        {
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc(x) = e^(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), by Lentz's method
        double tiny = 1e-300, f = ax, c = ax, d = 0;
        for (int k = 1; k < 500; k++)
        {
            double an = k / 2.0;
            d = ax + an * d; d = Math.Abs(d) < tiny ? tiny : d; d = 1 / d;
            c = ax + an / c; c = Math.Abs(c) < tiny ? tiny : c;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
        return Math.Sign(x) * (1 - erfc);
    }

    public static double Apply(OpKind op, double a, double b = 0, double c = 0) => op switch
    {
        OpKind.Neg => -a,
        OpKind.Exp => Math.Exp(a),
        OpKind.Log => Math.Log(a),
        OpKind.Sqrt => Math.Sqrt(a),
        OpKind.Abs => Math.Abs(a),
        OpKind.Sign => a > 0 ? 1 : a < 0 ? -1 : 0,
        OpKind.Tanh => Math.Tanh(a),
        OpKind.Erf => Erf(a),
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
            or OpKind.Window or OpKind.Unwindow or OpKind.Gather or OpKind.ScatterAdd or OpKind.Slice or OpKind.Pad or OpKind.ArgMax or OpKind.ArgMin or OpKind.ArgSort or OpKind.TakeAlong or OpKind.PutAlong or OpKind.CumSum or OpKind.Eigh or OpKind.Cholesky or OpKind.SLogDet or OpKind.Attention or OpKind.AttentionGrad or OpKind.Convolve or OpKind.ConvolveWeights or OpKind.Scan or OpKind.ScanOutput
            => throw new ArgumentException($"{op} is not an elementwise op", nameof(op)),
    };
}
