using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

#pragma warning disable CS1591 // members called by generated code; see the class summary

namespace GraphNet.Runtime;

/// <summary>
/// Scalar lane of generated kernels: the same method names as <see cref="V256"/> and
/// <see cref="V512"/>, so one kernel body is emitted once per width. Called by generated code; not part of the
/// user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Sc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ref float Ref(ReadOnlySpan<float> s) => ref MemoryMarshal.GetReference(s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ref float Ref(Span<float> s) => ref MemoryMarshal.GetReference(s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float p, int i) => Unsafe.Add(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float v, ref float p, int i) => Unsafe.Add(ref p, i) = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Splat(float x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Gather(ref float p, int i, int stride) => Unsafe.Add(ref p, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Neg(float a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Exp(float a) => MathF.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Log(float a) => MathF.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => MathF.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Abs(float a) => MathF.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sign(float a) => a > 0 ? 1f : a < 0 ? -1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Tanh(float a) => MathF.Tanh(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sigmoid(float a) => 1f / (1f + MathF.Exp(-a));
    public static float Erf(float a) => System.Runtime.Intrinsics.Vector256.ToScalar(VMath.Erf(System.Runtime.Intrinsics.Vector256.Create(a)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Relu(float a) => a > 0 ? a : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sin(float a) => MathF.Sin(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Cos(float a) => MathF.Cos(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float StopGradient(float a) => a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sub(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Mul(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Div(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Pow(float a, float b) => MathF.Pow(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => MathF.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(float a, float b) => MathF.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Lt(float a, float b) => a < b ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Le(float a, float b) => a <= b ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Gt(float a, float b) => a > b ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Ge(float a, float b) => a >= b ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Eq(float a, float b) => a == b ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Ne(float a, float b) => a != b ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Where(float c, float a, float b) => c != 0 ? a : b;
}
