using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

#pragma warning disable CS1591 // members called by generated code; see the class summary

namespace GraphNet.Runtime;

/// <summary>
/// 16-lane float vectors for generated kernels (same method names as <see cref="Sc"/>). Called by generated code;
/// not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class V512
{
    private static readonly Vector512<float> One = Vector512.Create(1f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float p, int i) => Vector512.LoadUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, ref float p, int i) => v.StoreUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float x) => Vector512.Create(x);

    /// <summary>Elements i, i + stride, ... (one per lane) by two 8-lane hardware gathers; element offsets fit an int, as in the scalar loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> Gather(ref float p, int i, int stride)
    {
        if (Avx2.IsSupported)
        {
            var low = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * stride + Vector256.Create(i);
            var high = low + Vector256.Create(8 * stride);
            fixed (float* b = &p) return Vector512.Create(Avx2.GatherVector256(b, low, 4), Avx2.GatherVector256(b, high, 4));
        }
        return Vector512.Create(V256.Gather(ref p, i, stride), V256.Gather(ref p, i + 8 * stride, stride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Neg(Vector512<float> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Exp(Vector512<float> a) => VMath.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Log(Vector512<float> a) => Vector512.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sign(Vector512<float> a) =>
        (Vector512.GreaterThan(a, Vector512<float>.Zero) & One) - (Vector512.LessThan(a, Vector512<float>.Zero) & One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Tanh(Vector512<float> a) => VMath.Tanh(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sigmoid(Vector512<float> a) => VMath.Sigmoid(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Erf(Vector512<float> a) => VMath.Erf(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Relu(Vector512<float> a) => Vector512.Max(a, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sin(Vector512<float> a) => Vector512.Sin(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Cos(Vector512<float> a) => Vector512.Cos(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> StopGradient(Vector512<float> a) => a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sub(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Div(Vector512<float> a, Vector512<float> b) => a / b;

    public static Vector512<float> Pow(Vector512<float> a, Vector512<float> b)
    {
        Span<float> tmp = stackalloc float[16];
        for (int k = 0; k < 16; k++) tmp[k] = MathF.Pow(a.GetElement(k), b.GetElement(k));
        return Vector512.Create<float>(tmp);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Lt(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b) & One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Le(Vector512<float> a, Vector512<float> b) => Vector512.LessThanOrEqual(a, b) & One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Gt(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b) & One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Ge(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThanOrEqual(a, b) & One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Eq(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b) & One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Ne(Vector512<float> a, Vector512<float> b) => One - (Vector512.Equals(a, b) & One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Where(Vector512<float> c, Vector512<float> a, Vector512<float> b) =>
        Vector512.ConditionalSelect(Vector512.Equals(c, Vector512<float>.Zero), b, a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ReduceAdd(Vector512<float> v) => Vector512.Sum(v);

    public static float ReduceMax(Vector512<float> v)
    {
        float m = float.NegativeInfinity;
        for (int k = 0; k < 16; k++) m = MathF.Max(m, v.GetElement(k));
        return m;
    }
}
