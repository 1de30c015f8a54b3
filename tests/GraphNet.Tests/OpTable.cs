using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;

namespace GraphNet.Tests;

/// <summary>How a test input is drawn, and whether the op is differentiable in it.</summary>
public enum Domain
{
    /// <summary>Standard normal.</summary>
    Any,
    /// <summary>Uniform on [0.5, 2).</summary>
    Positive,
    /// <summary>|x| uniform on [0.2, 1.5) with a random sign: away from kinks at zero.</summary>
    AwayFromZero,
    /// <summary>±1 labels (not differentiated).</summary>
    PlusMinusOne,
    /// <summary>Integer class labels 0..3 (not differentiated).</summary>
    Labels4,
    /// <summary>0/1 mask (not differentiated).</summary>
    Mask,
}

/// <summary>One row of the op table: a graph over inputs of the given shapes ("B,3": symbolic B, constant 3).</summary>
public sealed record OpRow(string Name, Func<GraphBuilder, Node[], Node> Build, string[] Shapes, Domain[]? Domains = null)
{
    /// <summary>Rows whose gradient is deliberately not the derivative (stop-gradient) skip only the finite-difference check.</summary>
    public bool DefinedGradient { get; init; }

    public Domain DomainOf(int i) => Domains is null ? Domain.Any : Domains[i];

    public static bool Differentiable(Domain d) => d is Domain.Any or Domain.Positive or Domain.AwayFromZero;

    public static Shape ParseShape(string s) => s.Length == 0 ? Shape.Scalar
        : new Shape(s.Split(',').Select(p => int.TryParse(p, out var v) ? Dim.Const(v) : Dim.Sym(p.Trim())));

    public override string ToString() => Name;
}

/// <summary>Every primitive and composite, each with broadcasting or symbolic dims where it matters.</summary>
public static class OpTable
{
    private static readonly Domain P = Domain.Positive, A = Domain.Any, Z = Domain.AwayFromZero;

    public static readonly OpRow[] Rows =
    {
        // unary primitives
        new("neg", (b, x) => b.Neg(x[0]), new[] { "B,5" }),
        new("exp", (b, x) => b.Exp(x[0]), new[] { "B,5" }),
        new("log", (b, x) => b.Log(x[0]), new[] { "B,5" }, new[] { P }),
        new("sqrt", (b, x) => b.Sqrt(x[0]), new[] { "3,7" }, new[] { P }),
        new("abs", (b, x) => b.Abs(x[0]), new[] { "B,5" }, new[] { Z }),
        new("sign", (b, x) => b.Sign(x[0]), new[] { "B,5" }, new[] { Z }),
        new("tanh", (b, x) => b.Tanh(x[0]), new[] { "B,19" }),
        new("erf", (b, x) => b.Erf(b.Mul(x[0], b.Const(2))), new[] { "B,19" }),
        new("gelu_tanh", (b, x) => b.Gelu(x[0], "tanh"), new[] { "B,9" }),
        new("sigmoid", (b, x) => b.Sigmoid(x[0]), new[] { "B,19" }),
        new("relu", (b, x) => b.Relu(x[0]), new[] { "B,21" }, new[] { Z }),
        new("stop_gradient", (b, x) => b.Mul(b.StopGradient(x[0]), x[0]), new[] { "B,3" }) { DefinedGradient = true },
        // binary primitives, with broadcasting
        new("add_bias", (b, x) => b.Add(x[0], x[1]), new[] { "B,17", "17" }),
        new("sub_outer", (b, x) => b.Sub(x[0], x[1]), new[] { "2,1,4", "3,1" }),
        new("mul_column", (b, x) => b.Mul(x[0], x[1]), new[] { "B,3", "B,1" }),
        new("mul_scalar", (b, x) => b.Mul(x[0], b.Const(2.5)), new[] { "B,33" }),
        new("div", (b, x) => b.Div(x[0], x[1]), new[] { "B,4", "4" }, new[] { A, P }),
        new("pow", (b, x) => b.Pow(x[0], x[1]), new[] { "3,4", "4" }, new[] { P, A }),
        new("maximum", (b, x) => b.Maximum(x[0], x[1]), new[] { "B,6", "B,6" }),
        new("minimum", (b, x) => b.Minimum(x[0], x[1]), new[] { "B,6", "6" }),
        new("lt", (b, x) => b.Mul(b.Lt(x[0], x[1]), x[0]), new[] { "B,6", "B,6" }),
        new("le", (b, x) => b.Mul(b.Le(x[0], x[1]), x[1]), new[] { "B,6", "6" }),
        new("gt", (b, x) => b.Mul(b.Gt(x[0], x[1]), x[0]), new[] { "B,6", "B,6" }),
        new("ge", (b, x) => b.Mul(b.Ge(x[0], x[1]), x[0]), new[] { "B,6", "B,6" }),
        new("eq", (b, x) => b.Mul(b.Eq(x[0], b.Max(x[0], new[] { 1 }, keepDims: true)), x[0]), new[] { "B,6" }),
        new("ne", (b, x) => b.Mul(b.Ne(x[0], b.Max(x[0], new[] { 1 }, keepDims: true)), x[0]), new[] { "B,6" }),
        new("where", (b, x) => b.Where(x[0], x[1], x[2]), new[] { "B,5", "B,5", "5" }, new[] { Domain.Mask, A, A }),
        // reductions
        new("sum_all", (b, x) => b.Sum(x[0]), new[] { "B,7" }),
        new("sum_axis1", (b, x) => b.Sum(x[0], new[] { 1 }), new[] { "B,37" }),
        new("sum_axis0_keep", (b, x) => b.Sum(x[0], new[] { 0 }, keepDims: true), new[] { "B,37" }),
        new("sum_axes_0_2", (b, x) => b.Sum(x[0], new[] { 0, 2 }), new[] { "2,3,4" }),
        new("sum_of_product", (b, x) => b.Sum(b.Mul(x[0], x[1]), new[] { -1 }), new[] { "B,19", "19" }),
        new("mean", (b, x) => b.Mean(x[0], new[] { 0 }), new[] { "B,5" }),
        new("max_axis", (b, x) => b.Max(x[0], new[] { 1 }), new[] { "B,9" }),
        new("max_axis0", (b, x) => b.Max(x[0], new[] { 0 }, keepDims: true), new[] { "B,9" }),
        new("min_all", (b, x) => b.Min(x[0]), new[] { "4,5" }),
        // movement
        new("transpose", (b, x) => b.Mul(b.Transpose(x[0]), x[1]), new[] { "B,3", "3,B" }),
        new("permute", (b, x) => b.Exp(b.Permute(x[0], new[] { 2, 0, 1 })), new[] { "2,3,4" }),
        new("reshape", (b, x) => b.Tanh(b.Reshape(x[0], new Dim[] { Dim.Sym("B"), 2, 3 })), new[] { "B,6" }),
        new("reshape_infer", (b, x) => b.Reshape(b.Exp(x[0]), new Dim[] { -1 }), new[] { "B,2,3" }),
        new("reshape_of_transpose", (b, x) => b.Reshape(b.Transpose(x[0]), new Dim[] { -1 }), new[] { "3,4" }),
        new("broadcast_to", (b, x) => b.BroadcastTo(x[0], new Shape(2, 3)), new[] { "3" }),
        // matmul
        new("matmul", (b, x) => b.MatMul(x[0], x[1]), new[] { "B,3", "3,5" }),
        new("matmul_tA", (b, x) => b.MatMul(x[0], x[1], transA: true), new[] { "3,B", "3,5" }),
        new("matmul_tB", (b, x) => b.MatMul(x[0], x[1], transB: true), new[] { "B,3", "5,3" }),
        new("matmul_tAtB", (b, x) => b.MatMul(x[0], x[1], true, true), new[] { "3,4", "5,3" }),
        new("matmul_batched", (b, x) => b.MatMul(x[0], x[1]), new[] { "2,4,3", "2,3,5" }),
        new("matmul_fold_batch", (b, x) => b.MatMul(x[0], x[1]), new[] { "B,4,3", "3,5" }),
        new("matmul_broadcast_batch", (b, x) => b.MatMul(x[0], x[1]), new[] { "2,4,3", "1,3,5" }),
        new("matvec", (b, x) => b.MatMul(x[0], x[1]), new[] { "B,3", "3" }),
        new("vecmat", (b, x) => b.MatMul(x[0], x[1]), new[] { "3", "3,4" }),
        // linear solve (A made well conditioned: A + 3I)
        new("solve", (b, x) => b.Solve(WellConditioned(b, x[0]), x[1]), new[] { "3,3", "3,2" }),
        new("solve_vector", (b, x) => b.Solve(WellConditioned(b, x[0]), x[1]), new[] { "4,4", "4" }),
        new("solve_batched", (b, x) => b.Solve(b.Add(x[0], b.BroadcastTo(b.Mul(b.Eye(3), b.Const(4)), new Shape(2, 3, 3))), x[1]), new[] { "2,3,3", "2,3,B" }),
        new("solve_batched_vector", (b, x) => b.Solve(b.Add(x[0], b.BroadcastTo(b.Mul(b.Eye(3), b.Const(4)), new Shape(2, 3, 3))), x[1], transA: true), new[] { "2,3,3", "2,3" }),
        new("solve_triangular_lower", (b, x) => b.SolveTriangular(WellConditioned(b, x[0]), x[1], upper: false), new[] { "4,4", "4,B" }),
        new("solve_triangular_upper_tA_batched", (b, x) => b.SolveTriangular(b.Add(x[0], b.Mul(b.Eye(3), b.Const(3))), x[1], upper: true, transA: true), new[] { "2,3,3", "2,3" }),
        new("cholesky", (b, x) => b.Cholesky(Spd(b, x[0])), new[] { "4,4" }),
        new("cholesky_batched", (b, x) => b.Cholesky(Spd(b, x[0])), new[] { "2,3,3" }),
        new("logdet", (b, x) => b.LogDet(Spd(b, x[0])), new[] { "2,4,4" }),
        new("slogdet", (b, x) => { var (sign, log) = b.SLogDet(WellConditioned(b, x[0])); return b.Mul(b.Add(sign, b.Const(2)), log); }, new[] { "5,5" }),
        new("solve_tA", (b, x) => b.Solve(WellConditioned(b, x[0]), x[1], transA: true), new[] { "3,3", "3,B" }),
        new("transpose_into_matmul", (b, x) => b.MatMul(b.Transpose(x[0]), x[1]), new[] { "3,B", "3,2" }),
        // composites
        new("square", (b, x) => b.Square(x[0]), new[] { "B,5" }),
        new("softmax", (b, x) => b.Softmax(x[0]), new[] { "B,10" }),
        new("log_softmax", (b, x) => b.LogSoftmax(x[0], 0), new[] { "4,B" }),
        new("logsumexp", (b, x) => b.LogSumExp(x[0]), new[] { "B,10" }),
        new("softmax_cross_entropy", (b, x) => b.SoftmaxCrossEntropy(x[0], x[1]), new[] { "B,4", "B" }, new[] { A, Domain.Labels4 }),
        new("one_hot", (b, x) => b.Mul(b.OneHot(x[1], 4), x[0]), new[] { "B,4", "B" }, new[] { A, Domain.Labels4 }),
        new("eye", (b, x) => b.Mul(b.Eye(3), x[0]), new[] { "3,3" }),
        new("mse", (b, x) => b.Mse(x[0], x[1]), new[] { "B,3", "B,3" }),
        new("mae", (b, x) => b.Mae(x[0], x[1]), new[] { "B,3", "B,3" }),
        new("huber", (b, x) => b.Huber(b.Mul(x[0], b.Const(2)), x[1], 1.0), new[] { "B,8", "B,8" }),
        new("bce_with_logits", (b, x) => b.BinaryCrossEntropyWithLogits(x[0], x[1]), new[] { "B,5", "B,5" }, new[] { A, Domain.Mask }),
        new("softplus", (b, x) => b.Softplus(x[0]), new[] { "B,5" }),
        new("hinge", (b, x) => b.Hinge(x[0], x[1]), new[] { "B", "B" }, new[] { A, Domain.PlusMinusOne }),
        // layers (issue 4): trig, structured primitives and the composites built on them
        new("sin", (b, x) => b.Sin(x[0]), new[] { "B,19" }),
        new("cos", (b, x) => b.Cos(x[0]), new[] { "B,19" }),
        new("gelu", (b, x) => b.Gelu(x[0]), new[] { "B,19" }),
        new("window_2d", (b, x) => b.Window(x[0], new Window(new[] { 2, 3 }, new[] { 1, 2 }, new[] { 2, 1 }, new[] { 1, 0 }, new[] { 0, 2 })), new[] { "B,2,5,6" }),
        new("unwindow_1d", (b, x) => b.Unwindow(x[0], new Window(new[] { 3 }, new[] { 2 }, new[] { 1 }, new[] { 1 }, new[] { 1 }), new Shape(Dim.Sym("B"), 2, 7)), new[] { "B,4,2,3" }),
        new("gather", (b, x) => b.Gather(x[0], x[1]), new[] { "5,3", "B,2" }, new[] { A, Domain.Labels4 }),
        new("eigh_values", (b, x) => b.Eigh(b.Add(x[0], b.Transpose(x[0]))).Values, new[] { "5,5" }),
        new("eigh_vectors", (b, x) => b.Mul(b.Eigh(b.Add(x[0], b.Transpose(x[0]))).Vectors, b.Reshape(b.Const(1.5), new Shape(1, 1))), new[] { "4,4" }),
        new("sort", (b, x) => b.Sort(x[0], 1), new[] { "B,6" }),
        new("sort_descending_axis0", (b, x) => b.Sort(x[0], 0, descending: true), new[] { "4,B" }),
        new("topk_values", (b, x) => b.TopK(x[0], 3, 1).Values, new[] { "B,7" }),
        new("topk_smallest_indices", (b, x) => b.Mul(b.Sum(b.TopK(x[0], 2, 1, largest: false).Indices), x[0]), new[] { "B,5" }),
        new("argsort", (b, x) => b.Mul(b.ArgSort(x[0], 1), x[0]), new[] { "B,6" }),
        new("cumsum", (b, x) => b.CumSum(x[0], 1), new[] { "B,6" }),
        new("cumsum_reverse_axis0", (b, x) => b.CumSum(x[0], 0, reverse: true), new[] { "5,B" }),
        new("argmax", (b, x) => b.Mul(b.ArgMax(x[0], 1, keepDims: true), x[0]), new[] { "B,7" }),
        new("argmin_axis0", (b, x) => b.Mul(b.BroadcastTo(b.ArgMin(x[0], 0, keepDims: true), x[0].Shape), x[0]), new[] { "B,4" }),
        new("scatter_add", (b, x) => b.ScatterAdd(x[1], x[0], 6), new[] { "B,3,2", "B,3" }, new[] { A, Domain.Labels4 }),
        new("slice", (b, x) => b.Slice(x[0], 1, 2, 3), new[] { "B,7,2" }),
        new("pad", (b, x) => b.Pad(x[0], -1, 2, 1), new[] { "B,3,4" }),
        // sums of symbolic dims: next-token slices [B, T-1], a concatenation along a run-time axis [B, T+3], Eye(T)
        new("slice_next_token", (b, x) => b.Mul(b.Slice(x[0], 1, 1, x[0].Shape[1] - 1), b.Slice(x[0], 1, 0, x[0].Shape[1] - 1)), new[] { "B,T,2" }),
        new("concat_symbolic_axis", (b, x) => b.Concat(new[] { x[0], x[1], x[0] }, 1), new[] { "B,T,2", "B,3,2" }),
        new("eye_symbolic", (b, x) => b.Mul(b.Eye(x[0].Shape[0]), x[0]), new[] { "T,T" }),
        // a gradient inside the graph (the Grad op): ∂/∂x Σ x·tanh(x·W), itself differentiated again by the row's checks
        new("grad_in_graph", (b, x) => Gradients.Grad(b, b.Sum(b.Mul(x[0], b.Tanh(b.MatMul(x[0], x[1])))), new[] { x[0] })[0], new[] { "B,3", "3,3" }),
        new("select", (b, x) => b.Select(x[0], 1, 2), new[] { "B,4,3" }),
        // a loop over a run-time number of steps T: h = tanh(h·W + x[.., t]), per-step results h ⊙ x[.., t]
        new("scan_elman", (b, x) => ElmanScan(b, x[0], x[1], x[2], reverse: false), new[] { "B,T,3", "B,3", "3,3" }),
        new("scan_reverse", (b, x) => ElmanScan(b, x[0], x[1], x[2], reverse: true), new[] { "T,B,3", "B,3", "3,3" }),
        new("conv1d", (b, x) => b.Conv(x[0], x[1], x[2], 2, 1, 2, 1), new[] { "B,3,11", "4,3,3", "4" }),
        new("conv2d_same", (b, x) => b.Conv(x[0], x[1], x[2], 1, "same", 1, 1), new[] { "B,2,6,5", "3,2,3,2", "3" }),
        new("conv2d_stride_dilation", (b, x) => b.Conv(x[0], x[1], null, 2, 1, 2, 1), new[] { "B,2,7,7", "3,2,3,3" }),
        new("conv2d_groups", (b, x) => b.Conv(x[0], x[1], x[2], 1, 0, 1, 2), new[] { "B,4,5,5", "6,2,2,2", "6" }),
        // stride 1, few taps: the direct convolution (no window matrix), padded and dilated, in 2-d and 1-d
        new("conv2d_direct_dilated", (b, x) => b.Conv(x[0], x[1], x[2], 1, 2, 2, 1), new[] { "B,3,9,8", "4,3,3,3", "4" }),
        new("conv1d_direct", (b, x) => b.Conv(x[0], x[1], x[2], 1, 1, 1, 1), new[] { "B,2,10", "3,2,3", "3" }),
        new("max_pool2d_tiles", (b, x) => b.Pool(x[0], true, new[] { 2, 2 }, new[] { 2, 2 }, new[] { 0, 0 }), new[] { "B,3,4,6" }),
        new("max_pool2d_overlap_pad", (b, x) => b.Pool(x[0], true, new[] { 3, 3 }, new[] { 2, 2 }, new[] { 1, 1 }), new[] { "B,2,5,5" }),
        new("max_pool1d", (b, x) => b.Pool(x[0], true, new[] { 3 }, new[] { 2 }, new[] { 0 }), new[] { "B,2,9" }),
        new("avg_pool1d_tiles", (b, x) => b.Pool(x[0], false, new[] { 2 }, new[] { 2 }, new[] { 0 }), new[] { "B,3,8" }),
        new("avg_pool2d_pad", (b, x) => b.Pool(x[0], false, new[] { 3, 3 }, new[] { 1, 1 }, new[] { 1, 1 }), new[] { "B,2,4,4" }),
        new("global_avg_pool", (b, x) => b.GlobalPool(x[0], false), new[] { "B,3,4,5" }),
        new("global_max_pool", (b, x) => b.GlobalPool(x[0], true), new[] { "B,3,9" }),
        new("batch_norm_train", (b, x) => { b.Training = true; return b.BatchNorm(x[0], x[1], x[2], null, null); }, new[] { "B,3,2,2", "3", "3" }),
        new("batch_norm_eval", (b, x) => b.BatchNorm(x[0], x[1], x[2], x[3], x[4]), new[] { "B,3,4", "3", "3", "3", "3" }, new[] { A, A, A, A, P }),
        new("layer_norm", (b, x) => b.LayerNorm(x[0], x[1], x[2]), new[] { "B,4,6", "6", "6" }),
        new("dropout", (b, x) => { b.Training = true; return b.Dropout(x[0], 0.3); }, new[] { "B,40" }),
        new("normal_reparameterized", (b, x) => b.Add(x[0], b.Mul(b.Exp(x[0]), b.RandomNormal(x[0].Shape))), new[] { "B,8" }),
        new("bernoulli", (b, x) => b.Mul(b.Bernoulli(b.Sigmoid(x[1])), x[0]), new[] { "B,8", "B,8" }, new[] { A, Domain.Mask }),
        new("categorical", (b, x) => b.Mul(b.Sum(b.Categorical(x[1])), x[0]), new[] { "B,3", "4,6" }, new[] { A, Domain.Labels4 }),
        new("permutation", (b, x) => b.Mul(b.Reshape(b.Gather(b.Reshape(x[0], new Shape(6, 1)), b.Permutation(Dim.Const(6))), new Shape(6)), x[0]), new[] { "6" }),
        new("embedding", (b, x) => b.Embedding(x[0], x[1]), new[] { "7,3", "B,5" }, new[] { A, Domain.Labels4 }),
        new("concat", (b, x) => b.Concat(new[] { x[0], x[1], x[0] }, 1), new[] { "B,2,3", "B,4,3" }),
        new("stack", (b, x) => b.Stack(new[] { x[0], x[1] }, -1), new[] { "B,3", "B,3" }),
        new("split", (b, x) => b.Mul(b.Split(x[0], 1, new[] { 2, 3 })[1], b.Chunk(x[0], 5, 1)[4]), new[] { "B,5" }),
        new("attention", (b, x) => b.Attention(x[0], x[1], x[2]), new[] { "B,3,4", "B,5,4", "B,5,2" }),
        new("attention_causal", (b, x) => b.Attention(x[0], x[1], x[2], causal: true), new[] { "B,4,3", "B,4,3", "B,4,3" }),
        new("multi_head_attention", (b, x) => b.MultiHeadAttention(x[0], x[1], x[2], 2, causal: true), new[] { "B,3,4", "B,3,4", "B,3,4" }),
        new("sinusoidal_positions", (b, x) => b.Mul(b.SinusoidalPositions(Dim.Sym("T"), 6), x[0]), new[] { "T,6" }),
        // fused chains
        new("fusion_probe", (b, x) => b.Mul(b.Tanh(b.Add(b.Mul(x[0], b.Const(0.7)), b.Const(0.1))), b.Sigmoid(b.Mul(x[0], b.Const(-1.3)))), new[] { "B,45" }),
        new("dense_relu", (b, x) => b.Relu(b.Add(b.MatMul(x[0], x[1]), x[2])), new[] { "B,6", "6,20", "20" }, new[] { A, A, A }),
        new("mean_of_dim_value", (b, x) => b.Mean(b.Square(x[0])), new[] { "B,T" }),
    };

    /// <summary>A + 3I, so that random square inputs are far from singular.</summary>
    /// <summary>An Elman recurrence as a scan: carries h, reads step t of <paramref name="xs"/>, returns the per-step results plus the final h.</summary>
    private static Node ElmanScan(GraphBuilder b, Node xs, Node h0, Node w, bool reverse)
    {
        int axis = reverse ? 0 : 1;
        var body = new GraphBuilder();
        var h = body.Input(ScanBody.Carry(0), h0.Shape);
        var xt = body.Input(ScanBody.X(0), new Shape(xs.Shape.Dims.Where((_, i) => i != axis).ToList()));
        var v = body.Input(ScanBody.Invariant(0), w.Shape);
        var next = body.Tanh(body.Add(body.MatMul(h, v), xt));
        body.Graph.SetOutput(ScanBody.Carry(0), next);
        body.Graph.SetOutput(ScanBody.Y(0), body.Mul(next, xt));
        var outs = b.Scan(new ScanBody(body.Graph, xs.Shape[axis], 1, new[] { axis }, 1, 1, reverse), new[] { h0 }, new[] { xs }, new[] { w });
        return b.Add(outs[1], outs[0]);
    }

    /// <summary>A·Aᵀ + 2I: symmetric positive definite for any A [..., n, n].</summary>
    private static Node Spd(GraphBuilder b, Node a)
    {
        int n = (int)a.Shape[a.Shape.Rank - 1].Coef;
        return b.Add(b.MatMul(a, a, transB: true), b.Mul(b.Eye(n), b.Const(2)));
    }

    private static Node WellConditioned(GraphBuilder b, Node a) =>
        b.Add(a, b.Mul(b.Const(3), b.Eq(b.Iota(a.Shape, 0), b.Iota(a.Shape, 1))));

    /// <summary>Deterministic random values for a row's input.</summary>
    public static double[] Sample(Domain d, int n, Random rng) => Enumerable.Range(0, n).Select(_ => d switch
    {
        Domain.Any => Normal(rng),
        Domain.Positive => 0.5 + 1.5 * rng.NextDouble(),
        Domain.AwayFromZero => (0.2 + 1.3 * rng.NextDouble()) * (rng.Next(2) == 0 ? -1 : 1),
        Domain.PlusMinusOne => rng.Next(2) == 0 ? -1.0 : 1.0,
        Domain.Labels4 => rng.Next(4),
        Domain.Mask => rng.Next(2),
    }).ToArray();

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static IEnumerable<object[]> Cases => Rows.Select(r => new object[] { r.Name });

    public static IEnumerable<object[]> DifferentiableCases => Rows.Where(r => !r.DefinedGradient).Select(r => new object[] { r.Name });
}
