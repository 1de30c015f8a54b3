namespace GraphNet;

/// <summary>Operators and method-style ops: eager when run directly, compiled inside spec methods.</summary>
public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);
    public static Tensor operator +(Tensor a, float b) => Ops.Add(a, Scalar(b));
    public static Tensor operator +(float a, Tensor b) => Ops.Add(Scalar(a), b);
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);
    public static Tensor operator -(Tensor a, float b) => Ops.Sub(a, Scalar(b));
    public static Tensor operator -(float a, Tensor b) => Ops.Sub(Scalar(a), b);
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);
    public static Tensor operator *(Tensor a, float b) => Ops.Mul(a, Scalar(b));
    public static Tensor operator *(float a, Tensor b) => Ops.Mul(Scalar(a), b);
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);
    public static Tensor operator /(Tensor a, float b) => Ops.Div(a, Scalar(b));
    public static Tensor operator /(float a, Tensor b) => Ops.Div(Scalar(a), b);
    public static Tensor operator -(Tensor a) => Ops.Neg(a);

    public Tensor Sum() => Ops.Sum(this);
    public Tensor Sum(int axis, bool keepDims = false) => Ops.Sum(this, axis, keepDims);
    public Tensor Mean() => Ops.Mean(this);
    public Tensor Mean(int axis, bool keepDims = false) => Ops.Mean(this, axis, keepDims);
    public Tensor Max() => Ops.Max(this);
    public Tensor Max(int axis, bool keepDims = false) => Ops.Max(this, axis, keepDims);
    public Tensor Reshape(params int[] shape) => Ops.Reshape(this, shape);

    /// <summary>The last two axes swapped.</summary>
    public Tensor T => Ops.Transpose(this);
}
