using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

#pragma warning disable CS1591 // members called by generated code; see the class summary

namespace GraphNet.Runtime;

/// <summary>
/// 8-lane float vectors for generated kernels (same method names as <see cref="Sc"/>). Called by generated code;
/// not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class V256
{
    private static readonly Vector256<float> One = Vector256.Create(1f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float p, int i) => Vector256.LoadUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, ref float p, int i) => v.StoreUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Vector256.Create(x);

    /// <summary>Elements i, i + stride, ... (one per lane) by the hardware gather; element offsets fit an int, as in the scalar loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> Gather(ref float p, int i, int stride)
    {
        if (Avx2.IsSupported)
        {
            var index = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * stride + Vector256.Create(i);
            fixed (float* b = &p) return Avx2.GatherVector256(b, index, 4);
        }
        return Vector256.Create(Unsafe.Add(ref p, i), Unsafe.Add(ref p, i + stride), Unsafe.Add(ref p, i + 2 * stride), Unsafe.Add(ref p, i + 3 * stride),
            Unsafe.Add(ref p, i + 4 * stride), Unsafe.Add(ref p, i + 5 * stride), Unsafe.Add(ref p, i + 6 * stride), Unsafe.Add(ref p, i + 7 * stride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Neg(Vector256<float> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Exp(Vector256<float> a) => VMath.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Log(Vector256<float> a) => Vector256.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sign(Vector256<float> a) =>
        (Vector256.GreaterThan(a, Vector256<float>.Zero) & One) - (Vector256.LessThan(a, Vector256<float>.Zero) & One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Tanh(Vector256<float> a) => VMath.Tanh(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sigmoid(Vector256<float> a) => VMath.Sigmoid(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Erf(Vector256<float> a) => VMath.Erf(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Relu(Vector256<float> a) => Vector256.Max(a, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sin(Vector256<float> a) => Vector256.Sin(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Cos(Vector256<float> a) => Vector256.Cos(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> StopGradient(Vector256<float> a) => a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sub(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Div(Vector256<float> a, Vector256<float> b) => a / b;

    public static Vector256<float> Pow(Vector256<float> a, Vector256<float> b)
    {
        Span<float> tmp = stackalloc float[8];
        for (int k = 0; k < 8; k++) tmp[k] = MathF.Pow(a.GetElement(k), b.GetElement(k));
        return Vector256.Create<float>(tmp);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Lt(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b) & One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Le(Vector256<float> a, Vector256<float> b) => Vector256.LessThanOrEqual(a, b) & One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Gt(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b) & One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Ge(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThanOrEqual(a, b) & One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Eq(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b) & One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Ne(Vector256<float> a, Vector256<float> b) => One - (Vector256.Equals(a, b) & One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Where(Vector256<float> c, Vector256<float> a, Vector256<float> b) =>
        Vector256.ConditionalSelect(Vector256.Equals(c, Vector256<float>.Zero), b, a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ReduceAdd(Vector256<float> v) => Vector256.Sum(v);

    public static float ReduceMax(Vector256<float> v)
    {
        float m = float.NegativeInfinity;
        for (int k = 0; k < 8; k++) m = MathF.Max(m, v.GetElement(k));
        return m;
    }
}
