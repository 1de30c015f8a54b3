using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace GraphNet.Compiler;

/// <summary>
/// Decides kernels (fusion) and which values live in memory. Rules, by category only:
/// an elementwise node is inlined into its consumers' kernel when they are all in one elementwise
/// or reduce kernel of the same iteration shape; otherwise it is a kernel root. Reductions and
/// matmuls are roots. Movement ops are views (strided loads), materialized only where a consumer
/// needs contiguous memory (matmul operands, outputs, reshapes of non-contiguous views).
/// Constants and dim values are splatted where used. A slice read only by elementwise or reduce kernels is a view
/// too (a strided read from an offset: an LSTM's gates read in place from the one pre-activation buffer); other
/// structured ops (windows, gathers, pads, slices that feed a routine) and random draws are roots run by runtime
/// routines over contiguous buffers.
/// </summary>
public static class Scheduler
{
    /// <param name="g">The optimized graph.</param>
    /// <param name="ct">Cancels a long build.</param>
    /// <param name="rowPipelines">Form <see cref="RowPipelines"/> (not inside a loop's body, whose products run per step).</param>
    /// <param name="epilogues">Form <see cref="Epilogues"/> (not inside a loop's body).</param>
    public static Schedule Build(Graph g, CancellationToken ct = default, bool rowPipelines = true, bool epilogues = true)
    {
        var users = g.Consumers();
        var outputs = new HashSet<Node>(g.Outputs.Select(o => o.Value));
        var materialized = new HashSet<Node>();
        var owner = new Dictionary<Node, Node>(); // inlined node -> root of its kernel

        // Which views must be contiguous copies.
        foreach (var n in g.Nodes)
        {
            // Routines, GEMMs and loops (which copy whole buffers) read contiguous memory; a loop's carry may start as a constant.
            if (n.Op.Category() is OpCategory.MatMul or OpCategory.Solve or OpCategory.Structured or OpCategory.Scan && n.Op != OpKind.Slice) // a slice: below
                foreach (var op in n.Inputs)
                    if (op.Op.Category() == OpCategory.Movement && (!IsContiguousView(op, materialized) || IsScalarBase(op))
                        || n.Op == OpKind.Scan && op.Op is OpKind.Const or OpKind.DimValue)
                        materialized.Add(op);
            if (n.Op == OpKind.Reshape && !IsContiguousView(n[0], materialized) && !IsScalarBase(n[0]))
                materialized.Add(n[0]);
        }
        foreach (var o in outputs)
            if (o.Op.Category() is OpCategory.Movement or OpCategory.Leaf && !(o.Op is OpKind.Input or OpKind.Param or OpKind.State)) materialized.Add(o);

        for (int i = g.Nodes.Count - 1; i >= 0; i--)
        {
            ct.ThrowIfCancellationRequested();
            var n = g.Nodes[i];
            switch (n.Op.Category())
            {
                case OpCategory.Structured when n.Op == OpKind.Slice:
                    if (!outputs.Contains(n) && users[n].All(u => u.Op.IsElementwise() || u.Op.Category() == OpCategory.Reduce))
                        break; // read in place by its consumers (ViewOf)
                    materialized.Add(n); // a routine copies it out of contiguous memory
                    if (n[0].Op.Category() == OpCategory.Movement && (!IsContiguousView(n[0], materialized) || IsScalarBase(n[0]))) materialized.Add(n[0]);
                    break;
                case OpCategory.Reduce or OpCategory.MatMul or OpCategory.Solve or OpCategory.Structured or OpCategory.Scan:
                    materialized.Add(n);
                    break;
                case OpCategory.Leaf:
                    if (n.Op is OpKind.Input or OpKind.Param or OpKind.Iota or OpKind.State or OpKind.Random) materialized.Add(n);
                    break;
                case OpCategory.Unary or OpCategory.Binary or OpCategory.Ternary:
                    var roots = users[n].Select(u => KernelOf(u, owner, materialized)).Distinct().ToList();
                    bool fuse = !outputs.Contains(n) && roots.Count == 1 && roots[0] is Node r
                        && (r.Op.IsElementwise() && r.Shape.Equals(n.Shape) || r.Op.Category() == OpCategory.Reduce && r[0].Shape.Equals(n.Shape))
                        && users[n].All(u => u.Op.IsElementwise() || u.Op.Category() == OpCategory.Reduce);
                    if (fuse) owner[n] = (Node)roots[0]!;
                    else materialized.Add(n);
                    break;
                case OpCategory.Movement:
                    break;
            }
        }

        var inlined = new Dictionary<Node, List<Node>>(); // kernel root -> the nodes inlined into it, in graph order
        foreach (var m in g.Nodes)
            if (owner.TryGetValue(m, out var r))
            {
                if (!inlined.TryGetValue(r, out var list)) inlined[r] = list = new List<Node>();
                list.Add(m);
            }
        var kernels = new List<Kernel>();
        foreach (var n in g.Nodes)
        {
            ct.ThrowIfCancellationRequested();
            if (!materialized.Contains(n) || n.Op is OpKind.Input or OpKind.Param or OpKind.State or OpKind.ScanOutput) continue;
            var fused = (inlined.TryGetValue(n, out var into) ? into : new List<Node>()).Concat(new[] { n }).ToList();
            var k = n.Op.Category() switch
            {
                OpCategory.Reduce => new Kernel(kernels.Count, KernelKind.Reduce, n, n[0].Shape, Body(n[0], owner, materialized, n, true), fused),
                OpCategory.MatMul => new Kernel(kernels.Count, KernelKind.MatMul, n, n.Shape, null, fused),
                OpCategory.Solve => new Kernel(kernels.Count, KernelKind.Solve, n, n.Shape, null, fused),
                OpCategory.Leaf when n.Op == OpKind.Iota => new Kernel(kernels.Count, KernelKind.Iota, n, n.Shape, null, fused),
                OpCategory.Structured => new Kernel(kernels.Count, KernelKind.Routine, n, n.Shape, null, fused),
                OpCategory.Leaf when n.Op == OpKind.Random => new Kernel(kernels.Count, KernelKind.Routine, n, n.Shape, null, fused),
                OpCategory.Scan => new Kernel(kernels.Count, KernelKind.Scan, n, n.Shape, null, fused)
                {
                    Sub = Build(Pipeline.Optimize(n.Attrs.Scan!.Body, ct: ct), ct, rowPipelines: false, epilogues: false),
                    Writes = users[n].Where(u => u.Op == OpKind.ScanOutput).ToList(),
                },
                _ => new Kernel(kernels.Count, KernelKind.Elementwise, n, n.Shape, Body(n, owner, materialized, n, false), fused),
            };
            if (k.Kind is KernelKind.MatMul or KernelKind.Solve or KernelKind.Routine or KernelKind.Scan) k.Reads.AddRange(n.Inputs.Select(x => Base(x, materialized)));
            else if (k.Body is not null) k.Reads.AddRange(Loads(k.Body).Where(l => !l.IsScalar).Select(l => l.Base).Distinct());
            kernels.Add(k);
        }
        if (rowPipelines) kernels = RowPipelines.Form(kernels);
        if (epilogues) kernels = Epilogues.Form(kernels);
        return new Schedule(g, kernels, MemoryPlan.Build(g, kernels));
    }

    private static object? KernelOf(Node user, Dictionary<Node, Node> owner, HashSet<Node> materialized)
    {
        if (owner.TryGetValue(user, out var r)) return r;
        if (materialized.Contains(user) && (user.Op.IsElementwise() || user.Op.Category() == OpCategory.Reduce)) return user;
        return new object(); // a consumer that is not a fusable kernel: distinct from every other
    }

    private static Term Body(Node n, Dictionary<Node, Node> owner, HashSet<Node> materialized, Node root, bool isReduceInput)
    {
        var cache = new Dictionary<Node, Term>();
        Term Go(Node x, bool top)
        {
            if (cache.TryGetValue(x, out var t)) return t;
            bool inline = x.Op.IsElementwise() && (top && !isReduceInput || owner.TryGetValue(x, out var o) && o == root);
            t = inline ? new Term(x.Op, x.Inputs.Select(i => Go(i, false)).ToArray(), null)
                       : Term.FromLoad(ViewOf(x, materialized, asRoot: top && !isReduceInput));
            cache[x] = t;
            return t;
        }
        return Go(n, true);
    }

    /// <summary>The strided read that yields node <paramref name="n"/> in its own shape.</summary>
    public static Load ViewOf(Node n, HashSet<Node> materialized, bool asRoot = false)
    {
        if (!asRoot && materialized.Contains(n) || n.Op.Category() is OpCategory.Leaf or OpCategory.Unary or OpCategory.Binary
            or OpCategory.Ternary or OpCategory.Reduce or OpCategory.MatMul or OpCategory.Solve or OpCategory.Scan
            || n.Op.Category() == OpCategory.Structured && !(n.Op == OpKind.Slice && !materialized.Contains(n)))
            return new Load(n, n.Op is OpKind.Const or OpKind.DimValue ? Zeros(n.Shape.Rank) : n.Shape.ContiguousStrides());
        var inner = ViewOf(n[0], materialized);
        if (n.Op == OpKind.Slice) // the same strides, from the slice's start along its axis
        {
            var start = inner.Strides[n.Attrs.Axes[0]] * n.Attrs.DimValue;
            return new Load(inner.Base, inner.Strides) { Offset = inner.Offset + start };
        }
        var strides = n.Op switch
        {
            OpKind.Expand => n.Shape.Dims.Select((d, i) => n[0].Shape[i] == d ? inner.Strides[i] : Dim.Const(0)).ToArray(),
            OpKind.Permute => n.Attrs.Axes.Select(a => inner.Strides[a]).ToArray(),
            _ => inner.Strides.All(s => s == Dim.Const(0)) ? Zeros(n.Shape.Rank) : n.Shape.ContiguousStrides(),
        };
        return new Load(inner.Base, strides) { Offset = inner.Offset };
    }

    private static Node Base(Node n, HashSet<Node> materialized) => ViewOf(n, materialized).Base;

    private static bool IsContiguousView(Node n, HashSet<Node> materialized)
    {
        var v = ViewOf(n, materialized);
        return v.Strides.SequenceEqual(n.Shape.ContiguousStrides()) && v.Offset == Dim.Const(0);
    }

    private static bool IsScalarBase(Node n)
    {
        while (n.Op.Category() == OpCategory.Movement) n = n[0];
        return n.Op is OpKind.Const or OpKind.DimValue;
    }

    private static Dim[] Zeros(int rank) => Enumerable.Repeat(Dim.Const(0), rank).ToArray();

    /// <summary>The loads of a kernel body in first-use order. The body is a DAG (a value used twice is one term), walked once per term.</summary>
    public static IEnumerable<Load> Loads(Term t) => Terms(t).Where(x => x.Load is not null).Select(x => x.Load!).ToList();

    /// <summary>Each term of a kernel body once, depth first in argument order (a value used twice is one term).</summary>
    public static List<Term> Terms(Term t)
    {
        var seen = new HashSet<Term>(ReferenceEqualityComparer.Instance);
        var terms = new List<Term>();
        var stack = new Stack<Term>();
        stack.Push(t);
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            if (!seen.Add(x)) continue;
            terms.Add(x);
            for (int i = x.Args.Count - 1; i >= 0; i--) stack.Push(x.Args[i]);
        }
        return terms;
    }
}

/// <summary>Kernels in execution order with the memory plan for their buffers.</summary>
public sealed record Schedule(Graph Graph, IReadOnlyList<Kernel> Kernels, MemoryPlan Memory);
