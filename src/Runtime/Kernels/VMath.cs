using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GraphNet.Runtime;

/// <summary>
/// Vectorized exp, tanh, sigmoid and erf for generated kernels: polynomial approximations with FMAs and bit tricks,
/// no table lookups, accurate to a few float ulps (tested against double precision to 1e-6 relative, 1e-7 absolute
/// near zero crossings). The same algorithm for 16 and 8 lanes (<see cref="Vector512{T}"/>, <see cref="Vector256{T}"/>).
/// <list type="bullet">
/// <item>exp: x = n·ln2 + r with |r| ≤ ln2/2 (two-constant Cody–Waite split), exp(r) by a degree-6 polynomial
/// (Cephes expf coefficients), 2ⁿ applied in one rounding (AVX-512 vscalef, or built in the exponent bits in two
/// halves where that is missing) so results underflow to denormals
/// and zero, and overflow to infinity, as they should.</item>
/// <item>tanh: one rational function, an odd polynomial of degree 13 over an even one of degree 6 (the coefficients of
/// Eigen's float tanh), of x clamped to ±9 (where tanh rounds to ±1), the quotient kept within ±1; x itself below
/// 0.0004. Relative error below 4e-7 in float arithmetic; no exp, no blend of two branches.</item>
/// <item>sigmoid: 1/(1 + exp(−x)).</item>
/// <item>erf: |x| &lt; 1 its Maclaurin series to x²¹ (alternating, error below 1e-8); otherwise
/// 1 − t·P(t)·exp(−x²), t = 1/(1 + 0.3275911|x|) (Abramowitz–Stegun 7.1.26, absolute error 1.5e-7).</item>
/// </list>
/// Called by generated code (through <see cref="Sc"/>, <see cref="V256"/> and <see cref="V512"/>); not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class VMath
{
    private const float Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    private const float ExpMax = 88.7228394f, ExpMin = -103.972084f;
    private const float Magic = 12582912f; // 1.5·2²³: adding it rounds to an integer held in the low mantissa bits
    // tanh x ≈ x·A(x²)/B(x²) on |x| ≤ TanhClamp
    private const float TanhClamp = 9f, TanhTiny = 0.0004f; // from 9 on, tanh rounds to ±1
    private const float TN1 = 4.89352455891786e-03f, TN3 = 6.37261928875436e-04f, TN5 = 1.48572235717979e-05f, TN7 = 5.12229709037114e-08f,
        TN9 = -8.60467152213735e-11f, TN11 = 2.00018790482477e-13f, TN13 = -2.76076847742355e-16f;
    private const float TD0 = 4.89352518554385e-03f, TD2 = 2.26843463243900e-03f, TD4 = 1.18534705686654e-04f, TD6 = 1.19825839466702e-06f;
    private const float ErfP = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    // erf(x) = 2/√π · Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n+1)), n = 0..10, as coefficients of x·Q(x²)
    private const float E0 = 1.1283791671f, E1 = -0.3761263890f, E2 = 0.1128379167f, E3 = -0.0268661706f, E4 = 0.0052239776f,
        E5 = -0.0008548327f, E6 = 0.0001205563f, E7 = -0.0000149247f, E8 = 0.0000016460f, E9 = -0.0000001634f, E10 = 0.0000000147f;

    // ---- 16 lanes ----

    /// <summary>eˣ per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpMin)), Vector512.Create(ExpMax));
        var magic = Vector512.Create(Magic);
        var shifted = Vector512.FusedMultiplyAdd(x, Vector512.Create(Log2E), magic);
        var n = shifted - magic;
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        // p·2ⁿ in one rounding; the fallback is a call of its own, so the JIT does not count its IL against a kernel's
        // inlining budget where the branch is dead (a kernel with a tanh and a sigmoid inlines four exps).
        return Avx512F.IsSupported ? Avx512F.Scale(p, n) : ScaleByHalves(p, shifted, magic);
    }

    /// <summary>p·2ⁿ with n held in the low mantissa bits of <paramref name="shifted"/>: 2ⁿ built in two halves, so p·2ⁿ
    /// underflows to denormals and zero and overflows to infinity in one rounding.</summary>
    private static Vector512<float> ScaleByHalves(Vector512<float> p, Vector512<float> shifted, Vector512<float> magic)
    {
        var ni = shifted.AsInt32() - magic.AsInt32();
        var half = ni >> 1;
        var s1 = ((half + Vector512.Create(127)) << 23).AsSingle();
        var s2 = ((ni - half + Vector512.Create(127)) << 23).AsSingle();
        return p * s1 * s2;
    }

    /// <summary>1/(1 + e⁻ˣ) per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    /// <summary>tanh x per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var c = Vector512.Min(Vector512.Max(x, Vector512.Create(-TanhClamp)), Vector512.Create(TanhClamp));
        var z = c * c;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(TN13), z, Vector512.Create(TN11));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(TN9));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(TN7));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(TN5));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(TN3));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(TN1));
        var q = Vector512.FusedMultiplyAdd(Vector512.Create(TD6), z, Vector512.Create(TD4));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(TD2));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(TD0));
        var t = Vector512.Min(Vector512.Max(p * c / q, -Vector512<float>.One), Vector512<float>.One); // the quotient overshoots ±1 by an ulp near the clamp
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(TanhTiny)), x, t);
    }

    /// <summary>The error function per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Erf(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var z = x * x;
        var q = Vector512.FusedMultiplyAdd(Vector512.Create(E10), z, Vector512.Create(E9));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(E8));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(E7));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(E6));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(E5));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(E4));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(E3));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(E2));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(E1));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(E0));
        var small = q * x;
        var t = Vector512<float>.One / Vector512.FusedMultiplyAdd(Vector512.Create(ErfP), ax, Vector512<float>.One);
        var a = Vector512.FusedMultiplyAdd(Vector512.Create(A5), t, Vector512.Create(A4));
        a = Vector512.FusedMultiplyAdd(a, t, Vector512.Create(A3));
        a = Vector512.FusedMultiplyAdd(a, t, Vector512.Create(A2));
        a = Vector512.FusedMultiplyAdd(a, t, Vector512.Create(A1));
        var big = Vector512<float>.One - a * t * Exp(-z);
        big = Vector512.ConditionalSelect(Vector512.Create(-0f).AsInt32().AsSingle(), x, big);
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512<float>.One), small, big);
    }

    // ---- 8 lanes ----

    /// <summary>eˣ per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpMin)), Vector256.Create(ExpMax));
        var magic = Vector256.Create(Magic);
        var shifted = Vector256.FusedMultiplyAdd(x, Vector256.Create(Log2E), magic);
        var n = shifted - magic;
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        // p·2ⁿ in one rounding; the fallback is a call of its own, so the JIT does not count its IL against a kernel's
        // inlining budget where the branch is dead (a kernel with a tanh and a sigmoid inlines four exps).
        return Avx512F.VL.IsSupported ? Avx512F.VL.Scale(p, n) : ScaleByHalves(p, shifted, magic);
    }

    /// <summary>p·2ⁿ with n held in the low mantissa bits of <paramref name="shifted"/>: 2ⁿ built in two halves, so p·2ⁿ
    /// underflows to denormals and zero and overflows to infinity in one rounding.</summary>
    private static Vector256<float> ScaleByHalves(Vector256<float> p, Vector256<float> shifted, Vector256<float> magic)
    {
        var ni = shifted.AsInt32() - magic.AsInt32();
        var half = ni >> 1;
        var s1 = ((half + Vector256.Create(127)) << 23).AsSingle();
        var s2 = ((ni - half + Vector256.Create(127)) << 23).AsSingle();
        return p * s1 * s2;
    }

    /// <summary>1/(1 + e⁻ˣ) per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    /// <summary>tanh x per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var c = Vector256.Min(Vector256.Max(x, Vector256.Create(-TanhClamp)), Vector256.Create(TanhClamp));
        var z = c * c;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(TN13), z, Vector256.Create(TN11));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(TN9));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(TN7));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(TN5));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(TN3));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(TN1));
        var q = Vector256.FusedMultiplyAdd(Vector256.Create(TD6), z, Vector256.Create(TD4));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(TD2));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(TD0));
        var t = Vector256.Min(Vector256.Max(p * c / q, -Vector256<float>.One), Vector256<float>.One); // the quotient overshoots ±1 by an ulp near the clamp
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(TanhTiny)), x, t);
    }

    /// <summary>The error function per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Erf(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var z = x * x;
        var q = Vector256.FusedMultiplyAdd(Vector256.Create(E10), z, Vector256.Create(E9));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(E8));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(E7));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(E6));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(E5));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(E4));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(E3));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(E2));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(E1));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(E0));
        var small = q * x;
        var t = Vector256<float>.One / Vector256.FusedMultiplyAdd(Vector256.Create(ErfP), ax, Vector256<float>.One);
        var a = Vector256.FusedMultiplyAdd(Vector256.Create(A5), t, Vector256.Create(A4));
        a = Vector256.FusedMultiplyAdd(a, t, Vector256.Create(A3));
        a = Vector256.FusedMultiplyAdd(a, t, Vector256.Create(A2));
        a = Vector256.FusedMultiplyAdd(a, t, Vector256.Create(A1));
        var big = Vector256<float>.One - a * t * Exp(-z);
        big = Vector256.ConditionalSelect(Vector256.Create(-0f).AsInt32().AsSingle(), x, big);
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256<float>.One), small, big);
    }
}
