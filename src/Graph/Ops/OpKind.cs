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

    // Unary elementwise
    Neg,
    Exp,
    Log,
    Sqrt,
    Abs,
    Sign,
    Tanh,
    Sigmoid,
    Relu,
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
}
