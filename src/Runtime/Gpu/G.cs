using ILGPU.Algorithms;

#pragma warning disable CS1591 // members called by generated code; see the class summary

namespace GraphNet.Gpu;

/// <summary>
/// The scalar operations of generated device kernels: the same names as the CPU path's scalar lane (<c>Sc</c>), so a
/// fused kernel's body reads the same on both backends; the math goes through ILGPU's <c>XMath</c>, which maps to the
/// device's intrinsics. Called by generated code; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class G
{
    public static float Neg(float a) => -a;
    public static float Exp(float a) => XMath.Exp(a);
    public static float Log(float a) => XMath.Log(a);
    public static float Sqrt(float a) => XMath.Sqrt(a);
    public static float Abs(float a) => XMath.Abs(a);
    public static float Sign(float a) => a > 0 ? 1f : a < 0 ? -1f : 0f;
    public static float Tanh(float a) => XMath.Tanh(a);
    public static float Sigmoid(float a) => 1f / (1f + XMath.Exp(-a));

    /// <summary>erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).</summary>
    public static float Erf(float x)
    {
        float ax = XMath.Abs(x);
        if (ax > 4f) return x > 0 ? 1f : -1f;
        float t = 1f / (1f + 0.3275911f * ax);
        float y = 1f - (((((1.061405429f * t - 1.453152027f) * t) + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t * XMath.Exp(-ax * ax);
        return x < 0 ? -y : y;
    }

    public static float Relu(float a) => a > 0 ? a : 0f;
    public static float Sin(float a) => XMath.Sin(a);
    public static float Cos(float a) => XMath.Cos(a);
    public static float StopGradient(float a) => a;
    public static float Add(float a, float b) => a + b;
    public static float Sub(float a, float b) => a - b;
    public static float Mul(float a, float b) => a * b;
    public static float Div(float a, float b) => a / b;
    public static float Pow(float a, float b) => XMath.Pow(a, b);
    public static float Max(float a, float b) => XMath.IsNaN(a) || XMath.IsNaN(b) ? float.NaN : a > b ? a : b;
    public static float Min(float a, float b) => XMath.IsNaN(a) || XMath.IsNaN(b) ? float.NaN : a < b ? a : b;
    public static float Lt(float a, float b) => a < b ? 1f : 0f;
    public static float Le(float a, float b) => a <= b ? 1f : 0f;
    public static float Gt(float a, float b) => a > b ? 1f : 0f;
    public static float Ge(float a, float b) => a >= b ? 1f : 0f;
    public static float Eq(float a, float b) => a == b ? 1f : 0f;
    public static float Ne(float a, float b) => a != b ? 1f : 0f;
    public static float Where(float c, float a, float b) => c != 0 ? a : b;
}
