namespace GraphNet;

/// <summary>Operators and method-style ops: eager when run directly, compiled inside spec methods.</summary>
public sealed partial class Tensor
{
    /// <summary>The elementwise sum, broadcast like NumPy (<see cref="Ops.Add"/>).</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);
    /// <summary>The elementwise sum with a scalar.</summary>
    public static Tensor operator +(Tensor a, float b) => Ops.Add(a, Scalar(b));
    /// <summary>The elementwise sum of a scalar and a tensor.</summary>
    public static Tensor operator +(float a, Tensor b) => Ops.Add(Scalar(a), b);
    /// <summary>The elementwise difference, broadcast like NumPy (<see cref="Ops.Sub"/>).</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);
    /// <summary>The elementwise difference with a scalar.</summary>
    public static Tensor operator -(Tensor a, float b) => Ops.Sub(a, Scalar(b));
    /// <summary>The elementwise difference of a scalar and a tensor.</summary>
    public static Tensor operator -(float a, Tensor b) => Ops.Sub(Scalar(a), b);
    /// <summary>The elementwise product, broadcast like NumPy (<see cref="Ops.Mul"/>).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);
    /// <summary>The elementwise product with a scalar.</summary>
    public static Tensor operator *(Tensor a, float b) => Ops.Mul(a, Scalar(b));
    /// <summary>The elementwise product of a scalar and a tensor.</summary>
    public static Tensor operator *(float a, Tensor b) => Ops.Mul(Scalar(a), b);
    /// <summary>The elementwise quotient, broadcast like NumPy (<see cref="Ops.Div"/>).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);
    /// <summary>The elementwise quotient with a scalar.</summary>
    public static Tensor operator /(Tensor a, float b) => Ops.Div(a, Scalar(b));
    /// <summary>The elementwise quotient of a scalar and a tensor.</summary>
    public static Tensor operator /(float a, Tensor b) => Ops.Div(Scalar(a), b);
    /// <summary>The elementwise negation (<see cref="Ops.Neg"/>).</summary>
    public static Tensor operator -(Tensor a) => Ops.Neg(a);

    /// <summary>The sum of all elements, a scalar.</summary>
    public Tensor Sum() => Ops.Sum(this);
    /// <summary>Sums along <paramref name="axis"/> (negative counts from the end), removing it unless <paramref name="keepDims"/>.</summary>
    public Tensor Sum(int axis, bool keepDims = false) => Ops.Sum(this, axis, keepDims);
    /// <summary>The mean of all elements, a scalar.</summary>
    public Tensor Mean() => Ops.Mean(this);
    /// <summary>Means along <paramref name="axis"/>, removing it unless <paramref name="keepDims"/>.</summary>
    public Tensor Mean(int axis, bool keepDims = false) => Ops.Mean(this, axis, keepDims);
    /// <summary>The largest element, a scalar.</summary>
    public Tensor Max() => Ops.Max(this);
    /// <summary>Maxima along <paramref name="axis"/>, removing it unless <paramref name="keepDims"/>.</summary>
    public Tensor Max(int axis, bool keepDims = false) => Ops.Max(this, axis, keepDims);
    /// <summary>The same elements in <paramref name="shape"/> (one dim may be −1, inferred); see <see cref="Ops.Reshape"/>.</summary>
    public Tensor Reshape(params int[] shape) => Ops.Reshape(this, shape);

    /// <summary>The last two axes swapped.</summary>
    public Tensor T => Ops.Transpose(this);
}
