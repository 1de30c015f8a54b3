namespace GraphNet.Compiler;

/// <summary>
/// The primitive ops. Everything else (softmax, losses, mean, ...) is a composite built from
/// these by <see cref="GraphBuilder"/>. Adding a primitive: this enum, <see cref="OpTable"/>,
/// the builder, <c>Gradients</c>, the reference kernels, the C# codegen arm, the op test table.
/// Every switch over this enum is exhaustive, so the compiler lists the places.
/// </summary>
public enum OpKind
{
    // Leaves
    Input,
    Param,
    Const,
    /// <summary>A scalar whose value is a (symbolic) dim, bound at run time.</summary>
    DimValue,
    /// <summary>The index along one axis, as a float: iota.</summary>
    Iota,
    /// <summary>A model buffer (running statistics): read like a parameter, never differentiated.</summary>
    State,
    /// <summary>Uniform draws on [0, 1) from the counter-based generator, new on every call of the entry point.</summary>
    Random,

    // Unary elementwise
    Neg,
    Exp,
    Log,
    Sqrt,
    Abs,
    Sign,
    Tanh,
    /// <summary>The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt.</summary>
    Erf,
    Sigmoid,
    Relu,
    Sin,
    Cos,
    /// <summary>Identity forward, zero gradient.</summary>
    StopGradient,

    // Binary elementwise (operands have equal shapes; the builder inserts broadcasts)
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Max,
    Min,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,

    // Ternary elementwise
    Where,

    // Reductions (always keep dims; the builder reshapes for keepDims: false)
    ReduceSum,
    ReduceMax,

    // Movement (views)
    Reshape,
    Expand,
    Permute,

    // Contraction
    MatMul,

    // Linear algebra: solve A X = B (A square), run by a runtime routine
    Solve,

    // Structured data movement, each run by a runtime routine over contiguous buffers
    /// <summary>Sliding windows (im2col): [N, C, S...] to [N, O..., C, K...] (zero padding); geometry in Ints.</summary>
    Window,
    /// <summary>The adjoint of <see cref="Window"/> (col2im): sums each window element back to its source position.</summary>
    Unwindow,
    /// <summary>Rows of a table by index: table [V, D...], ids [I...] to [I..., D...].</summary>
    Gather,
    /// <summary>The adjoint of <see cref="Gather"/>: ids [I...], values [I..., D...] to [V, D...], summing repeated ids.</summary>
    ScatterAdd,
    /// <summary>A contiguous range along one axis (Axes[0]), starting at Ints[0].</summary>
    Slice,
    /// <summary>Zero padding along one axis (Axes[0]): Ints[0] before, Ints[1] after.</summary>
    Pad,
    /// <summary>The index (a float) of the largest value along Axes[0], kept as a dim of 1; the first on ties.</summary>
    ArgMax,
    /// <summary>The index (a float) of the smallest value along Axes[0], kept as a dim of 1; the first on ties.</summary>
    ArgMin,
    /// <summary>The indices (floats) that sort x along Axes[0], ascending or (Ints[0] = 1) descending; stable, NaN largest.</summary>
    ArgSort,
    /// <summary>x [.., n, ..] and indices [.., m, ..] to [.., m, ..]: element j along Axes[0] is x at index idx[j] (numpy's take_along_axis).</summary>
    TakeAlong,
    /// <summary>The adjoint of <see cref="TakeAlong"/>: indices [.., m, ..] and values [.., m, ..] summed into [.., Ints[0], ..] at the indices.</summary>
    PutAlong,
    /// <summary>Running sums along Axes[0], from the first element or (Ints[0] = 1) from the last.</summary>
    CumSum,
    /// <summary>
    /// The eigendecomposition of a symmetric matrix [n, n] (its upper triangle is read) as one [n + 1, n] result: row 0
    /// the eigenvalues ascending, rows 1..n the eigenvectors as columns in that order, each with its largest component positive.
    /// </summary>
    Eigh,
    /// <summary>The lower-triangular Cholesky factor of each symmetric positive definite matrix [..., n, n], read as (A + Aᵀ)/2.</summary>
    Cholesky,
    /// <summary>[..., n, n] to [..., 2]: the sign of the determinant and the log of its absolute value (LU, partial pivoting).</summary>
    SLogDet,
    /// <summary>
    /// Fused scaled dot-product attention over slices (the leading dims): q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv]
    /// to [..., Tq, Dv + 1]: softmax(Value·q·kᵀ)·v, then each row's log-sum-exp of its scores (what the backward pass
    /// recomputes the weights from). Ints[0] = 1: causal (key j ≤ query i). No [..., Tq, Tk] matrix is stored.
    /// </summary>
    Attention,
    /// <summary>
    /// Direct stride-1 convolution x [N, C, S...] by weights [O, C, K...] to [N, O, O...] (1 or 2 spatial dims, window
    /// geometry in Ints as <see cref="Window"/>'s): no window matrix. Built for small channel counts.
    /// </summary>
    Convolve,
    /// <summary>The weight gradient of a <see cref="Convolve"/>: output gradient [N, O, O...] and images [N, C, S...] to [O, C, K...].</summary>
    ConvolveWeights,
    /// <summary>
    /// The gradient of an <see cref="Attention"/> (inputs q, k, v, its packed output, the packed output's gradient),
    /// recomputing the weights: Ints[1] = 0 the query gradient [..., Tq, D]; 1 the key and value gradients side by side [..., Tk, D + Dv];
    /// 2 (Tq = Tk) all three side by side [..., T, 2·D + Dv].
    /// </summary>
    AttentionGrad,

    // Control
    /// <summary>A loop over steps (<see cref="ScanBody"/> in Attrs.Scan): inputs are initial carries, scanned sequences, invariants; read through <see cref="ScanOutput"/>.</summary>
    Scan,
    /// <summary>Output Ints[0] of a scan: a final carry, or the per-step results stacked time-major [T, ...].</summary>
    ScanOutput,
}

/// <summary>The groups that passes decide by; they never list ops.</summary>
public enum OpCategory
{
    Leaf,
    Unary,
    Binary,
    Ternary,
    Reduce,
    Movement,
    MatMul,
    Solve,
    Structured,
    Scan,
}
