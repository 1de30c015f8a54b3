using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using GraphNet.Compiler;
using GraphNet.Runtime;

namespace GraphNet.Reference;

/// <summary>
/// The reference interpreter: runs a graph op by op with plain loops, in float (the eager path)
/// or double (the oracle that gradient checks use). Elementwise semantics come from
/// <see cref="ScalarSemantics"/>, the one definition shared with the compiler.
/// </summary>
public sealed class Evaluator<T> where T : struct, IFloatingPointIeee754<T>
{
    private readonly Dictionary<string, long> _dims = new(StringComparer.Ordinal);
    private readonly Dictionary<Node, (int[] Shape, T[] Data)> _values = new();
    private readonly int _seed;
    private readonly ulong _draw;
    private readonly long _step; // inside a loop's body: the step (nested loops: outer step · steps + inner step)

    /// <summary>
    /// Runs every node of <paramref name="g"/>; inputs, parameters and buffers come from <paramref name="leaves"/> by name.
    /// Random nodes draw what a compiled entry point with model seed <paramref name="seed"/> draws on its call number <paramref name="draw"/>.
    /// </summary>
    public Evaluator(Graph g, IReadOnlyDictionary<string, (int[] Shape, T[] Data)> leaves, int seed = 0, ulong draw = 0)
        : this(g, leaves, seed, draw, null, 0) { }

    private Evaluator(Graph g, IReadOnlyDictionary<string, (int[] Shape, T[] Data)> leaves, int seed, ulong draw, Dictionary<string, long>? dims, long step)
    {
        _seed = seed; _draw = draw; _step = step;
        if (dims is not null) foreach (var kv in dims) _dims[kv.Key] = kv.Value;
        foreach (var n in g.Nodes)
        {
            if (n.Op is OpKind.Input or OpKind.Param or OpKind.State)
            {
                if (!leaves.TryGetValue(n.Attrs.Name, out var v)) throw new ArgumentException($"No value for '{n.Attrs.Name}'.");
                Bind(n, v.Shape);
                if (n.Attrs.DimValue is { IsConstant: false } count && v.Data.Length == 1) // an int argument used as a length
                {
                    double value = double.CreateChecked(v.Data[0]);
                    if (value >= 1 && !_dims.ContainsKey(count.Symbols)) _dims[count.Symbols] = (long)value;
                }
                _values[n] = v;
            }
            else _values[n] = Eval(n);
        }
    }

    /// <summary>The value of node <paramref name="n"/> of the graph: its dims and elements; <see cref="KeyNotFoundException"/> for a node of another graph.</summary>
    public (int[] Shape, T[] Data) this[Node n] => _values[n];

    private void Bind(Node n, int[] actual)
    {
        if (actual.Length != n.Shape.Rank) throw new ArgumentException($"'{n.Attrs.Name}' has shape {Tensor.Format(actual)}, expected {n.Shape}.");
        for (int i = 0; i < actual.Length; i++)
        {
            var d = n.Shape[i];
            if (d.IsSymbol && !_dims.ContainsKey(d.Symbols)) _dims[d.Symbols] = actual[i];
            else if (d.Evaluate(x => _dims.TryGetValue(x, out var v) ? v : throw new ArgumentException($"'{n.Attrs.Name}': dim {x} is not bound yet.")) != actual[i])
                throw new ArgumentException($"'{n.Attrs.Name}' has shape {Tensor.Format(actual)}, expected {n.Shape}.");
        }
    }

    private int[] Concrete(Shape s) => s.Dims.Select(d => (int)d.Evaluate(x => _dims[x])).ToArray();

    private (int[] Shape, T[] Data) Eval(Node n)
    {
        var shape = Concrete(n.Shape);
        // An elementwise op writes every element (vector kernel or scalar loop), so its buffer need not be zeroed first:
        // for an eager op on a large tensor the zeroing was a pass over memory of its own.
        var outData = n.Op.Category() is OpCategory.Unary or OpCategory.Binary or OpCategory.Ternary
            ? GC.AllocateUninitializedArray<T>(Tensor.Count(shape)) : new T[Tensor.Count(shape)];
        T[] In(int i) => _values[n.Inputs[i]].Data;
        switch (n.Op.Category())
        {
            case OpCategory.Leaf when n.Op == OpKind.Random:
                var rng = GraphNet.Runtime.Fill.Stream(_seed, _draw, (int)n.Attrs.Value);
                for (int i = 0; i < outData.Length; i++) outData[i] = T.CreateChecked(rng.Uniform((ulong)(_step * outData.Length + i)));
                break;
            case OpCategory.Leaf:
                for (int i = 0; i < outData.Length; i++)
                    outData[i] = n.Op switch
                    {
                        OpKind.Const => T.CreateChecked(n.Attrs.Value),
                        OpKind.DimValue => T.CreateChecked(n.Attrs.DimValue.Evaluate(x => _dims[x])),
                        _ => T.CreateChecked(i / Stride(shape, n.Attrs.Axes[0]) % shape[n.Attrs.Axes[0]]),
                    };
                break;
            case OpCategory.Unary or OpCategory.Binary or OpCategory.Ternary when outData is float[] f && Vectorized(n, f):
                break;
            case OpCategory.Unary or OpCategory.Binary or OpCategory.Ternary:
                for (int i = 0; i < outData.Length; i++)
                {
                    double a = double.CreateChecked(In(0)[i]);
                    double b = n.Inputs.Count > 1 ? double.CreateChecked(In(1)[i]) : 0;
                    double c = n.Inputs.Count > 2 ? double.CreateChecked(In(2)[i]) : 0;
                    outData[i] = T.CreateChecked(ScalarSemantics.Apply(n.Op, a, b, c));
                }
                break;
            case OpCategory.Reduce:
                Reduce(n, _values[n.Inputs[0]], shape, outData);
                break;
            case OpCategory.Movement:
                Move(n, _values[n.Inputs[0]], shape, outData);
                break;
            case OpCategory.MatMul:
                MatMul(n, _values[n.Inputs[0]], _values[n.Inputs[1]], shape, outData);
                break;
            case OpCategory.Solve:
                Solve(n, _values[n.Inputs[0]], _values[n.Inputs[1]], shape, outData);
                break;
            case OpCategory.Structured:
                Structured(n, n.Inputs.Select(i => _values[i]).ToArray(), shape, outData);
                break;
            case OpCategory.Scan when n.Op == OpKind.ScanOutput:
                return _scans[n[0]][n.Attrs.Ints[0]];
            case OpCategory.Scan:
                _scans[n] = Scan(n);
                break;
        }
        return (shape, outData);
    }

    private readonly Dictionary<Node, (int[] Shape, T[] Data)[]> _scans = new();

    /// <summary>
    /// The eager path's elementwise ops in float, over whole arrays with the compiled kernels' vector math
    /// (<see cref="GraphNet.Runtime.Elementwise"/>); false for the ops left to the scalar loop (comparisons, where, pow,
    /// min and max with their NaN rules, and the rarer functions).
    /// </summary>
    private bool Vectorized(Node n, float[] output)
    {
        float[] In(int i) => (float[])(object)_values[n.Inputs[i]].Data;
        switch (n.Op)
        {
            case OpKind.Neg: Elementwise.Map<Elementwise.Neg>(In(0), output); return true;
            case OpKind.Exp: Elementwise.Map<Elementwise.Exp>(In(0), output); return true;
            case OpKind.Log: Elementwise.Map<Elementwise.Log>(In(0), output); return true;
            case OpKind.Sqrt: Elementwise.Map<Elementwise.Sqrt>(In(0), output); return true;
            case OpKind.Abs: Elementwise.Map<Elementwise.Abs>(In(0), output); return true;
            case OpKind.Tanh: Elementwise.Map<Elementwise.Tanh>(In(0), output); return true;
            case OpKind.Sigmoid: Elementwise.Map<Elementwise.Sigmoid>(In(0), output); return true;
            case OpKind.Add: Elementwise.Zip<Elementwise.Add>(In(0), In(1), output); return true;
            case OpKind.Sub: Elementwise.Zip<Elementwise.Sub>(In(0), In(1), output); return true;
            case OpKind.Mul: Elementwise.Zip<Elementwise.Mul>(In(0), In(1), output); return true;
            case OpKind.Div: Elementwise.Zip<Elementwise.Div>(In(0), In(1), output); return true;
            case OpKind.StopGradient: In(0).AsSpan().CopyTo(output); return true;
            default: return false;
        }
    }

    /// <summary>Runs a scan's body once per step with its own evaluator: the outputs, final carries then stacks.</summary>
    private (int[] Shape, T[] Data)[] Scan(Node n)
    {
        var sb = n.Attrs.Scan!;
        int steps = (int)sb.Length.Evaluate(x => _dims[x]);
        var carries = Enumerable.Range(0, sb.Carries).Select(i => _values[n.Inputs[i]]).ToArray();
        var stacks = Enumerable.Range(0, sb.Ys).Select(q => Concrete(new Shape(new[] { sb.Length }.Concat(sb.Body.Output(ScanBody.Y(q)).Shape.Dims))))
            .Select(sh => (sh, new T[Tensor.Count(sh)])).ToArray();
        for (int it = 0; it < steps; it++)
        {
            int t = sb.Reverse ? steps - 1 - it : it;
            var leaves = new Dictionary<string, (int[] Shape, T[] Data)>(StringComparer.Ordinal);
            for (int i = 0; i < sb.Carries; i++) leaves[ScanBody.Carry(i)] = carries[i];
            for (int i = 0; i < sb.Xs; i++)
            {
                var (xs, xd) = _values[n.Inputs[sb.Carries + i]];
                int axis = sb.XAxes[i], inner = Stride(xs, axis), outer = xs.Take(axis).Aggregate(1, (a, b) => a * b);
                var step = new T[outer * inner];
                for (int o = 0; o < outer; o++) Array.Copy(xd, (o * xs[axis] + t) * inner, step, o * inner, inner);
                leaves[ScanBody.X(i)] = (xs.Where((_, a) => a != axis).ToArray(), step);
            }
            for (int j = 0; j < sb.Invariants; j++) leaves[ScanBody.Invariant(j)] = _values[n.Inputs[sb.Carries + sb.Xs + j]];
            var ev = new Evaluator<T>(sb.Body, leaves, _seed, _draw, _dims, _step * steps + t);
            for (int i = 0; i < sb.Carries; i++) carries[i] = ev[sb.Body.Output(ScanBody.Carry(i))];
            for (int q = 0; q < sb.Ys; q++)
            {
                var y = ev[sb.Body.Output(ScanBody.Y(q))].Data;
                Array.Copy(y, 0, stacks[q].Item2, t * y.Length, y.Length);
            }
        }
        return carries.Concat(stacks).ToArray();
    }

    private static int Stride(int[] shape, int axis)
    {
        int s = 1;
        for (int i = axis + 1; i < shape.Length; i++) s *= shape[i];
        return s;
    }

    private static int[] Index(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--) { idx[i] = shape[i] == 0 ? 0 : flat % shape[i]; flat = shape[i] == 0 ? 0 : flat / shape[i]; }
        return idx;
    }

    private static int Flat(int[] idx, int[] shape)
    {
        int o = 0;
        for (int i = 0; i < shape.Length; i++) o = o * shape[i] + idx[i];
        return o;
    }

    private static void Reduce(Node n, (int[] Shape, T[] Data) x, int[] outShape, T[] outData)
    {
        bool max = n.Op == OpKind.ReduceMax;
        outData.AsSpan().Fill(max ? T.NegativeInfinity : T.Zero);
        for (int i = 0; i < x.Data.Length; i++)
        {
            var idx = Index(i, x.Shape);
            foreach (var a in n.Attrs.Axes) idx[a] = 0;
            int o = Flat(idx, outShape);
            outData[o] = max ? (T.IsNaN(x.Data[i]) || x.Data[i] > outData[o] ? x.Data[i] : outData[o]) : outData[o] + x.Data[i];
        }
    }

    private static void Move(Node n, (int[] Shape, T[] Data) x, int[] shape, T[] outData)
    {
        for (int i = 0; i < outData.Length; i++)
        {
            if (n.Op == OpKind.Reshape) { outData[i] = x.Data[i]; continue; }
            var idx = Index(i, shape);
            var src = n.Op == OpKind.Expand
                ? idx.Select((v, a) => x.Shape[a] == 1 ? 0 : v).ToArray()
                : InversePermute(idx, n.Attrs.Axes);
            outData[i] = x.Data[Flat(src, x.Shape)];
        }
    }

    private static int[] InversePermute(int[] outIdx, int[] perm)
    {
        var src = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) src[perm[i]] = outIdx[i];
        return src;
    }

    /// <summary>Structured ops by their definitions, index by index (the oracle for the runtime routines).</summary>
    private long Bound(Dim d) => d.Evaluate(x => _dims[x]);

    private void Structured(Node n, (int[] Shape, T[] Data)[] ins, int[] shape, T[] o)
    {
        var x = ins[0];
        switch (n.Op)
        {
            case OpKind.Window or OpKind.Unwindow:
            {
                var w = Compiler.Window.FromInts(n.Attrs.Ints);
                int s = w.Rank;
                var image = n.Op == OpKind.Window ? x.Shape : shape;
                var cols = n.Op == OpKind.Window ? shape : x.Shape;
                int count = Tensor.Count(cols);
                for (int i = 0; i < count; i++)
                {
                    // cols index: [n, o_1..o_s, c, k_1..k_s]
                    var idx = Index(i, cols);
                    var src = new int[2 + s];
                    src[0] = idx[0]; src[1] = idx[1 + s];
                    bool inside = true;
                    for (int d = 0; d < s; d++)
                    {
                        int pos = idx[1 + d] * w.Stride[d] - w.PadBefore[d] + idx[2 + s + d] * w.Dilation[d];
                        inside &= pos >= 0 && pos < image[2 + d];
                        src[2 + d] = pos;
                    }
                    if (!inside) continue;
                    if (n.Op == OpKind.Window) o[i] = x.Data[Flat(src, image)];
                    else o[Flat(src, image)] += x.Data[i];
                }
                break;
            }
            case OpKind.Gather or OpKind.ScatterAdd:
            {
                var ids = n.Op == OpKind.Gather ? ins[1] : ins[0];
                int rows = n.Op == OpKind.Gather ? x.Shape[0] : n.Attrs.Ints[0];
                int row = (n.Op == OpKind.Gather ? x.Data.Length : o.Length) / Math.Max(1, rows);
                for (int i = 0; i < ids.Data.Length; i++)
                {
                    double v = double.CreateChecked(ids.Data[i]);
                    if (v != Math.Floor(v) || v < 0 || v >= rows) throw new ArgumentOutOfRangeException("ids", $"Index {v} at position {i} of ids is out of range: expected an integer in 0 .. {rows - 1} (a class label, a token id or a row of a table with {rows} rows).");
                    int id = (int)v;
                    for (int j = 0; j < row; j++)
                        if (n.Op == OpKind.Gather) o[i * row + j] = x.Data[id * row + j];
                        else o[id * row + j] += ins[1].Data[i * row + j];
                }
                break;
            }
            case OpKind.Eigh:
            {
                int size = x.Shape[0];
                var sym = new double[size * size];
                for (int i = 0; i < size; i++)
                    for (int j = 0; j < size; j++) sym[i * size + j] = double.CreateChecked(x.Data[Math.Min(i, j) * size + Math.Max(i, j)]);
                var (w, v) = GraphNet.Linalg.Eigh(sym, size);
                for (int i = 0; i < size; i++) o[i] = T.CreateChecked(w[i]);
                for (int i = 0; i < size * size; i++) o[size + i] = T.CreateChecked(v[i]);
                break;
            }
            case OpKind.Convolve or OpKind.ConvolveWeights:
            {
                // by the definition: out[n, o, y, z] = Σ w[o, c, ky, kx]·x[n, c, y·s + ky·d − p, z·s + kx·d − p], zero outside the
                // image; a 1-d convolution as the 2-d one with a height of 1. The weight gradient sums the same products over n, y, z.
                var win = Compiler.Window.FromInts(n.Attrs.Ints);
                bool two = win.Rank == 2;
                var img = n.Op == OpKind.Convolve ? x : ins[1];
                var grad = n.Op == OpKind.Convolve ? shape : x.Shape;
                int N = img.Shape[0], C = img.Shape[1], H = two ? img.Shape[2] : 1, W = img.Shape[^1], O = grad[1], OH = two ? grad[2] : 1, OW = grad[^1];
                int KH = two ? win.Kernel[0] : 1, KW = win.Kernel[^1], SH = two ? win.Stride[0] : 1, SW = win.Stride[^1];
                int DH = two ? win.Dilation[0] : 1, DW = win.Dilation[^1], PH = two ? win.PadBefore[0] : 0, PW = win.PadBefore[^1];
                var weights = n.Op == OpKind.Convolve ? ins[1].Data : null;
                for (int b = 0; b < N; b++)
                    for (int o2 = 0; o2 < O; o2++)
                        for (int y = 0; y < OH; y++)
                            for (int z = 0; z < OW; z++)
                            {
                                long at = (((long)b * O + o2) * OH + y) * OW + z;
                                double sum = 0, gv = n.Op == OpKind.ConvolveWeights ? double.CreateChecked(x.Data[at]) : 0;
                                for (int c = 0; c < C; c++)
                                    for (int ky = 0; ky < KH; ky++)
                                        for (int kx = 0; kx < KW; kx++)
                                        {
                                            int iy = y * SH + ky * DH - PH, ix = z * SW + kx * DW - PW;
                                            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                            double v = double.CreateChecked(img.Data[(((long)b * C + c) * H + iy) * W + ix]);
                                            long tap = (((long)o2 * C + c) * KH + ky) * KW + kx;
                                            if (weights is not null) sum += double.CreateChecked(weights[tap]) * v;
                                            else o[tap] += T.CreateChecked(gv * v);
                                        }
                                if (weights is not null) o[at] = T.CreateChecked(sum);
                            }
                break;
            }
            case OpKind.Attention or OpKind.AttentionGrad:
            {
                // by the definition, slice by slice in double: P = softmax(scale·q·kᵀ) over the keys a row sees, out = P·v and
                // log Σ exp(scores); the gradient from the output gradient alone (the packed output input is not read)
                var (q, k, v) = (x, ins[1], ins[2]);
                int r = q.Shape.Length, tq = q.Shape[r - 2], tk = k.Shape[r - 2], d = q.Shape[r - 1], dv = v.Shape[r - 1];
                int slices = r == 2 ? 1 : q.Shape.Take(r - 2).Aggregate(1, (a, b) => a * b);
                double scale = n.Attrs.Value;
                bool causal = n.Attrs.Ints[0] == 1;
                double At((int[] Shape, T[] Data) t, long i) => double.CreateChecked(t.Data[i]);
                for (int sl = 0; sl < slices; sl++)
                {
                    long qo = (long)sl * tq * d, ko = (long)sl * tk * d, vo = (long)sl * tk * dv, po = (long)sl * tq * (dv + 1);
                    var p = new double[tq, tk];
                    var lse = new double[tq];
                    for (int i = 0; i < tq; i++)
                    {
                        int seen = causal ? i + 1 : tk;
                        double max = double.NegativeInfinity;
                        for (int j = 0; j < seen; j++)
                        {
                            double dot = 0;
                            for (int c = 0; c < d; c++) dot += At(q, qo + i * d + c) * At(k, ko + j * d + c);
                            p[i, j] = scale * dot;
                            max = Math.Max(max, p[i, j]);
                        }
                        double sum = 0;
                        for (int j = 0; j < seen; j++) sum += Math.Exp(p[i, j] - max);
                        for (int j = 0; j < seen; j++) p[i, j] = Math.Exp(p[i, j] - max) / sum;
                        lse[i] = seen == 0 ? double.NegativeInfinity : max + Math.Log(sum);
                    }
                    var outRows = new double[tq, dv];
                    for (int i = 0; i < tq; i++)
                        for (int c = 0; c < dv; c++)
                        {
                            double acc = 0;
                            for (int j = 0; j < tk; j++) acc += p[i, j] * At(v, vo + j * dv + c);
                            outRows[i, c] = acc;
                        }
                    if (n.Op == OpKind.Attention)
                    {
                        for (int i = 0; i < tq; i++)
                        {
                            for (int c = 0; c < dv; c++) o[po + i * (dv + 1) + c] = T.CreateChecked(outRows[i, c]);
                            o[po + i * (dv + 1) + dv] = T.CreateChecked(lse[i]);
                        }
                        continue;
                    }
                    var g = ins[4];
                    var ds = new double[tq, tk];
                    for (int i = 0; i < tq; i++)
                    {
                        double shift = At(g, po + i * (dv + 1) + dv);
                        for (int c = 0; c < dv; c++) shift -= At(g, po + i * (dv + 1) + c) * outRows[i, c];
                        for (int j = 0; j < tk; j++)
                        {
                            double dp = 0;
                            for (int c = 0; c < dv; c++) dp += At(g, po + i * (dv + 1) + c) * At(v, vo + j * dv + c);
                            ds[i, j] = p[i, j] * (dp + shift);
                        }
                    }
                    // the gradients laid side by side on the last axis: part 0 [dq], 1 [dk | dv], 2 [dq | dk | dv] (tq = tk)
                    int part = n.Attrs.Ints[1], width = part switch { 0 => d, 1 => d + dv, _ => 2 * d + dv };
                    int qAt = part == 1 ? -1 : 0, kAt = part switch { 0 => -1, 1 => 0, _ => d }, vAt = kAt < 0 ? -1 : kAt + d;
                    long at = (long)sl * (part == 1 ? tk : tq) * width;
                    for (int i = 0; i < tq && qAt >= 0; i++)
                        for (int c = 0; c < d; c++)
                        {
                            double acc = 0;
                            for (int j = 0; j < tk; j++) acc += ds[i, j] * At(k, ko + j * d + c);
                            o[at + i * width + qAt + c] = T.CreateChecked(scale * acc);
                        }
                    for (int j = 0; j < tk && kAt >= 0; j++)
                    {
                        for (int c = 0; c < d; c++)
                        {
                            double acc = 0;
                            for (int i = 0; i < tq; i++) acc += ds[i, j] * At(q, qo + i * d + c);
                            o[at + j * width + kAt + c] = T.CreateChecked(scale * acc);
                        }
                        for (int c = 0; c < dv; c++)
                        {
                            double acc = 0;
                            for (int i = 0; i < tq; i++) acc += p[i, j] * At(g, po + i * (dv + 1) + c);
                            o[at + j * width + vAt + c] = T.CreateChecked(acc);
                        }
                    }
                }
                break;
            }
            case OpKind.Cholesky:
            {
                int size = x.Shape[^1];
                for (int p = 0; p < o.Length / (size * size); p++)
                {
                    int at = p * size * size;
                    double A(int i, int j) => 0.5 * (double.CreateChecked(x.Data[at + i * size + j]) + double.CreateChecked(x.Data[at + j * size + i]));
                    var l = new double[size, size];
                    for (int i = 0; i < size; i++)
                        for (int j = 0; j <= i; j++)
                        {
                            double sum = A(i, j);
                            for (int q = 0; q < j; q++) sum -= l[i, q] * l[j, q];
                            if (i == j)
                            {
                                if (!(sum > 0)) throw new ArithmeticException($"cholesky: matrix {p} is not positive definite");
                                l[i, i] = Math.Sqrt(sum);
                            }
                            else l[i, j] = sum / l[j, j];
                        }
                    for (int i = 0; i < size; i++)
                        for (int j = 0; j < size; j++) o[at + i * size + j] = T.CreateChecked(l[i, j]);
                }
                break;
            }
            case OpKind.SLogDet:
            {
                int size = x.Shape[^1];
                for (int p = 0; p < o.Length / 2; p++)
                {
                    var m = new double[size, size];
                    for (int i = 0; i < size; i++)
                        for (int j = 0; j < size; j++) m[i, j] = double.CreateChecked(x.Data[p * size * size + i * size + j]);
                    double sign = 1, log = 0;
                    for (int c = 0; c < size; c++) // Gaussian elimination with row swaps: det = ± the product of the pivots
                    {
                        int piv = c;
                        for (int i = c + 1; i < size; i++) if (Math.Abs(m[i, c]) > Math.Abs(m[piv, c])) piv = i;
                        if (m[piv, c] == 0) { sign = 0; log = double.NegativeInfinity; break; }
                        if (piv != c) { sign = -sign; for (int j = 0; j < size; j++) (m[c, j], m[piv, j]) = (m[piv, j], m[c, j]); }
                        sign *= Math.Sign(m[c, c]);
                        log += Math.Log(Math.Abs(m[c, c]));
                        for (int i = c + 1; i < size; i++)
                        {
                            double f = m[i, c] / m[c, c];
                            for (int j = c; j < size; j++) m[i, j] -= f * m[c, j];
                        }
                    }
                    o[2 * p] = T.CreateChecked(sign);
                    o[2 * p + 1] = T.CreateChecked(log);
                }
                break;
            }
            case OpKind.ArgSort:
            {
                int axis = n.Attrs.Axes[0], len = x.Shape[axis];
                bool descending = n.Attrs.Ints[0] == 1;
                for (int i = 0; i < o.Length; i++)
                {
                    var idx = Index(i, shape);
                    if (idx[axis] != 0) continue; // one sort per line along the axis
                    var line = new (T Value, int At)[len];
                    for (int k = 0; k < len; k++) { idx[axis] = k; line[k] = (x.Data[Flat(idx, x.Shape)], k); }
                    int Order((T Value, int At) p, (T Value, int At) q)
                    {
                        int c = T.IsNaN(p.Value) ? (T.IsNaN(q.Value) ? 0 : 1) : T.IsNaN(q.Value) ? -1 : p.Value.CompareTo(q.Value);
                        return c != 0 ? (descending ? -c : c) : p.At.CompareTo(q.At);
                    }
                    var sorted = line.OrderBy(v => v, Comparer<(T, int)>.Create(Order)).ToArray();
                    for (int k = 0; k < len; k++) { idx[axis] = k; o[Flat(idx, shape)] = T.CreateChecked(sorted[k].At); }
                }
                break;
            }
            case OpKind.TakeAlong or OpKind.PutAlong:
            {
                int axis = n.Attrs.Axes[0];
                var indices = n.Op == OpKind.TakeAlong ? ins[1] : ins[0];
                var source = n.Op == OpKind.TakeAlong ? x : ins[1];
                int limit = n.Op == OpKind.TakeAlong ? x.Shape[axis] : shape[axis];
                for (int i = 0; i < indices.Data.Length; i++)
                {
                    var idx = Index(i, indices.Shape);
                    double v = double.CreateChecked(indices.Data[i]);
                    if (v != Math.Floor(v) || v < 0 || v >= limit) throw new ArgumentOutOfRangeException("indices", $"Index {v} at position {i} is out of range: expected an integer in 0 .. {limit - 1}.");
                    var at = (int[])idx.Clone();
                    at[axis] = (int)v;
                    if (n.Op == OpKind.TakeAlong) o[i] = x.Data[Flat(at, x.Shape)];
                    else o[Flat(at, shape)] += source.Data[i];
                }
                break;
            }
            case OpKind.CumSum:
            {
                int axis = n.Attrs.Axes[0], len = shape[axis];
                bool reverse = n.Attrs.Ints[0] == 1;
                for (int i = 0; i < o.Length; i++)
                {
                    var idx = Index(i, shape);
                    int k0 = idx[axis];
                    T sum = T.Zero;
                    for (int k = reverse ? len - 1 : 0; reverse ? k >= k0 : k <= k0; k += reverse ? -1 : 1) { idx[axis] = k; sum += x.Data[Flat(idx, shape)]; }
                    o[i] = sum;
                }
                break;
            }
            case OpKind.ArgMax or OpKind.ArgMin:
            {
                int axis = n.Attrs.Axes[0], len = x.Shape[axis];
                for (int i = 0; i < o.Length; i++)
                {
                    var idx = Index(i, shape);
                    int best = 0; T bestValue = T.Zero;
                    for (int k = 0; k < len; k++)
                    {
                        idx[axis] = k;
                        var v = x.Data[Flat(idx, x.Shape)];
                        if (k == 0 || T.IsNaN(v) && !T.IsNaN(bestValue) || !T.IsNaN(bestValue) && (n.Op == OpKind.ArgMax ? v > bestValue : v < bestValue)) { best = k; bestValue = v; }
                    }
                    o[i] = T.CreateChecked(best);
                }
                break;
            }
            case OpKind.Slice or OpKind.Pad:
            {
                int axis = n.Attrs.Axes[0], shift = (int)Bound(n.Attrs.DimValue);
                for (int i = 0; i < o.Length; i++)
                {
                    var idx = Index(i, shape);
                    idx[axis] += n.Op == OpKind.Slice ? shift : -shift;
                    if (idx[axis] >= 0 && idx[axis] < x.Shape[axis]) o[i] = x.Data[Flat(idx, x.Shape)];
                }
                break;
            }
        }
    }

    /// <summary>Gauss–Jordan elimination with partial pivoting, in double.</summary>
    private static void Solve(Node n, (int[] Shape, T[] Data) a, (int[] Shape, T[] Data) b, int[] shape, T[] x)
    {
        int r = shape.Length, m = shape[r - 2], k = shape[r - 1], batch = x.Length / Math.Max(1, m * k);
        for (int p = 0; p < batch; p++) SolveOne(n, a.Shape, a.Data.AsSpan(p * m * m, m * m), b.Data.AsSpan(p * m * k, m * k), m, k, x.AsSpan(p * m * k, m * k));
    }

    private static void SolveOne(Node n, int[] aShape, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, Span<T> x)
    {
        var aug = new double[m, m + k];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < m; j++)
            {
                int row = n.Attrs.TransA ? j : i, col = n.Attrs.TransA ? i : j; // the element of A that op(A)[i, j] reads
                bool read = GraphBuilder.Triangle(n) switch { 1 => col <= row, 2 => col >= row, _ => true };
                aug[i, j] = read ? double.CreateChecked(a[row * m + col]) : 0;
            }
            for (int j = 0; j < k; j++) aug[i, m + j] = double.CreateChecked(b[i * k + j]);
        }
        for (int c = 0; c < m; c++)
        {
            int p = c;
            for (int i = c + 1; i < m; i++) if (Math.Abs(aug[i, c]) > Math.Abs(aug[p, c])) p = i;
            if (aug[p, c] == 0) throw new ArithmeticException($"solve: singular matrix {Tensor.Format(aShape)}");
            for (int j = 0; j < m + k; j++) (aug[c, j], aug[p, j]) = (aug[p, j], aug[c, j]);
            for (int i = 0; i < m; i++)
            {
                if (i == c) continue;
                double f = aug[i, c] / aug[c, c];
                for (int j = c; j < m + k; j++) aug[i, j] -= f * aug[c, j];
            }
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < k; j++) x[i * k + j] = T.CreateChecked(aug[i, m + j] / aug[i, i]);
    }

    private static void MatMul(Node n, (int[] Shape, T[] Data) a, (int[] Shape, T[] Data) b, int[] shape, T[] c)
    {
        int r = shape.Length, m = shape[r - 2], nn = shape[r - 1];
        int k = n.Attrs.TransA ? a.Shape[r - 2] : a.Shape[r - 1];
        int batch = c.Length / Math.Max(1, m * nn);
        if (m * nn == 0) return;
        if (c is float[] fc) // the eager path: the compiled code's GEMM
        {
            Gemm.MatMul(n.Attrs.TransA, n.Attrs.TransB, batch, m, nn, k, (float[])(object)a.Data, (float[])(object)b.Data, fc);
            return;
        }
        for (int p = 0; p < batch; p++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < nn; j++)
                {
                    T s = T.Zero;
                    for (int q = 0; q < k; q++)
                    {
                        T av = n.Attrs.TransA ? a.Data[p * m * k + q * m + i] : a.Data[p * m * k + i * k + q];
                        T bv = n.Attrs.TransB ? b.Data[p * k * nn + j * k + q] : b.Data[p * k * nn + q * nn + j];
                        s += av * bv;
                    }
                    c[p * m * nn + i * nn + j] = s;
                }
    }
}
