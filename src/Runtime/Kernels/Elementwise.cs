using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GraphNet.Runtime;

/// <summary>
/// Whole-array elementwise ops with the compiled kernels' vector math (<see cref="V512"/> where the hardware has it, else
/// <see cref="V256"/>, the scalar forms of <see cref="Sc"/> for the tail): the eager path's fast lane, so a spec method
/// called directly runs the same arithmetic as its compiled entry point.
/// </summary>
public static class Elementwise
{
    /// <summary>y = f(x) for the unary op named by <typeparamref name="TOp"/>; x and y of equal length. Long arrays are split over the worker pool.</summary>
    public static unsafe void Map<TOp>(ReadOnlySpan<float> x, Span<float> y) where TOp : IUnaryOp
    {
        if (x.Length != y.Length) throw new ArgumentException($"Elementwise.Map: input of {x.Length} floats, output of {y.Length}.");
        fixed (float* px = x, py = y)
        {
            var job = new MapJob<TOp> { X = px, Y = py };
            Workers.ForRange(ref job, y.Length, 1); // inline below Workers.SplitElements; cuts on multiples of 16
        }
    }

    /// <summary>y = f(a, b) for the binary op named by <typeparamref name="TOp"/>; all three of equal length. Long arrays are split over the worker pool.</summary>
    public static unsafe void Zip<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) where TOp : IBinaryOp
    {
        if (a.Length != y.Length || b.Length != y.Length) throw new ArgumentException($"Elementwise.Zip: inputs of {a.Length} and {b.Length} floats, output of {y.Length}.");
        fixed (float* pa = a, pb = b, py = y)
        {
            var job = new ZipJob<TOp> { A = pa, B = pb, Y = py };
            Workers.ForRange(ref job, y.Length, 1);
        }
    }

    private unsafe struct MapJob<TOp> : IRangeJob where TOp : IUnaryOp
    {
        public float* X, Y;

        public readonly void Run(int lo, int hi)
        {
            ref float px = ref *X;
            ref float py = ref *Y;
            int i = lo;
            if (Vector512.IsHardwareAccelerated)
                for (; i + 16 <= hi; i += 16) V512.Store(TOp.Of(V512.Load(ref px, i)), ref py, i);
            else if (Vector256.IsHardwareAccelerated)
                for (; i + 8 <= hi; i += 8) V256.Store(TOp.Of(V256.Load(ref px, i)), ref py, i);
            for (; i < hi; i++) Y[i] = TOp.Of(X[i]);
        }
    }

    private unsafe struct ZipJob<TOp> : IRangeJob where TOp : IBinaryOp
    {
        public float* A, B, Y;

        public readonly void Run(int lo, int hi)
        {
            ref float pa = ref *A;
            ref float pb = ref *B;
            ref float py = ref *Y;
            int i = lo;
            if (Vector512.IsHardwareAccelerated)
                for (; i + 16 <= hi; i += 16) V512.Store(TOp.Of(V512.Load(ref pa, i), V512.Load(ref pb, i)), ref py, i);
            else if (Vector256.IsHardwareAccelerated)
                for (; i + 8 <= hi; i += 8) V256.Store(TOp.Of(V256.Load(ref pa, i), V256.Load(ref pb, i)), ref py, i);
            for (; i < hi; i++) Y[i] = TOp.Of(A[i], B[i]);
        }
    }

    /// <summary>A unary op in its three widths.</summary>
    public interface IUnaryOp
    {
        /// <summary>Sixteen lanes.</summary>
        static abstract Vector512<float> Of(Vector512<float> x);

        /// <summary>Eight lanes.</summary>
        static abstract Vector256<float> Of(Vector256<float> x);

        /// <summary>One value.</summary>
        static abstract float Of(float x);
    }

    /// <summary>A binary op in its three widths.</summary>
    public interface IBinaryOp
    {
        /// <summary>Sixteen lanes.</summary>
        static abstract Vector512<float> Of(Vector512<float> a, Vector512<float> b);

        /// <summary>Eight lanes.</summary>
        static abstract Vector256<float> Of(Vector256<float> a, Vector256<float> b);

        /// <summary>One pair.</summary>
        static abstract float Of(float a, float b);
    }

#pragma warning disable CS1591 // one struct per op, named after it
    public readonly struct Neg : IUnaryOp { public static Vector512<float> Of(Vector512<float> x) => V512.Neg(x); public static Vector256<float> Of(Vector256<float> x) => V256.Neg(x); public static float Of(float x) => Sc.Neg(x); }
    public readonly struct Exp : IUnaryOp { public static Vector512<float> Of(Vector512<float> x) => V512.Exp(x); public static Vector256<float> Of(Vector256<float> x) => V256.Exp(x); public static float Of(float x) => Sc.Exp(x); }
    public readonly struct Log : IUnaryOp { public static Vector512<float> Of(Vector512<float> x) => V512.Log(x); public static Vector256<float> Of(Vector256<float> x) => V256.Log(x); public static float Of(float x) => Sc.Log(x); }
    public readonly struct Sqrt : IUnaryOp { public static Vector512<float> Of(Vector512<float> x) => V512.Sqrt(x); public static Vector256<float> Of(Vector256<float> x) => V256.Sqrt(x); public static float Of(float x) => Sc.Sqrt(x); }
    public readonly struct Abs : IUnaryOp { public static Vector512<float> Of(Vector512<float> x) => V512.Abs(x); public static Vector256<float> Of(Vector256<float> x) => V256.Abs(x); public static float Of(float x) => Sc.Abs(x); }
    public readonly struct Tanh : IUnaryOp { public static Vector512<float> Of(Vector512<float> x) => V512.Tanh(x); public static Vector256<float> Of(Vector256<float> x) => V256.Tanh(x); public static float Of(float x) => Sc.Tanh(x); }
    public readonly struct Sigmoid : IUnaryOp { public static Vector512<float> Of(Vector512<float> x) => V512.Sigmoid(x); public static Vector256<float> Of(Vector256<float> x) => V256.Sigmoid(x); public static float Of(float x) => Sc.Sigmoid(x); }
    public readonly struct Add : IBinaryOp { public static Vector512<float> Of(Vector512<float> a, Vector512<float> b) => a + b; public static Vector256<float> Of(Vector256<float> a, Vector256<float> b) => a + b; public static float Of(float a, float b) => a + b; }
    public readonly struct Sub : IBinaryOp { public static Vector512<float> Of(Vector512<float> a, Vector512<float> b) => a - b; public static Vector256<float> Of(Vector256<float> a, Vector256<float> b) => a - b; public static float Of(float a, float b) => a - b; }
    public readonly struct Mul : IBinaryOp { public static Vector512<float> Of(Vector512<float> a, Vector512<float> b) => a * b; public static Vector256<float> Of(Vector256<float> a, Vector256<float> b) => a * b; public static float Of(float a, float b) => a * b; }
    public readonly struct Div : IBinaryOp { public static Vector512<float> Of(Vector512<float> a, Vector512<float> b) => a / b; public static Vector256<float> Of(Vector256<float> a, Vector256<float> b) => a / b; public static float Of(float a, float b) => a / b; }
#pragma warning restore CS1591
}
