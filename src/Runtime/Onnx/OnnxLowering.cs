using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;

namespace GraphNet.Onnx;

/// <summary>
/// Lowers an entry's inference graph to ONNX (opset <see cref="Opset"/>), one primitive at a time: GraphNet values are
/// float tensors, so comparisons and arg-max are cast back to float and indices to int64 where ONNX wants them; shapes
/// with symbolic dims are computed in the graph from the inputs' shapes (this file), loops become ONNX Loop nodes
/// (OnnxLowering.Loops.cs).
/// </summary>
internal sealed partial class OnnxLowering
{
    public const int Opset = 17;

    private readonly string _entry;
    private readonly Func<string, Tensor?> _leaf;
    private readonly OnnxGraph _top;
    private OnnxGraph _scope;
    private Dictionary<Node, string> _names = new();
    private int _fresh;

    private OnnxLowering(string entry, Func<string, Tensor?> leaf)
    {
        _entry = entry; _leaf = leaf;
        _top = _scope = new OnnxGraph(entry);
    }

    /// <summary>The ONNX graph of <paramref name="g"/>: its inputs as graph inputs, <paramref name="leaf"/>'s tensors (parameters, buffers) as initializers, its results as outputs named after the entry.</summary>
    public static OnnxGraph Lower(Graph g, string entry, Func<string, Tensor?> leaf)
    {
        var l = new OnnxLowering(entry, leaf);
        var results = g.Outputs.Where(o => o.Key == OutputNames.Result || o.Key.StartsWith(OutputNames.Result + ".", StringComparison.Ordinal)).ToList();
        foreach (var input in g.Nodes.Where(n => n.Op == OpKind.Input)) l.DeclareInput(input);
        var live = Live(g, results.Select(r => r.Value));
        l.LowerNodes(g.Nodes.Where(live.Contains));
        foreach (var (key, node) in results)
        {
            var name = entry + key.Substring(OutputNames.Result.Length);
            l._top.Nodes.Add(new OnnxNode("Identity", new[] { l._names[node] }, new[] { name }));
            l._top.Outputs.Add(new OnnxValueInfo(name, OnnxType.Float, Signature(node.Shape)));
        }
        return l._top;
    }

    /// <summary>The nodes the results depend on (a node that only feeds an unused value is not exported, nor checked).</summary>
    private static HashSet<Node> Live(Graph g, IEnumerable<Node> roots)
    {
        var live = new HashSet<Node>();
        var stack = new Stack<Node>(roots);
        while (stack.Count > 0)
            if (stack.Pop() is var n && live.Add(n))
                foreach (var i in n.Inputs) stack.Push(i);
        return live;
    }

    private void LowerNodes(IEnumerable<Node> nodes)
    {
        foreach (var n in nodes)
            if (!_names.ContainsKey(n)) _names[n] = Lower(n, n.Inputs.Select(i => _names[i]).ToArray());
    }

    private static IReadOnlyList<OnnxDim> Signature(Shape s) =>
        s.Dims.Select(d => d.IsConstant ? new OnnxDim(d.Coef, null) : new OnnxDim(0, d.ToString())).ToList();

    private string Fresh(string hint) => $"%{_fresh++}_{hint}";

    /// <summary>Adds a node with one output to the graph being built.</summary>
    private OnnxNode Op(string op, params string[] inputs) => Op(op, 1, inputs);

    private OnnxNode Op(string op, int outputs, params string[] inputs)
    {
        var node = new OnnxNode(op, inputs, Enumerable.Range(0, outputs).Select(_ => Fresh(op)).ToArray());
        _scope.Nodes.Add(node);
        return node;
    }

    private string Cast(string x, OnnxType to) => Op("Cast", x).With("to", (long)to).Y;

    private NotSupportedException Unsupported(Node n, string why) =>
        new($"ExportOnnx: entry '{_entry}' cannot be exported: its graph uses '{n.Op.Info().Name}' ({why}), which has no ONNX equivalent in this exporter.");

    private string Lower(Node n, string[] x) => n.Op switch
    {
        OpKind.Input => throw new InvalidOperationException($"input '{n.Attrs.Name}' was not declared"),
        OpKind.Param or OpKind.State => Initializer(n),
        OpKind.Const => n.Shape.Rank == 0 ? FloatScalar((float)n.Attrs.Value) : Op("Expand", FloatScalar((float)n.Attrs.Value), ShapeTensor(n.Shape.Dims)).Y,
        OpKind.DimValue => Cast(DimScalar(n.Attrs.DimValue), OnnxType.Float),
        OpKind.Iota => Iota(n),
        OpKind.Random => throw Unsupported(n, "random draws: sampling, dropout in training mode, noise; GraphNet's counter-based streams have no ONNX equivalent, so pass the noise in as an input or export an inference entry without it"),
        OpKind.Neg => Op("Neg", x).Y,
        OpKind.Exp => Op("Exp", x).Y,
        OpKind.Log => Op("Log", x).Y,
        OpKind.Sqrt => Op("Sqrt", x).Y,
        OpKind.Abs => Op("Abs", x).Y,
        OpKind.Sign => Op("Sign", x).Y,
        OpKind.Tanh => Op("Tanh", x).Y,
        OpKind.Erf => Op("Erf", x).Y,
        OpKind.Sigmoid => Op("Sigmoid", x).Y,
        OpKind.Relu => Op("Relu", x).Y,
        OpKind.Sin => Op("Sin", x).Y,
        OpKind.Cos => Op("Cos", x).Y,
        OpKind.StopGradient => Op("Identity", x).Y,
        OpKind.Add => Op("Add", x).Y,
        OpKind.Sub => Op("Sub", x).Y,
        OpKind.Mul => Op("Mul", x).Y,
        OpKind.Div => Op("Div", x).Y,
        OpKind.Pow => Op("Pow", x).Y,
        OpKind.Max => Op("Max", x).Y,
        OpKind.Min => Op("Min", x).Y,
        OpKind.Lt => Cast(Op("Less", x).Y, OnnxType.Float),
        OpKind.Le => Cast(Op("LessOrEqual", x).Y, OnnxType.Float),
        OpKind.Gt => Cast(Op("Greater", x).Y, OnnxType.Float),
        OpKind.Ge => Cast(Op("GreaterOrEqual", x).Y, OnnxType.Float),
        OpKind.Eq => Cast(Op("Equal", x).Y, OnnxType.Float),
        OpKind.Ne => Cast(Op("Not", Op("Equal", x).Y).Y, OnnxType.Float),
        OpKind.Where => Op("Where", Cast(x[0], OnnxType.Bool), x[1], x[2]).Y,
        OpKind.ReduceSum => Op("ReduceSum", x[0], Ints(n.Attrs.Axes.Select(a => (long)a).ToArray())).With("keepdims", 1L).Y,
        OpKind.ReduceMax => Op("ReduceMax", x).With("axes", n.Attrs.Axes.Select(a => (long)a).ToArray()).With("keepdims", 1L).Y,
        OpKind.Reshape => Op("Reshape", x[0], ShapeTensor(n.Shape.Dims)).Y,
        OpKind.Expand => Op("Expand", x[0], ShapeTensor(n.Shape.Dims)).Y,
        OpKind.Permute => Transpose(x[0], n.Attrs.Axes),
        OpKind.MatMul => MatMul(n, x[0], x[1]),
        OpKind.Solve or OpKind.Eigh or OpKind.Cholesky or OpKind.SLogDet => throw Unsupported(n, "a linear-algebra routine"),
        OpKind.Attention => Attention(n, x),
        OpKind.Convolve => Convolve(n, x),
        OpKind.ConvolveWeights => throw Unsupported(n, "the weight gradient of a convolution, a gradient op"),
        OpKind.AttentionGrad => throw Unsupported(n, "the gradient of an attention, a gradient op"),
        OpKind.Window => Window(n, x[0]),
        OpKind.Unwindow => throw Unsupported(n, "the adjoint of a convolution window, a gradient op"),
        OpKind.Gather => Op("Gather", x[0], Cast(x[1], OnnxType.Int64)).With("axis", 0L).Y,
        OpKind.ScatterAdd => Op("ScatterND", Zeros(n.Shape), Op("Unsqueeze", Cast(x[0], OnnxType.Int64), Ints(-1)).Y, x[1]).With("reduction", "add").Y,
        OpKind.Slice => Op("Slice", x[0], DimTensor(n.Attrs.DimValue), DimTensor(n.Attrs.DimValue + n.Shape[n.Attrs.Axes[0]]), Ints(n.Attrs.Axes[0])).Y,
        OpKind.Pad => Pad(n, x[0]),
        OpKind.ArgMax => Cast(Op("ArgMax", x).With("axis", (long)n.Attrs.Axes[0]).With("keepdims", 1L).Y, OnnxType.Float),
        OpKind.ArgMin => Cast(Op("ArgMin", x).With("axis", (long)n.Attrs.Axes[0]).With("keepdims", 1L).Y, OnnxType.Float),
        OpKind.ArgSort => Cast(Op("TopK", 2, x[0], DimTensor(n.Shape[n.Attrs.Axes[0]]))
            .With("axis", (long)n.Attrs.Axes[0]).With("largest", (long)n.Attrs.Ints[0]).With("sorted", 1L).Outputs[1], OnnxType.Float),
        OpKind.TakeAlong => Op("GatherElements", x[0], Cast(x[1], OnnxType.Int64)).With("axis", (long)n.Attrs.Axes[0]).Y,
        OpKind.PutAlong => Op("ScatterElements", Zeros(n.Shape), Cast(x[0], OnnxType.Int64), x[1]).With("axis", (long)n.Attrs.Axes[0]).With("reduction", "add").Y,
        OpKind.CumSum => Op("CumSum", x[0], Int64Scalar(n.Attrs.Axes[0])).With("reverse", (long)n.Attrs.Ints[0]).Y,
        OpKind.Scan => Loop(n, x),
        OpKind.ScanOutput => _loops[n[0]][n.Attrs.Ints[0]],
    };

    /// <summary>A direct convolution as ONNX's Conv (the same NCHW layout, stride 1).</summary>
    private string Convolve(Node n, IReadOnlyList<string> x)
    {
        var w = Compiler.Window.FromInts(n.Attrs.Ints);
        return Op("Conv", x[0], x[1]).With("kernel_shape", w.Kernel.Select(k => (long)k).ToArray()).With("strides", w.Stride.Select(k => (long)k).ToArray())
            .With("dilations", w.Dilation.Select(k => (long)k).ToArray()).With("pads", w.PadBefore.Concat(w.PadAfter).Select(k => (long)k).ToArray()).Y;
    }

    /// <summary>A fused attention as its definition: scores, causal mask (a lower triangle by Trilu), log-sum-exp, weights·v, and the log-sum-exp beside the rows.</summary>
    private string Attention(Node n, IReadOnlyList<string> x)
    {
        int r = n.Shape.Rank;
        var swap = Enumerable.Range(0, r).Select(i => i == r - 2 ? r - 1 : i == r - 1 ? r - 2 : i);
        var scores = Op("Mul", Op("MatMul", x[0], Transpose(x[1], swap)).Y, FloatScalar((float)n.Attrs.Value)).Y;
        if (n.Attrs.Ints[0] == 1)
        {
            var ones = Op("Expand", FloatScalar(1f), Op("Shape", scores).Y).Y;
            var seen = Cast(Op("Trilu", ones).With("upper", 0L).Y, OnnxType.Bool);
            scores = Op("Where", seen, scores, FloatScalar(-1e30f)).Y;
        }
        var lse = Op("ReduceLogSumExp", scores).With("axes", new[] { -1L }).With("keepdims", 1L).Y;
        var rows = Op("MatMul", Op("Exp", Op("Sub", scores, lse).Y).Y, x[2]).Y;
        return Op("Concat", rows, lse).With("axis", -1L).Y;
    }

    private string Transpose(string x, IEnumerable<int> perm) => Op("Transpose", x).With("perm", perm.Select(a => (long)a).ToArray()).Y;

    /// <summary>A product over the last two axes (operands of equal rank, batch axes equal): Gemm for matrices, else MatMul after the transposes.</summary>
    private string MatMul(Node n, string a, string b)
    {
        int r = n.Shape.Rank;
        if (r == 2) return Op("Gemm", a, b).With("transA", n.Attrs.TransA ? 1L : 0L).With("transB", n.Attrs.TransB ? 1L : 0L).Y;
        var swap = Enumerable.Range(0, r).Select(i => i == r - 2 ? r - 1 : i == r - 1 ? r - 2 : i).ToArray();
        return Op("MatMul", n.Attrs.TransA ? Transpose(a, swap) : a, n.Attrs.TransB ? Transpose(b, swap) : b).Y;
    }

    /// <summary>
    /// Sliding windows [N, C, S...] to [N, O..., C, K...] as a grouped convolution with one-hot kernels (output channel
    /// c·P + p copies kernel position p of channel c, exactly), then [N, C, K..., O...] reordered.
    /// </summary>
    private string Window(Node n, string x)
    {
        var w = Compiler.Window.FromInts(n.Attrs.Ints);
        int s = w.Rank;
        var c = n[0].Shape[1];
        if (!c.IsConstant) throw Unsupported(n, $"windows over a symbolic channel count {c}");
        long channels = c.Coef, p = w.Kernel.Aggregate(1L, (a, k) => a * k);
        var kernel = new float[channels * p * p];
        for (long i = 0; i < channels * p; i++) kernel[i * p + i % p] = 1;
        var weights = FloatInitializer("window_kernel", kernel, new[] { channels * p, 1 }.Concat(w.Kernel.Select(k => (long)k)).ToArray());
        var conv = Op("Conv", x, weights).With("group", channels).With("kernel_shape", w.Kernel.Select(k => (long)k).ToArray())
            .With("strides", w.Stride.Select(v => (long)v).ToArray()).With("dilations", w.Dilation.Select(v => (long)v).ToArray())
            .With("pads", w.PadBefore.Concat(w.PadAfter).Select(v => (long)v).ToArray()).Y;
        var positions = n.Shape.Dims.Skip(1).Take(s).Select(d => d.Coef);
        var split = Op("Reshape", conv, Ints(new[] { 0L, channels }.Concat(w.Kernel.Select(k => (long)k)).Concat(positions).ToArray())).Y;
        return Transpose(split, new[] { 0 }.Concat(Enumerable.Range(2 + s, s)).Concat(new[] { 1 }).Concat(Enumerable.Range(2, s)));
    }

    private string Pad(Node n, string x)
    {
        int r = n.Shape.Rank, axis = n.Attrs.Axes[0];
        var pads = Enumerable.Repeat(Dim.Const(0), 2 * r).ToArray();
        pads[axis] = n.Attrs.DimValue;
        pads[r + axis] = GraphBuilder.PadAfter(n);
        return Op("Pad", x, ShapeTensor(pads)).Y;
    }

    /// <summary>The index along one axis as a float: Range over that axis, reshaped to lie along it, expanded to the shape.</summary>
    private string Iota(Node n)
    {
        int axis = n.Attrs.Axes[0];
        var range = Op("Range", FloatScalar(0), Cast(DimScalar(n.Shape[axis]), OnnxType.Float), FloatScalar(1)).Y;
        var along = Ints(Enumerable.Range(0, n.Shape.Rank).Select(a => a == axis ? -1L : 1L).ToArray());
        return Op("Expand", Op("Reshape", range, along).Y, ShapeTensor(n.Shape.Dims)).Y;
    }

    private string Zeros(Shape s) => Op("Expand", FloatScalar(0), ShapeTensor(s.Dims)).Y;

    private string Initializer(Node n)
    {
        var t = _leaf(n.Attrs.Name) ?? throw new InvalidOperationException($"ExportOnnx: entry '{_entry}' reads '{n.Attrs.Name}', which the model's Parameters and Buffers do not have.");
        if (!n.Shape.IsConstant || !t.HasShape(n.Shape.Dims.Select(d => (int)d.Coef).ToArray()))
            throw new InvalidOperationException($"ExportOnnx: '{n.Attrs.Name}' has shape {Tensor.Format(t.Shape)}, the entry '{_entry}' expects {n.Shape}.");
        _top.Initializers.Add(new OnnxTensor(n.Attrs.Name, OnnxType.Float, t.Shape.Select(d => (long)d).ToArray(), Bytes(t.Data)));
        return n.Attrs.Name;
    }
}
