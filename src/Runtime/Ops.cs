using System;
using GraphNet.Compiler;
using GraphNet.Reference;

namespace GraphNet;

/// <summary>
/// The ops a spec method may call (<c>using static GraphNet.Ops;</c>). Inside a [Model] the generator
/// compiles them into fused kernels; called directly they run eagerly through the reference path.
/// Binary ops broadcast like NumPy. Axes may be negative (counted from the end). Called directly, an op whose operands
/// do not fit (shapes that do not broadcast, an axis out of range) throws a <see cref="ShapeError"/> that says why.
/// </summary>
public static class Ops
{
    private static Tensor E(Func<GraphBuilder, Node[], Node> f, params Tensor[] a) => Eager.Run(f, a);

    private static Dim[] Dims(int[] shape) => Array.ConvertAll(shape, d => Dim.Const(d));

    // Elementwise
    /// <summary>−x, elementwise.</summary>
    public static Tensor Neg(Tensor x) => E((b, n) => b.Neg(n[0]), x);
    /// <summary>eˣ, elementwise.</summary>
    public static Tensor Exp(Tensor x) => E((b, n) => b.Exp(n[0]), x);
    /// <summary>The natural logarithm, elementwise (NaN below 0, −∞ at 0).</summary>
    public static Tensor Log(Tensor x) => E((b, n) => b.Log(n[0]), x);
    /// <summary>The square root, elementwise (NaN below 0).</summary>
    public static Tensor Sqrt(Tensor x) => E((b, n) => b.Sqrt(n[0]), x);
    /// <summary>|x|, elementwise.</summary>
    public static Tensor Abs(Tensor x) => E((b, n) => b.Abs(n[0]), x);
    /// <summary>−1, 0 or 1 by the sign of x, elementwise; its gradient is zero.</summary>
    public static Tensor Sign(Tensor x) => E((b, n) => b.Sign(n[0]), x);
    /// <summary>tanh x, elementwise.</summary>
    public static Tensor Tanh(Tensor x) => E((b, n) => b.Tanh(n[0]), x);
    /// <summary>1/(1 + e⁻ˣ), elementwise.</summary>
    public static Tensor Sigmoid(Tensor x) => E((b, n) => b.Sigmoid(n[0]), x);
    /// <summary>max(x, 0), elementwise.</summary>
    public static Tensor Relu(Tensor x) => E((b, n) => b.Relu(n[0]), x);
    /// <summary>x², elementwise.</summary>
    public static Tensor Square(Tensor x) => E((b, n) => b.Square(n[0]), x);
    /// <summary>Identity whose gradient is zero (detach).</summary>
    public static Tensor StopGradient(Tensor x) => E((b, n) => b.StopGradient(n[0]), x);

    /// <summary>
    /// ∂y/∂x for a scalar y computed from x, inside a compiled entry point: the generator builds the gradient into the
    /// program, and the entry's own backward pass differentiates through it (double backward: gradient penalties,
    /// contractive penalties, score matching). A vector-Jacobian product Jᵀv is <c>Grad(Sum(y * v), x)</c>.
    /// Eager calls keep no graph, so there is nothing to differentiate: called directly it throws and says so.
    /// </summary>
    public static Tensor Grad(Tensor y, Tensor x) => throw new InvalidOperationException(
        "Grad(y, x) differentiates inside a compiled entry point ([Compile], [Train], [Gradients], ...): the generator builds the gradient into the program. "
        + "A spec method called directly runs eagerly and keeps no graph; call the model's entry point instead, or a [Gradient] entry for ∂loss/∂input.");
    /// <summary>a + c, elementwise with broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor c) => E((b, n) => b.Add(n[0], n[1]), a, c);
    /// <summary>a − c, elementwise with broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor c) => E((b, n) => b.Sub(n[0], n[1]), a, c);
    /// <summary>a · c, elementwise with broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor c) => E((b, n) => b.Mul(n[0], n[1]), a, c);
    /// <summary>a / c, elementwise with broadcasting.</summary>
    public static Tensor Div(Tensor a, Tensor c) => E((b, n) => b.Div(n[0], n[1]), a, c);
    /// <summary>a raised to the power c, elementwise with broadcasting.</summary>
    public static Tensor Pow(Tensor a, Tensor c) => E((b, n) => b.Pow(n[0], n[1]), a, c);
    /// <summary>a raised to a constant <paramref name="exponent"/>, elementwise.</summary>
    public static Tensor Pow(Tensor a, float exponent) => Pow(a, Tensor.Scalar(exponent));
    /// <summary>Elementwise maximum; at ties the gradient is split equally.</summary>
    public static Tensor Maximum(Tensor a, Tensor c) => E((b, n) => b.Maximum(n[0], n[1]), a, c);
    /// <summary>max(a, c) against a constant, elementwise.</summary>
    public static Tensor Maximum(Tensor a, float c) => Maximum(a, Tensor.Scalar(c));
    /// <summary>Elementwise minimum; at ties the gradient is split equally.</summary>
    public static Tensor Minimum(Tensor a, Tensor c) => E((b, n) => b.Minimum(n[0], n[1]), a, c);
    /// <summary>min(a, c) against a constant, elementwise.</summary>
    public static Tensor Minimum(Tensor a, float c) => Minimum(a, Tensor.Scalar(c));
    /// <summary>1 where a &lt; c, else 0, elementwise with broadcasting; not differentiable (its gradient is zero).</summary>
    public static Tensor Lt(Tensor a, Tensor c) => E((b, n) => b.Lt(n[0], n[1]), a, c);
    /// <summary>1 where a ≤ c, else 0, elementwise with broadcasting; not differentiable (its gradient is zero).</summary>
    public static Tensor Le(Tensor a, Tensor c) => E((b, n) => b.Le(n[0], n[1]), a, c);
    /// <summary>1 where a &gt; c, else 0, elementwise with broadcasting; not differentiable (its gradient is zero).</summary>
    public static Tensor Gt(Tensor a, Tensor c) => E((b, n) => b.Gt(n[0], n[1]), a, c);
    /// <summary>1 where a ≥ c, else 0, elementwise with broadcasting; not differentiable (its gradient is zero).</summary>
    public static Tensor Ge(Tensor a, Tensor c) => E((b, n) => b.Ge(n[0], n[1]), a, c);
    /// <summary>1 where a = c, else 0, elementwise with broadcasting; not differentiable (its gradient is zero).</summary>
    public static Tensor Eq(Tensor a, Tensor c) => E((b, n) => b.Eq(n[0], n[1]), a, c);
    /// <summary>1 where a ≠ c, else 0, elementwise with broadcasting; not differentiable (its gradient is zero).</summary>
    public static Tensor Ne(Tensor a, Tensor c) => E((b, n) => b.Ne(n[0], n[1]), a, c);
    /// <summary>1 where a &lt; c for a constant c, else 0, elementwise.</summary>
    public static Tensor Lt(Tensor a, float c) => Lt(a, Tensor.Scalar(c));
    /// <summary>1 where a ≤ c for a constant c, else 0, elementwise.</summary>
    public static Tensor Le(Tensor a, float c) => Le(a, Tensor.Scalar(c));
    /// <summary>1 where a &gt; c for a constant c, else 0, elementwise.</summary>
    public static Tensor Gt(Tensor a, float c) => Gt(a, Tensor.Scalar(c));
    /// <summary>1 where a ≥ c for a constant c, else 0, elementwise.</summary>
    public static Tensor Ge(Tensor a, float c) => Ge(a, Tensor.Scalar(c));
    /// <summary>1 where a = c for a constant c, else 0, elementwise.</summary>
    public static Tensor Eq(Tensor a, float c) => Eq(a, Tensor.Scalar(c));
    /// <summary>1 where a ≠ c for a constant c, else 0, elementwise.</summary>
    public static Tensor Ne(Tensor a, float c) => Ne(a, Tensor.Scalar(c));
    /// <summary><c>condition != 0 ? a : b</c>, elementwise with broadcasting.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor c) => E((b, n) => b.Where(n[0], n[1], n[2]), condition, a, c);
    /// <summary><c>condition != 0 ? a : c</c> with a constant <paramref name="a"/>.</summary>
    public static Tensor Where(Tensor condition, float a, Tensor c) => Where(condition, Tensor.Scalar(a), c);
    /// <summary><c>condition != 0 ? a : c</c> with a constant <paramref name="c"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, float c) => Where(condition, a, Tensor.Scalar(c));
    /// <summary><c>condition != 0 ? a : c</c> with two constants; the shape of <paramref name="condition"/>.</summary>
    public static Tensor Where(Tensor condition, float a, float c) => Where(condition, Tensor.Scalar(a), Tensor.Scalar(c));
    /// <summary>Elementwise <c>min(max(x, min), max)</c>; the gradient passes where x is inside [min, max].</summary>
    public static Tensor Clamp(Tensor x, float min, float max) => Minimum(Maximum(x, min), max);

    // Reductions
    /// <summary>The sum of all elements, a scalar.</summary>
    public static Tensor Sum(Tensor x) => E((b, n) => b.Sum(n[0]), x);
    /// <summary>Sums along <paramref name="axis"/>, removing it unless <paramref name="keepDims"/>.</summary>
    public static Tensor Sum(Tensor x, int axis, bool keepDims = false) => E((b, n) => b.Sum(n[0], new[] { axis }, keepDims), x);
    /// <summary>Sums along <paramref name="axes"/>, removing them unless <paramref name="keepDims"/>.</summary>
    public static Tensor Sum(Tensor x, int[] axes, bool keepDims = false) => E((b, n) => b.Sum(n[0], axes, keepDims), x);
    /// <summary>The mean of all elements, a scalar.</summary>
    public static Tensor Mean(Tensor x) => E((b, n) => b.Mean(n[0]), x);
    /// <summary>Means along <paramref name="axis"/>, removing it unless <paramref name="keepDims"/>.</summary>
    public static Tensor Mean(Tensor x, int axis, bool keepDims = false) => E((b, n) => b.Mean(n[0], new[] { axis }, keepDims), x);
    /// <summary>Means along <paramref name="axes"/>, removing them unless <paramref name="keepDims"/>.</summary>
    public static Tensor Mean(Tensor x, int[] axes, bool keepDims = false) => E((b, n) => b.Mean(n[0], axes, keepDims), x);
    /// <summary>The largest element, a scalar; the gradient goes to the arg-max (split equally between ties).</summary>
    public static Tensor Max(Tensor x) => E((b, n) => b.Max(n[0]), x);
    /// <summary>Maxima along <paramref name="axis"/>, removing it unless <paramref name="keepDims"/>; the gradient as for <see cref="Max(Tensor)"/>.</summary>
    public static Tensor Max(Tensor x, int axis, bool keepDims = false) => E((b, n) => b.Max(n[0], new[] { axis }, keepDims), x);
    /// <summary>Maxima along <paramref name="axes"/>, removing them unless <paramref name="keepDims"/>.</summary>
    public static Tensor Max(Tensor x, int[] axes, bool keepDims = false) => E((b, n) => b.Max(n[0], axes, keepDims), x);
    /// <summary>The smallest element, a scalar (<c>−Max(−x)</c>).</summary>
    public static Tensor Min(Tensor x) => E((b, n) => b.Min(n[0]), x);
    /// <summary>Minima along <paramref name="axis"/>, removing it unless <paramref name="keepDims"/>.</summary>
    public static Tensor Min(Tensor x, int axis, bool keepDims = false) => E((b, n) => b.Min(n[0], new[] { axis }, keepDims), x);

    // Movement
    /// <summary>Reshape; one dim may be -1 (inferred). Inside a spec method dims may be symbolic (<c>x.Shape[0]</c>).</summary>
    public static Tensor Reshape(Tensor x, params int[] shape) => E((b, n) => b.Reshape(n[0], Dims(shape)), x);
    /// <summary>Output axis i is input axis <c>axes[i]</c>.</summary>
    public static Tensor Permute(Tensor x, params int[] axes) => E((b, n) => b.Permute(n[0], axes), x);
    /// <summary>Swaps the last two axes.</summary>
    public static Tensor Transpose(Tensor x) => E((b, n) => b.Transpose(n[0]), x);
    /// <summary>x repeated along dims of size 1 (and new leading dims) to <paramref name="shape"/>, as NumPy's broadcast_to.</summary>
    public static Tensor BroadcastTo(Tensor x, params int[] shape) => E((b, n) => b.BroadcastTo(n[0], new Compiler.Shape(Dims(shape))), x);

    // Contraction
    /// <summary>Matrix product over the last two axes, batch dims broadcast; either operand may be transposed.</summary>
    public static Tensor MatMul(Tensor a, Tensor c, bool transposeA = false, bool transposeB = false) =>
        E((b, n) => b.MatMul(n[0], n[1], transposeA, transposeB), a, c);

    // Linear algebra
    /// <summary>Solves A X = B for a square A [n, n] and B [n] or [n, k] (LU with partial pivoting); differentiable in A and B.</summary>
    public static Tensor Solve(Tensor a, Tensor rhs, bool transposeA = false) => E((b, n) => b.Solve(n[0], n[1], transposeA), a, rhs);

    // Composites
    /// <summary>exp(x) / Σ exp(x) along <paramref name="axis"/> (computed shifted by the max, so it does not overflow); same shape.</summary>
    public static Tensor Softmax(Tensor x, int axis = -1) => E((b, n) => b.Softmax(n[0], axis), x);
    /// <summary>log softmax(x) along <paramref name="axis"/>, as x − LogSumExp(x), stable for large logits; same shape.</summary>
    public static Tensor LogSoftmax(Tensor x, int axis = -1) => E((b, n) => b.LogSoftmax(n[0], axis), x);
    /// <summary>log Σ exp(x) along <paramref name="axis"/> (shifted by the max, so it does not overflow), removing it unless <paramref name="keepDims"/>.</summary>
    public static Tensor LogSumExp(Tensor x, int axis = -1, bool keepDims = false) => E((b, n) => b.LogSumExp(n[0], axis, keepDims), x);
    /// <summary>Per-row cross-entropy of softmax(logits) against integer labels stored as floats; shape of logits without the class axis.</summary>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor labels) => E((b, n) => b.SoftmaxCrossEntropy(n[0], n[1]), logits, labels);
    /// <summary>Mean squared error (a scalar).</summary>
    public static Tensor Mse(Tensor prediction, Tensor target) => E((b, n) => b.Mse(n[0], n[1]), prediction, target);
    /// <summary>Mean absolute error (a scalar).</summary>
    public static Tensor Mae(Tensor prediction, Tensor target) => E((b, n) => b.Mae(n[0], n[1]), prediction, target);
    /// <summary>Elementwise Huber loss.</summary>
    public static Tensor Huber(Tensor prediction, Tensor target, float delta = 1f) => E((b, n) => b.Huber(n[0], n[1], delta), prediction, target);
    /// <summary>Elementwise binary cross-entropy of sigmoid(logits) against 0/1 targets.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets) => E((b, n) => b.BinaryCrossEntropyWithLogits(n[0], n[1]), logits, targets);
    /// <summary>log(1 + eˣ), elementwise, without overflow for large x; its derivative is the sigmoid (1/2 at 0).</summary>
    public static Tensor Softplus(Tensor x) => E((b, n) => b.Softplus(n[0]), x);
    /// <summary>Elementwise hinge loss max(0, 1 - y·score) for labels in {-1, +1}.</summary>
    public static Tensor Hinge(Tensor scores, Tensor labels) => E((b, n) => b.Hinge(n[0], n[1]), scores, labels);
    /// <summary>
    /// Rows of 0/1 floats [labels..., classes] for integer labels (stored as floats) of any shape; a label that is not an
    /// integer in 0 .. classes − 1 is an error, not a zero row.
    /// </summary>
    public static Tensor OneHot(Tensor labels, int classes) => E((b, n) => b.OneHot(n[0], classes), labels);
    /// <summary>A tensor of zeros of the given shape (dims may be run-time sizes such as <c>x.Shape[0]</c>): an initial state.</summary>
    public static Tensor Zeros(params int[] shape) => E((b, _) => b.Full(0, new Compiler.Shape(Dims(shape))));
    /// <summary>A tensor of ones of the given shape.</summary>
    public static Tensor Ones(params int[] shape) => E((b, _) => b.Full(1, new Compiler.Shape(Dims(shape))));
    /// <summary>The identity matrix [n, n].</summary>
    public static Tensor Eye(int n) => E((b, _) => b.Eye(n));

    // Layers (deep learning). Called directly they run in evaluation mode: dropout is the identity and batch
    // norm uses the running statistics; inside a [Model] the entry point's mode decides.
    /// <summary>sin x (radians), elementwise.</summary>
    public static Tensor Sin(Tensor x) => E((b, n) => b.Sin(n[0]), x);
    /// <summary>cos x (radians), elementwise.</summary>
    public static Tensor Cos(Tensor x) => E((b, n) => b.Cos(n[0]), x);
    /// <summary>GELU x·Φ(x): exact (erf) by default as nn.GELU(); <paramref name="approximate"/> "tanh" for the tanh form.</summary>
    public static Tensor Gelu(Tensor x, string approximate = "none") => E((b, n) => b.Gelu(n[0], approximate), x);

    /// <summary>The error function, elementwise.</summary>
    public static Tensor Erf(Tensor x) => E((b, n) => b.Erf(n[0]), x);

    /// <summary>1-d convolution: x [N, C, L], weight [O, C/groups, K], bias [O] or null; symmetric zero padding.</summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv(x, weight, bias, (b, n, bi) => b.Conv(n[0], n[1], bi, stride, padding, dilation, groups));
    /// <summary>1-d convolution with "valid" or "same" padding.</summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias, int stride, string padding, int dilation = 1, int groups = 1) =>
        Conv(x, weight, bias, (b, n, bi) => b.Conv(n[0], n[1], bi, stride, padding, dilation, groups));
    /// <summary>2-d convolution: x [N, C, H, W], weight [O, C/groups, KH, KW], bias [O] or null; symmetric zero padding.</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv(x, weight, bias, (b, n, bi) => b.Conv(n[0], n[1], bi, stride, padding, dilation, groups));
    /// <summary>2-d convolution with "valid" or "same" padding.</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride, string padding, int dilation = 1, int groups = 1) =>
        Conv(x, weight, bias, (b, n, bi) => b.Conv(n[0], n[1], bi, stride, padding, dilation, groups));

    private static Tensor Conv(Tensor x, Tensor w, Tensor? bias, Func<GraphBuilder, Node[], Node?, Node> f) =>
        bias is null ? E((b, n) => f(b, n, null), x, w) : E((b, n) => f(b, n, n[2]), x, w, bias);

    /// <summary>Max pooling over [N, C, L] with a window of <paramref name="kernel"/>; stride 0 means the kernel size.</summary>
    public static Tensor MaxPool1d(Tensor x, int kernel, int stride = 0, int padding = 0) => Pool(x, true, 1, kernel, stride, padding);
    /// <summary>Max pooling over [N, C, H, W] with a square window of <paramref name="kernel"/>; stride 0 means the kernel size; padded positions never win.</summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int stride = 0, int padding = 0) => Pool(x, true, 2, kernel, stride, padding);
    /// <summary>Average pooling (padding counts as zeros).</summary>
    public static Tensor AvgPool1d(Tensor x, int kernel, int stride = 0, int padding = 0) => Pool(x, false, 1, kernel, stride, padding);
    /// <summary>Average pooling over [N, C, H, W] with a square window (padding counts as zeros); stride 0 means the kernel size.</summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int stride = 0, int padding = 0) => Pool(x, false, 2, kernel, stride, padding);

    private static Tensor Pool(Tensor x, bool max, int s, int kernel, int stride, int padding)
    {
        int[] R(int v) => Array.ConvertAll(new int[s], _ => v);
        return E((b, n) => b.Pool(n[0], max, R(kernel), R(stride == 0 ? kernel : stride), R(padding)), x);
    }

    /// <summary>Mean over the spatial dims of [N, C, S...]: [N, C].</summary>
    public static Tensor GlobalAvgPool(Tensor x) => E((b, n) => b.GlobalPool(n[0], false), x);
    /// <summary>Max over the spatial dims (max over time for [N, C, T]): [N, C].</summary>
    public static Tensor GlobalMaxPool(Tensor x) => E((b, n) => b.GlobalPool(n[0], true), x);

    /// <summary>Batch norm over every axis but 1 of [N, C, ...]; running statistics are model buffers ([Buffer] fields).</summary>
    public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float momentum = 0.1f, float epsilon = 1e-5f) =>
        E((b, n) => b.BatchNorm(n[0], n[1], n[2], n[3], n[4], momentum, epsilon), x, gamma, beta, runningMean, runningVar);
    /// <summary>Layer norm over the last axis.</summary>
    public static Tensor LayerNorm(Tensor x, Tensor gamma, Tensor beta, float epsilon = 1e-5f) =>
        E((b, n) => b.LayerNorm(n[0], n[1], n[2], epsilon), x, gamma, beta);
    /// <summary>Inverted dropout with probability <paramref name="p"/> (seeded by the model; the identity in evaluation mode).</summary>
    public static Tensor Dropout(Tensor x, float p) => E((b, n) => b.Dropout(n[0], p), x);

    /// <summary>Rows of an embedding table [V, D] for integer ids (stored as floats) of any shape: [ids..., D].</summary>
    public static Tensor Embedding(Tensor table, Tensor ids) => E((b, n) => b.Embedding(n[0], n[1]), table, ids);
    /// <summary>Rows of <paramref name="table"/> [V, ...] by integer index; the gradient scatter-adds into the table.</summary>
    public static Tensor Gather(Tensor table, Tensor ids) => E((b, n) => b.Gather(n[0], n[1]), table, ids);

    // Random draws: counter-based and seeded. In a compiled entry each call site has its own stream and each call of
    // the entry new numbers (the model's seed and call count, saved in checkpoints); eagerly, the stream is
    // Eager's (ManualSeed). Draws are constants to autodiff.

    /// <summary>Uniform draws on [0, 1) of the given shape.</summary>
    public static Tensor Uniform(params int[] shape) => E((b, _) => b.RandomUniform(new Compiler.Shape(Dims(shape))));

    /// <summary>Standard normal draws of the given shape; <c>mu + sigma * Normal(...)</c> is a reparameterized sample.</summary>
    public static Tensor Normal(params int[] shape) => E((b, _) => b.RandomNormal(new Compiler.Shape(Dims(shape))));

    /// <summary>A random permutation of 0 .. n − 1 (as floats), every order equally likely: shuffled indices for Gather.</summary>
    public static Tensor Permutation(int n) => E((b, _) => b.Permutation(Dim.Const(n)));

    /// <summary>1 with probability p, else 0, elementwise.</summary>
    public static Tensor Bernoulli(Tensor p) => E((b, n) => b.Bernoulli(n[0]), p);

    /// <summary>One index per row drawn from softmax(logits) over the last axis (Gumbel-max); the last axis is dropped.</summary>
    public static Tensor Categorical(Tensor logits) => E((b, n) => b.Categorical(n[0]), logits);

    /// <summary>The indices (as floats) that sort x along <paramref name="axis"/>; stable, NaN counted largest; not differentiable.</summary>
    public static Tensor ArgSort(Tensor x, int axis = -1, bool descending = false) => E((b, n) => b.ArgSort(n[0], axis, descending), x);

    /// <summary>x sorted along <paramref name="axis"/> (stable); gradients flow back to where each value came from.</summary>
    public static Tensor Sort(Tensor x, int axis = -1, bool descending = false) => E((b, n) => b.Sort(n[0], axis, descending), x);

    /// <summary>The k largest (or, <paramref name="largest"/> false, smallest) values along <paramref name="axis"/>, in that order, and their indices.</summary>
    public static (Tensor Values, Tensor Indices) TopK(Tensor x, int k, int axis = -1, bool largest = true)
    {
        var r = Eager.RunAll((b, n) => { var (v, i) = b.TopK(n[0], k, axis, largest); return new[] { v, i }; }, x);
        return (r[0], r[1]);
    }

    /// <summary>The eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix, as numpy.linalg.eigh; differentiable.</summary>
    public static (Tensor Values, Tensor Vectors) Eigh(Tensor a)
    {
        var r = Eager.RunAll((b, n) => { var (v, w) = b.Eigh(n[0]); return new[] { v, w }; }, a);
        return (r[0], r[1]);
    }

    /// <summary>The lower-triangular L with A = L·Lᵀ for each symmetric positive definite A [..., n, n]; differentiable.</summary>
    public static Tensor Cholesky(Tensor a) => E((b, n) => b.Cholesky(n[0]), a);

    /// <summary>log det A for each square A [..., n, n] (NaN where the determinant is negative, −∞ where it is 0); the gradient is A⁻ᵀ.</summary>
    public static Tensor LogDet(Tensor a) => E((b, n) => b.LogDet(n[0]), a);

    /// <summary>The sign of det A and log |det A| for each square A [..., n, n], as numpy's slogdet.</summary>
    public static (Tensor Sign, Tensor LogAbsDet) SLogDet(Tensor a)
    {
        var r = Eager.RunAll((b, n) => { var (s, l) = b.SLogDet(n[0]); return new[] { s, l }; }, a);
        return (r[0], r[1]);
    }

    /// <summary>X with op(A)·X = B for triangular A [..., n, n] (lower, or upper), reading only that triangle; B [..., n, k] or [..., n].</summary>
    public static Tensor SolveTriangular(Tensor a, Tensor rhs, bool upper, bool transposeA = false) => E((b, n) => b.SolveTriangular(n[0], n[1], upper, transposeA), a, rhs);

    /// <summary>Running sums along <paramref name="axis"/>, from the first element or (<paramref name="reverse"/>) the last.</summary>
    public static Tensor CumSum(Tensor x, int axis = -1, bool reverse = false) => E((b, n) => b.CumSum(n[0], axis, reverse), x);

    /// <summary>Seeds the eager path's random draws and restarts its stream (as torch.manual_seed); compiled entries draw from their model's seed.</summary>
    public static void ManualSeed(int seed) => Eager.ManualSeed(seed);

    /// <summary>Sums row i of <paramref name="values"/> [ids..., D...] into row ids[i] of a [rows, D...] result (per-user sums, segment sums); the adjoint of Gather.</summary>
    public static Tensor ScatterAdd(Tensor ids, Tensor values, int rows) => E((b, n) => b.ScatterAdd(n[0], n[1], rows), ids, values);

    /// <summary>The index (as a float) of the largest value along <paramref name="axis"/>, the first on ties (as NumPy and PyTorch); not differentiable.</summary>
    public static Tensor ArgMax(Tensor x, int axis = -1, bool keepDims = false) => E((b, n) => b.ArgMax(n[0], axis, keepDims), x);

    /// <summary>The index (as a float) of the smallest value along <paramref name="axis"/>, the first on ties; not differentiable.</summary>
    public static Tensor ArgMin(Tensor x, int axis = -1, bool keepDims = false) => E((b, n) => b.ArgMin(n[0], axis, keepDims), x);
    /// <summary>The parts joined along <paramref name="axis"/>; they must agree on every other dim.</summary>
    public static Tensor Concat(Tensor[] parts, int axis = 0) => E((b, n) => b.Concat(n, axis), parts);
    /// <summary>Equal-shaped parts stacked along a new axis at <paramref name="axis"/>.</summary>
    public static Tensor Stack(Tensor[] parts, int axis = 0) => E((b, n) => b.Stack(n, axis), parts);
    /// <summary>Parts of the given sizes along <paramref name="axis"/>; in a spec method index the result (<c>parts[0]</c>).</summary>
    public static Tensor[] Split(Tensor x, int[] sizes, int axis = 0) => Eager.RunAll((b, n) => b.Split(n[0], axis, sizes), x);
    /// <summary><paramref name="chunks"/> equal parts along <paramref name="axis"/>, which must divide evenly; in a spec method index the result.</summary>
    public static Tensor[] Chunk(Tensor x, int chunks, int axis = 0) => Eager.RunAll((b, n) => b.Chunk(n[0], chunks, axis), x);

    /// <summary>Elements start .. start + length − 1 along <paramref name="axis"/>.</summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length) => E((b, n) => b.Slice(n[0], axis, start, length), x);
    /// <summary>Index <paramref name="index"/> along <paramref name="axis"/>, the axis removed (torch.select); <c>x[.., t]</c> is Select(x, 1, t).</summary>
    public static Tensor Select(Tensor x, int axis, int index) => E((b, n) => b.Select(n[0], axis, index), x);
    /// <summary>Zero padding along <paramref name="axis"/>.</summary>
    public static Tensor Pad(Tensor x, int axis, int before, int after) => E((b, n) => b.Pad(n[0], axis, before, after), x);

    /// <summary>softmax(q·kᵀ/√d)·v over the last two axes, optionally causal.</summary>
    public static Tensor Attention(Tensor q, Tensor k, Tensor v, bool causal = false) => E((b, n) => b.Attention(n[0], n[1], n[2], causal), q, k, v);
    /// <summary>The attention weights softmax(q·kᵀ/√d), rows summing to 1.</summary>
    public static Tensor AttentionWeights(Tensor q, Tensor k, bool causal = false) => E((b, n) => b.AttentionWeights(n[0], n[1], causal), q, k);
    /// <summary>Multi-head attention of projected q, k, v [B, T, D] with <paramref name="heads"/> heads: [B, T, D].</summary>
    public static Tensor MultiHeadAttention(Tensor q, Tensor k, Tensor v, int heads, bool causal = false) =>
        E((b, n) => b.MultiHeadAttention(n[0], n[1], n[2], heads, causal), q, k, v);
    /// <summary>[B, T, D] to [B, heads, T, D/heads] (D must divide by <paramref name="heads"/>): the per-head layout of multi-head attention.</summary>
    public static Tensor SplitHeads(Tensor x, int heads) => E((b, n) => b.SplitHeads(n[0], heads), x);
    /// <summary>[B, H, T, Dh] to [B, T, H·Dh]: the inverse of <see cref="SplitHeads"/>.</summary>
    public static Tensor MergeHeads(Tensor x) => E((b, n) => b.MergeHeads(n[0]), x);
    /// <summary>Sinusoidal positional encodings [length, features].</summary>
    public static Tensor SinusoidalPositions(int length, int features) => E((b, _) => b.SinusoidalPositions(length, features));
}
