using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Deep-learning layers as composites over the primitives: convolution (windows + one GEMM), pooling,
/// batch and layer norm, dropout, embeddings, concat/stack/split/pad, attention and positional encodings.
/// Their gradients come from the primitives' rules, so they are second-order differentiable too.
/// </summary>
public sealed partial class GraphBuilder
{
    /// <summary>
    /// Convolution (cross-correlation, as in PyTorch) over 1 or 2 spatial dims: x [N, C, S...], weight
    /// [O, C/groups, K...], optional bias [O] → [N, O, S'...]. Windows are unfolded and contracted with the
    /// weights in one matrix product ([N·S', C·K] × [O, C·K]ᵀ per group); the bias is added before the final permute.
    /// </summary>
    public Node Conv(Node x, Node weight, Node? bias, int[] stride, int[] padBefore, int[] padAfter, int[] dilation, int groups = 1)
    {
        int s = ConvRank(weight);
        if (x.Shape.Rank != s + 2) throw new ShapeError(ShapeErrorKind.WrongRank, $"conv{s}d: input must be [N, C{string.Concat(Enumerable.Repeat(", L", s))}], got {x.Shape} (weights {weight.Shape})");
        if (groups < 1) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"conv: groups must be positive, got {groups}");
        Dim c = x.Shape[1], o = weight.Shape[0], cg = weight.Shape[1];
        if (c != cg * groups)
            throw new ShapeError(ShapeErrorKind.Mismatch, $"conv{s}d: input {x.Shape} has {c} channels, but weights {weight.Shape} with groups={groups} expect {cg * groups}");
        if (!o.IsConstant || o.Coef % groups != 0)
            throw new ShapeError(ShapeErrorKind.Mismatch, $"conv{s}d: {o} output channels do not split into {groups} groups");
        if (bias is not null && !(bias.Shape.Rank == 1 && bias.Shape[0] == o))
            throw new ShapeError(ShapeErrorKind.Mismatch, $"conv{s}d: bias must be [{o}], got {bias.Shape}");
        var kernel = weight.Shape.Dims.Skip(2).Select(d => (int)d.Coef).ToArray();
        var geometry = new Window(kernel, stride, dilation, padBefore, padAfter);
        if (groups == 1 && Direct(c, o, geometry))
        {
            var direct = Convolve(x, weight, geometry);
            return bias is null ? direct : Add(direct, Reshape(bias, new Shape(new[] { o }.Concat(Enumerable.Repeat(Dim.Const(1), s)))));
        }
        var win = Window(x, geometry);
        var positions = win.Shape.Dims.Skip(1).Take(s).ToArray();
        Dim rows = positions.Aggregate(x.Shape[0], (a, d) => a * d);
        Dim k = kernel.Aggregate(cg, (a, v) => a * v);
        Node y;
        if (groups == 1)
            y = MatMul(Reshape(win, new Shape(rows, k)), Reshape(weight, new Shape(o, k)), transB: true);
        else
        {
            var cols = Permute(Reshape(win, new Shape(rows, groups, k)), new[] { 1, 0, 2 });
            var wg = Reshape(weight, new Shape(groups, Dim.Const(o.Coef / groups), k));
            y = Reshape(Permute(MatMul(cols, wg, transB: true), new[] { 1, 0, 2 }), new Shape(rows, o));
        }
        y = Reshape(y, new Shape(new[] { x.Shape[0] }.Concat(positions).Concat(new[] { o })));
        if (bias is not null) y = Add(y, bias);
        return Permute(y, new[] { 0, s + 1 }.Concat(Enumerable.Range(1, s)).ToArray());
    }

    /// <summary>
    /// Whether a convolution runs directly from the image (<see cref="OpKind.Convolve"/>) rather than as a window matrix
    /// times the weights: stride 1 and few taps per output (C·ΠK ≤ 256, O ≤ 64, as LeNet's 1→6 and 6→16 5×5 layers), where
    /// the window matrix costs more to write and read than the products it feeds.
    /// </summary>
    private static bool Direct(Dim c, Dim o, Window w) =>
        w.Stride.All(v => v == 1) && c.IsConstant && o.IsConstant && o.Coef <= 64 && w.Kernel.Aggregate(c.Coef, (a, k) => a * k) <= 256;

    /// <summary>Padding per spatial dim for "valid" (none), "same" (output = ceil(input / stride), the odd pixel after) or a number.</summary>
    public static (int[] Before, int[] After) ConvPadding(Shape x, int[] kernel, int[] stride, int[] dilation, string mode)
    {
        int s = kernel.Length;
        var before = new int[s]; var after = new int[s];
        if (mode == "valid") return (before, after);
        if (mode != "same") throw new ShapeError(ShapeErrorKind.InvalidArgument, $"padding must be \"valid\", \"same\" or a number, got \"{mode}\"");
        if (stride.Any(v => v < 1) || dilation.Any(v => v < 1))
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"stride ({string.Join(", ", stride)}) and dilation ({string.Join(", ", dilation)}) must be positive");
        if (x.Rank < s) throw new ShapeError(ShapeErrorKind.WrongRank, $"a {s}-d convolution needs {s} spatial dims, got {x}");
        for (int i = 0; i < s; i++)
        {
            var d = x[x.Rank - s + i];
            if (!d.IsConstant) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"\"same\" padding needs constant spatial dims, got {x}");
            long n = d.Coef, outSize = (n + stride[i] - 1) / stride[i];
            long total = Math.Max(0, (outSize - 1) * stride[i] + (long)dilation[i] * (kernel[i] - 1) + 1 - n);
            if (total > int.MaxValue) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"\"same\" padding of {x} with kernel {kernel[i]} and dilation {dilation[i]} is too large");
            before[i] = (int)(total / 2); after[i] = (int)(total - total / 2);
        }
        return (before, after);
    }

    private static int[] Rep(int v, int s) => Enumerable.Repeat(v, s).ToArray();

    /// <summary>Convolution with the same stride, padding and dilation along every spatial dim.</summary>
    /// <summary>The number of spatial dims of a convolution's weights [O, C/groups, K...]: 1 or 2, with constant kernel sizes.</summary>
    private static int ConvRank(Node weight)
    {
        int s = weight.Shape.Rank - 2;
        if (s is < 1 or > 2) throw new ShapeError(ShapeErrorKind.WrongRank, $"conv: weights must be [O, C/groups, K] or [O, C/groups, KH, KW], got {weight.Shape}");
        if (weight.Shape.Dims.Skip(2).Any(d => !d.IsConstant || d.Coef < 1 || d.Coef > int.MaxValue))
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"conv: kernel sizes must be positive constants, got weights {weight.Shape}");
        return s;
    }

    public Node Conv(Node x, Node weight, Node? bias, int stride, int padding, int dilation, int groups)
    {
        int s = ConvRank(weight);
        return Conv(x, weight, bias, Rep(stride, s), Rep(padding, s), Rep(padding, s), Rep(dilation, s), groups);
    }

    /// <summary>Convolution with "valid" or "same" padding.</summary>
    public Node Conv(Node x, Node weight, Node? bias, int stride, string padding, int dilation, int groups)
    {
        int s = ConvRank(weight);
        var kernel = weight.Shape.Dims.Skip(2).Select(d => (int)d.Coef).ToArray();
        var (before, after) = ConvPadding(x.Shape, kernel, Rep(stride, s), Rep(dilation, s), padding);
        return Conv(x, weight, bias, Rep(stride, s), before, after, Rep(dilation, s), groups);
    }

    /// <summary>
    /// Max or average pooling over 1 or 2 spatial dims of x [N, C, S...]. Max pooling ignores padding
    /// (padded positions never win); average pooling counts them as zeros (PyTorch's default).
    /// Non-overlapping windows that tile the input are a reshape and a reduction; others go through windows.
    /// </summary>
    public Node Pool(Node x, bool max, int[] kernel, int[] stride, int[] padding)
    {
        int s = kernel.Length;
        if (x.Shape.Rank != s + 2) throw new ShapeError(ShapeErrorKind.WrongRank, $"{(max ? "max" : "avg")}_pool{s}d: input must be [N, C{string.Concat(Enumerable.Repeat(", L", s))}], got {x.Shape}");
        var w = new Window(kernel, stride, Rep(1, s), padding, padding);
        var spatial = x.Shape.Dims.Skip(2).ToArray();
        bool tiles = padding.All(p => p == 0) && Enumerable.Range(0, s).All(i => stride[i] == kernel[i] && spatial[i].IsConstant && spatial[i].Coef % kernel[i] == 0);
        if (tiles)
        {
            var split = new List<Dim> { x.Shape[0], x.Shape[1] };
            for (int i = 0; i < s; i++) { split.Add(Dim.Const(spatial[i].Coef / kernel[i])); split.Add(kernel[i]); }
            var axes = Enumerable.Range(0, s).Select(i => 3 + 2 * i).ToArray();
            var r = Reshape(x, new Shape(split));
            return max ? MaxToFirst(r, axes) : Mean(r, axes);
        }
        var win = Window(x, w);
        var kAxes = Enumerable.Range(s + 2, s).ToArray();
        Node pooled;
        if (max && padding.Any(p => p > 0))
        {
            var inside = Window(Full(1, x.Shape), w);
            pooled = MaxToFirst(Where(inside, win, Const(-3.0e38)), kAxes);
        }
        else pooled = max ? MaxToFirst(win, kAxes) : Mean(win, kAxes);
        return Permute(pooled, new[] { 0, s + 1 }.Concat(Enumerable.Range(1, s)).ToArray());
    }

    /// <summary>Mean (or max) over every spatial dim of [N, C, S...]: [N, C].</summary>
    public Node GlobalPool(Node x, bool max)
    {
        if (x.Shape.Rank < 3) throw new ShapeError(ShapeErrorKind.WrongRank, $"global pooling needs [N, C, S...], got {x.Shape}");
        var axes = Enumerable.Range(2, x.Shape.Rank - 2).ToArray();
        return max ? MaxToFirst(x, axes) : Mean(x, axes);
    }

    /// <summary>
    /// Batch norm over every axis but the channel axis 1 of x [N, C, ...]. Training mode normalizes with the
    /// batch's mean and (biased) variance and updates the running averages
    /// (<c>running = (1 − momentum)·running + momentum·batch</c>, the variance unbiased, as in PyTorch);
    /// evaluation mode normalizes with the running averages.
    /// </summary>
    /// <remarks>Without running statistics (null) only training mode is possible, and nothing is updated.</remarks>
    public Node BatchNorm(Node x, Node gamma, Node beta, Node? runningMean, Node? runningVar, double momentum = 0.1, double epsilon = 1e-5)
    {
        if (x.Shape.Rank < 2) throw new ShapeError(ShapeErrorKind.WrongRank, $"batch_norm needs [N, C, ...], got {x.Shape}");
        var c = x.Shape[1];
        if ((runningMean is null || runningVar is null) && !Training)
            throw new ShapeError(ShapeErrorKind.InvalidArgument, "batch_norm in evaluation mode needs the running mean and variance");
        foreach (var (t, name) in new[] { (gamma, "gamma"), (beta, "beta"), (runningMean, "running mean"), (runningVar, "running variance") })
            if (t is not null && !(t.Shape.Rank == 1 && t.Shape[0] == c))
                throw new ShapeError(ShapeErrorKind.Mismatch, $"batch_norm: {name} must be [{c}] for input {x.Shape}, got {t.Shape}");
        var axes = Enumerable.Range(0, x.Shape.Rank).Where(a => a != 1).ToArray();
        var channel = new Shape(new[] { Dim.Const(1), c }.Concat(Enumerable.Repeat(Dim.Const(1), x.Shape.Rank - 2)));
        Node Col(Node v) => Reshape(v, channel);
        Node mean, variance;
        if (Training)
        {
            mean = Mean(x, axes, keepDims: true);
            var centered = Sub(x, mean);
            variance = Mean(Square(centered), axes, keepDims: true);
            var count = axes.Aggregate(Dim.Const(1), (a, i) => a * x.Shape[i]);
            var n = DimValue(count);
            var unbiased = Mul(StopGradient(variance), Div(n, Sub(n, Const(1))));
            if (runningMean is not null) UpdateState(runningMean, Add(Mul(Const(1 - momentum), runningMean), Mul(Const(momentum), Reshape(StopGradient(mean), runningMean.Shape))));
            if (runningVar is not null) UpdateState(runningVar, Add(Mul(Const(1 - momentum), runningVar), Mul(Const(momentum), Reshape(unbiased, runningVar.Shape))));
            return Add(Mul(Div(centered, Sqrt(Add(variance, Const(epsilon)))), Col(gamma)), Col(beta));
        }
        mean = Col(runningMean!);
        variance = Col(runningVar!);
        return Add(Mul(Div(Sub(x, mean), Sqrt(Add(variance, Const(epsilon)))), Col(gamma)), Col(beta));
    }

    /// <summary>Layer norm over the last axis: (x − mean) / sqrt(var + ε) · gamma + beta.</summary>
    public Node LayerNorm(Node x, Node gamma, Node beta, double epsilon = 1e-5)
    {
        if (x.Shape.Rank < 1) throw new ShapeError(ShapeErrorKind.WrongRank, $"layer_norm needs at least one axis, got {x.Shape}");
        var d = x.Shape[x.Shape.Rank - 1];
        if (!(gamma.Shape.Rank == 1 && gamma.Shape[0] == d) || !(beta.Shape.Rank == 1 && beta.Shape[0] == d))
            throw new ShapeError(ShapeErrorKind.Mismatch, $"layer_norm: gamma and beta must be [{d}] for input {x.Shape}, got {gamma.Shape} and {beta.Shape}");
        var mean = Mean(x, new[] { -1 }, keepDims: true);
        var centered = Sub(x, mean);
        var variance = Mean(Square(centered), new[] { -1 }, keepDims: true);
        return Add(Mul(Div(centered, Sqrt(Add(variance, Const(epsilon)))), gamma), beta);
    }

    /// <summary>Inverted dropout: in training mode zeroes each element with probability p and scales the rest by 1/(1 − p); identity in evaluation mode.</summary>
    public Node Dropout(Node x, double p)
    {
        if (p < 0 || p >= 1) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"dropout probability must be in [0, 1), got {p}");
        if (!Training || p == 0) return x;
        var keep = Ge(RandomUniform(x.Shape), Const(p));
        return Mul(x, Mul(keep, Const(1 / (1 - p))));
    }

    /// <summary>Concatenation along <paramref name="axis"/> (constant sizes there): each part zero-padded into place, then summed.</summary>
    public Node Concat(IReadOnlyList<Node> parts, int axis)
    {
        if (parts.Count == 0) throw new ShapeError(ShapeErrorKind.InvalidArgument, "concat needs at least one tensor");
        int rank = parts[0].Shape.Rank;
        axis = NormalizeAxis(axis, rank, "concat");
        foreach (var p in parts)
        {
            if (p.Shape.Rank != rank || Enumerable.Range(0, rank).Any(i => i != axis && p.Shape[i] != parts[0].Shape[i]))
                throw new ShapeError(ShapeErrorKind.Mismatch, $"concat along axis {axis}: {p.Shape} does not match {parts[0].Shape} outside that axis");
        }
        if (parts.Count == 1) return parts[0];
        var total = parts.Aggregate(Dim.Const(0), (t, p) => t + p.Shape[axis]);
        var offset = Dim.Const(0);
        Node? sum = null;
        foreach (var p in parts)
        {
            var padded = Pad(p, axis, offset, total - offset - p.Shape[axis]);
            offset += p.Shape[axis];
            sum = sum is null ? padded : Add(sum, padded);
        }
        return sum!;
    }

    /// <summary>Stacks equal-shaped tensors along a new axis.</summary>
    public Node Stack(IReadOnlyList<Node> parts, int axis)
    {
        if (parts.Count == 0) throw new ShapeError(ShapeErrorKind.InvalidArgument, "stack needs at least one tensor");
        int rank = parts[0].Shape.Rank + 1;
        axis = NormalizeAxis(axis, rank, "stack");
        foreach (var p in parts)
            if (!p.Shape.Equals(parts[0].Shape)) throw new ShapeError(ShapeErrorKind.Mismatch, $"stack: {p.Shape} differs from {parts[0].Shape}");
        var dims = parts[0].Shape.Dims.ToList();
        dims.Insert(axis, 1);
        return Concat(parts.Select(p => Reshape(p, new Shape(dims))).ToList(), axis);
    }

    /// <summary>Splits along <paramref name="axis"/> into parts of the given sizes (which must add up to the axis).</summary>
    public Node[] Split(Node x, int axis, IReadOnlyList<int> sizes)
    {
        axis = NormalizeAxis(axis, x.Shape.Rank, "split");
        var d = x.Shape[axis];
        if (sizes.Any(n => n < 0))
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"split: sizes ({string.Join(", ", sizes)}) must not be negative");
        if (!d.IsConstant || sizes.Sum(n => (long)n) != d.Coef)
            throw new ShapeError(ShapeErrorKind.Mismatch, $"split: sizes ({string.Join(", ", sizes)}) must add up to axis {axis} of {x.Shape}");
        int start = 0;
        return sizes.Select(n => { var p = Slice(x, axis, start, n); start += n; return p; }).ToArray();
    }

    /// <summary>Splits along <paramref name="axis"/> into <paramref name="chunks"/> equal parts.</summary>
    public Node[] Chunk(Node x, int chunks, int axis)
    {
        axis = NormalizeAxis(axis, x.Shape.Rank, "chunk");
        var d = x.Shape[axis];
        if (chunks < 1 || !d.IsConstant || d.Coef % chunks != 0)
            throw new ShapeError(ShapeErrorKind.Mismatch, $"chunk: axis {axis} of {x.Shape} does not split into {chunks} equal parts");
        return Split(x, axis, Enumerable.Repeat((int)(d.Coef / chunks), chunks).ToArray());
    }

    /// <summary>Embedding lookup: rows of <paramref name="table"/> [V, D] for integer ids (as floats) of any shape.</summary>
    public Node Embedding(Node table, Node ids)
    {
        if (table.Shape.Rank != 2) throw new ShapeError(ShapeErrorKind.WrongRank, $"embedding table must be [V, D], got {table.Shape}");
        return Gather(table, ids);
    }

    /// <summary>
    /// GELU, x·Φ(x): exact by default, 0.5·x·(1 + erf(x/√2)), as PyTorch's nn.GELU(); with <paramref name="approximate"/>
    /// "tanh", the tanh form 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) as nn.GELU(approximate="tanh").
    /// </summary>
    public Node Gelu(Node x, string approximate = "none")
    {
        if (approximate == "tanh")
        {
            var inner = Mul(Const(Math.Sqrt(2 / Math.PI)), Add(x, Mul(Const(0.044715), Mul(x, Square(x)))));
            return Mul(Mul(Const(0.5), x), Add(Const(1), Tanh(inner)));
        }
        if (approximate != "none")
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"gelu: approximate must be \"none\" (exact) or \"tanh\", got \"{approximate}\"");
        return Mul(Mul(Const(0.5), x), Add(Const(1), Erf(Mul(x, Const(1 / Math.Sqrt(2))))));
    }

    /// <summary>
    /// Scaled dot-product attention softmax(q·kᵀ/√d)·v over the last two axes, with batch axes broadcast:
    /// q [..., Tq, d], k [..., Tk, d], v [..., Tk, dv]. A causal mask keeps key j ≤ query i (Tq = Tk).
    /// When q, k and v share their batch axes and dv is a constant (multi-head attention's heads), this is one fused
    /// <see cref="OpKind.Attention"/>: the [..., Tq, Tk] weights are never stored, and the backward pass recomputes them.
    /// </summary>
    public Node Attention(Node q, Node k, Node v, bool causal = false)
    {
        if (!Fusable(q, k, v)) return MatMul(AttentionWeights(q, k, causal), v);
        double scale = AttentionScale(q, k, causal);
        var packed = Prim(OpKind.Attention, AttentionShape(q, v), new NodeAttrs { Ints = new[] { causal ? 1 : 0 }, Value = scale }, q, k, v);
        return Slice(packed, -1, 0, (int)v.Shape[v.Shape.Rank - 1].Coef);
    }

    /// <summary>q, k and v of one rank with equal batch axes, k and v of equal length, constant feature counts: one fused op.</summary>
    private static bool Fusable(Node q, Node k, Node v)
    {
        int r = q.Shape.Rank;
        if (r < 2 || k.Shape.Rank != r || v.Shape.Rank != r) return false;
        for (int i = 0; i < r - 2; i++)
            if (q.Shape[i] != k.Shape[i] || q.Shape[i] != v.Shape[i]) return false;
        return q.Shape[r - 1].IsConstant && q.Shape[r - 1] == k.Shape[r - 1] && v.Shape[r - 1].IsConstant && k.Shape[r - 2] == v.Shape[r - 2];
    }

    /// <summary>The softmax scale 1/√d, after the checks <see cref="AttentionWeights"/> makes.</summary>
    private static double AttentionScale(Node q, Node k, bool causal)
    {
        if (q.Shape.Rank < 2 || k.Shape.Rank < 2)
            throw new ShapeError(ShapeErrorKind.WrongRank, $"attention: q and k must be [..., T, D], got {q.Shape} and {k.Shape}");
        var d = q.Shape[q.Shape.Rank - 1];
        if (!d.IsConstant) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"attention: the feature dim of q {q.Shape} must be a constant");
        if (k.Shape[k.Shape.Rank - 1] != d)
            throw new ShapeError(ShapeErrorKind.Mismatch, $"attention: q {q.Shape} and k {k.Shape} must have the same feature dim");
        if (causal && q.Shape[q.Shape.Rank - 2] != k.Shape[k.Shape.Rank - 2])
            throw new ShapeError(ShapeErrorKind.Mismatch, $"causal attention needs as many queries as keys, got {q.Shape} and {k.Shape}");
        return 1 / Math.Sqrt(d.Coef);
    }

    /// <summary>[..., Tq, Dv + 1]: the attention's rows and each row's log-sum-exp.</summary>
    private static Shape AttentionShape(Node q, Node v)
    {
        int r = q.Shape.Rank;
        return new Shape(q.Shape.Dims.Take(r - 1).Append(Dim.Const(v.Shape[r - 1].Coef + 1)));
    }

    /// <summary>
    /// The gradient of a fused attention <paramref name="attention"/> given its packed output's gradient <paramref name="g"/>:
    /// <paramref name="part"/> 0 the query gradient; 1 the key and value gradients side by side on the last axis; 2 (as many
    /// queries as keys) all three side by side.
    /// </summary>
    public Node AttentionGrad(Node attention, Node g, int part)
    {
        Node q = attention[0], k = attention[1], v = attention[2];
        int r = q.Shape.Rank;
        long d = q.Shape[r - 1].Coef, dv = v.Shape[r - 1].Coef;
        var shape = part == 0 ? q.Shape : new Shape(k.Shape.Dims.Take(r - 1).Append(Dim.Const((part == 2 ? 2 * d : d) + dv)));
        var attrs = new NodeAttrs { Ints = new[] { attention.Attrs.Ints[0], part }, Value = attention.Attrs.Value };
        return Prim(OpKind.AttentionGrad, shape, attrs, q, k, v, attention, g);
    }

    /// <summary>
    /// What a fused <see cref="OpKind.Attention"/> computes, in primitive ops (the weights stored): the rows then the log-sum-exp
    /// of the scores. Second-order gradients through a fused attention differentiate this.
    /// </summary>
    internal Node AttentionUnfused(Node q, Node k, Node v, bool causal, double scale)
    {
        var scores = MaskedScores(q, k, causal, scale);
        var lse = LogSumExp(scores, -1, keepDims: true);
        return Concat(new[] { MatMul(Exp(Sub(scores, lse)), v), lse }, -1);
    }

    /// <summary>The attention weights softmax(q·kᵀ/√d) [..., Tq, Tk] (rows sum to 1).</summary>
    public Node AttentionWeights(Node q, Node k, bool causal = false) => Softmax(MaskedScores(q, k, causal, AttentionScale(q, k, causal)), -1);

    /// <summary>scale·q·kᵀ, with −10³⁰ where a causal mask hides a key.</summary>
    private Node MaskedScores(Node q, Node k, bool causal, double scale)
    {
        var scores = Mul(MatMul(q, k, transB: true), Const(scale));
        if (!causal) return scores;
        int r = scores.Shape.Rank;
        var square = new Shape(scores.Shape[r - 2], scores.Shape[r - 1]);
        var future = Gt(Iota(square, 1), Iota(square, 0));
        return Where(future, Const(-1e30), scores);
    }

    /// <summary>[B, T, D] to [B, H, T, D/H].</summary>
    public Node SplitHeads(Node x, int heads)
    {
        if (x.Shape.Rank != 3) throw new ShapeError(ShapeErrorKind.WrongRank, $"split_heads needs [B, T, D], got {x.Shape}");
        var d = x.Shape[2];
        if (!d.IsConstant || heads < 1 || d.Coef % heads != 0) throw new ShapeError(ShapeErrorKind.Mismatch, $"split_heads: {d} features do not split into {heads} heads");
        return Permute(Reshape(x, new Shape(x.Shape[0], x.Shape[1], heads, Dim.Const(d.Coef / heads))), new[] { 0, 2, 1, 3 });
    }

    /// <summary>[B, H, T, Dh] to [B, T, H·Dh].</summary>
    public Node MergeHeads(Node x)
    {
        if (x.Shape.Rank != 4) throw new ShapeError(ShapeErrorKind.WrongRank, $"merge_heads needs [B, H, T, Dh], got {x.Shape}");
        return Reshape(Permute(x, new[] { 0, 2, 1, 3 }), new Shape(x.Shape[0], x.Shape[2], x.Shape[1] * x.Shape[3]));
    }

    /// <summary>Multi-head attention of projected q, k, v [B, T, D]: each of <paramref name="heads"/> heads attends over D/heads features; [B, Tq, D].</summary>
    public Node MultiHeadAttention(Node q, Node k, Node v, int heads, bool causal = false) =>
        MergeHeads(Attention(SplitHeads(q, heads), SplitHeads(k, heads), SplitHeads(v, heads), causal));

    /// <summary>Sinusoidal positional encodings [T, D]: sin(p·ω_i) at even features 2i, cos(p·ω_i) at odd ones, ω_i = 10000^(−2i/D).</summary>
    public Node SinusoidalPositions(Dim length, int features)
    {
        if (features < 2 || features % 2 != 0) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"sinusoidal positions need an even feature count, got {features}");
        var shape = new Shape(length, features / 2, 2);
        var position = Iota(shape, 0);
        var frequency = Exp(Mul(Iota(shape, 1), Const(-2 * Math.Log(10000) / features)));
        var angle = Mul(position, frequency);
        var odd = Iota(shape, 2);
        return Reshape(Where(odd, Cos(angle), Sin(angle)), new Shape(length, features));
    }
}
