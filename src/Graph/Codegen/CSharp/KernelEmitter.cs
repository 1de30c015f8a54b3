using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Emits one fused elementwise or reduce kernel as a static C# method. Dims that every operand
/// walks contiguously are merged, so the innermost loop is as long as possible; that loop runs
/// with Vector512, then Vector256, then a scalar tail, all from the same body.
/// </summary>
internal static class KernelEmitter
{
    public sealed record KernelSignature(IReadOnlyList<string> Symbols, IReadOnlyList<Node> Buffers);

    internal sealed class LoopDim
    {
        public Dim Size;
        public bool Reduced;
        public Dim[] Strides = System.Array.Empty<Dim>(); // per operand, the output last
    }

    private readonly record struct Variant(string P, int Width);

    private static readonly Variant[] Variants = { new("V512", 16), new("V256", 8), new("Sc", 1) };

    /// <summary>The placeholder for the method name in <see cref="Text"/>.</summary>
    public const string NamePlaceholder = "{KERNEL}";

    /// <summary>The kernel method's text with its name left as <see cref="NamePlaceholder"/>, so equal kernels compare equal.</summary>
    public static string Text(Kernel k)
    {
        var w = new CodeWriter();
        Emit(w, NamePlaceholder, k);
        return w.ToString();
    }

    public static KernelSignature Signature(Kernel k)
    {
        var loads = Operands(k);
        var syms = new SortedSet<string>(System.StringComparer.Ordinal);
        foreach (var d in k.IterShape.Dims) foreach (var s in d.SymbolList) syms.Add(s);
        foreach (var l in Scheduler.Loads(k.Body!))
        {
            foreach (var d in l.Strides.Append(l.Offset)) foreach (var s in d.SymbolList) syms.Add(s);
            if (l.Base.Op == OpKind.DimValue) foreach (var s in l.Base.Attrs.DimValue.SymbolList) syms.Add(s);
        }
        return new KernelSignature(syms.ToList(), loads.Select(l => l.Base).Distinct().ToList());
    }

    internal static List<Load> Operands(Kernel k) => Scheduler.Loads(k.Body!).Where(l => !l.IsScalar).Distinct().ToList();

    private static void Emit(CodeWriter w, string name, Kernel k)
    {
        var sig = Signature(k);
        var loads = Operands(k);
        bool reduce = k.Kind == KernelKind.Reduce;
        var dims = Coalesce(k, loads);
        string what = string.Join(", ", k.Fused.Select(n => n.Op.Info().Name));
        bool parts = SplitsRows(k), split = Splits(k) || parts;
        var ps = sig.Symbols.Select(s => "int " + CSharpEmitter.Sym(s))
            .Concat(sig.Buffers.Select((_, i) => $"global::System.ReadOnlySpan<float> in{i}"))
            .Concat(new[] { "global::System.Span<float> output" })
            .Concat(split ? new[] { "int lo", "int hi" } : System.Array.Empty<string>());
        w.Line($"/// <summary>Fuses {(reduce ? "reduce " : "")}{what} over {k.IterShape}{(reduce ? $" to {k.Root.Shape}" : "")}.</summary>");
        using (w.Block($"private static void {name}({string.Join(", ", ps)})"))
        {
            for (int i = 0; i < sig.Buffers.Count; i++) w.Line($"ref float p{i} = ref Sc.Ref(in{i});");
            w.Line("ref float out0 = ref Sc.Ref(output);");
            string init = k.Root.Op == OpKind.ReduceMax ? "float.NegativeInfinity" : "0f";
            if (reduce && split && !parts) // this range's outputs only: the rows of the outer loop are the output's outermost
            {
                var row = dims[0].Strides[dims[0].Strides.Length - 1];
                w.Line(row == Dim.Const(1) ? $"output.Slice(lo, hi - lo).Fill({init});" : $"output.Slice(lo * {Code(row)}, (hi - lo) * {Code(row)}).Fill({init});");
            }
            else if (reduce) w.Line($"output.Slice(0, {k.Root.Shape.Size.ToCode(CSharpEmitter.Sym)}).Fill({init});");
            EmitLoops(w, k, dims, loads, sig, 0, init, split);
        }
        if (!split) return;
        w.Line();
        // The job the entry point hands to the worker pool: the kernel's arguments, and a range of its outer loop (or, for
        // a column sum, a part of its rows summed into a table of its own; the entry point adds the parts in order).
        w.Line(parts ? $"/// <summary>Runs {name} over a part of its outer loop's rows into a table of its own (the entry point adds the parts in order).</summary>"
            : $"/// <summary>Runs {name} over a range of its outer loop (the entry point splits it over the worker pool).</summary>");
        using (w.Block($"private struct {name}_Job : {CSharpEmitter.Rt}.{(parts ? "IPartialJob" : "IRangeJob")}"))
        {
            foreach (var s in sig.Symbols) w.Line($"public int {CSharpEmitter.Sym(s)};");
            for (int i = 0; i < sig.Buffers.Count; i++) w.Line($"public float[] in{i};");
            w.Line("public float[] output;");
            var args = sig.Symbols.Select(CSharpEmitter.Sym).Concat(sig.Buffers.Select((_, i) => $"in{i}")).Concat(new[] { parts ? "part" : "output", "lo", "hi" });
            w.Line(parts ? $"public void Run(int lo, int hi, global::System.Span<float> part) => {name}({string.Join(", ", args)});"
                : $"public void Run(int lo, int hi) => {name}({string.Join(", ", args)});");
        }
    }

    /// <summary>
    /// Elementwise kernels, and reductions whose outer loop is not reduced (a row's sum, a column's max: each output element
    /// is summed whole by one thread, so a result has the same bits on any thread count), take a range of their outer loop
    /// and run split over the worker pool; full reductions run on the caller.
    /// </summary>
    public static bool Splits(Kernel k)
    {
        if (k.Kind == KernelKind.Elementwise) return true;
        if (k.Kind != KernelKind.Reduce || k.Body is null) return false;
        var dims = Coalesce(k, Operands(k));
        return dims.Count >= 2 && !dims[0].Reduced && dims[0].Strides[dims[0].Strides.Length - 1] != Dim.Const(0);
    }

    /// <summary>
    /// Column sums (a bias's gradient, a norm's scale gradient): a sum whose outer loop is reduced and which stands alone
    /// (not in an epilogue or row pipeline) runs its rows in parts over the pool (<c>Workers.ForParts</c>), each part into a
    /// table of its own; the parts follow from the sizes, so a result has the same bits on any thread count.
    /// </summary>
    public static bool SplitsRows(Kernel k)
    {
        if (k.Kind != KernelKind.Reduce || k.Body is null || k.Group >= 0 || k.Root.Op != OpKind.ReduceSum) return false;
        var dims = Coalesce(k, Operands(k));
        return dims.Count >= 2 && dims[0].Reduced;
    }

    /// <summary>
    /// What an element of the kernel costs against a simple one, for the pool's split decision: 1, plus 4 per
    /// transcendental in the body (exp, log, tanh, sigmoid, erf, sin, cos, pow: a polynomial and a division or a reduction each).
    /// </summary>
    public static int Weight(Kernel k) =>
        k.Body is null ? 1 : 1 + 4 * Scheduler.Terms(k.Body).Count(t => t.Op is OpKind.Exp or OpKind.Log or OpKind.Tanh or OpKind.Sigmoid
            or OpKind.Erf or OpKind.Sin or OpKind.Cos or OpKind.Pow);

    /// <summary>The outer loop's extent and the elements per outer iteration, as code, for a kernel that <see cref="Splits"/>.</summary>
    public static (string Extent, string Inner) SplitExtent(Kernel k)
    {
        var (extent, inner) = SplitDims(k);
        return (Code(extent), Code(inner));
    }

    /// <summary>The outer loop's extent and the elements per outer iteration of a kernel that <see cref="Splits"/>.</summary>
    public static (Dim Extent, Dim Inner) SplitDims(Kernel k)
    {
        var dims = Coalesce(k, Operands(k));
        return (dims[0].Size, dims.Skip(1).Aggregate(Dim.Const(1), (a, d) => a * d.Size));
    }

    private static void EmitLoops(CodeWriter w, Kernel k, List<LoopDim> dims, List<Load> loads, KernelSignature sig, int level, string init, bool split)
    {
        int m = dims.Count;
        if (level < m - 1)
        {
            string from = split && level == 0 ? "lo" : "0", to = split && level == 0 ? "hi" : Code(dims[level].Size);
            using (w.Block($"for (int i{level} = {from}; i{level} < {to}; i{level}++)"))
                EmitLoops(w, k, dims, loads, sig, level + 1, init, split);
            return;
        }
        int ops = loads.Count + 1;
        for (int q = 0; q < ops; q++)
        {
            var terms = Enumerable.Range(0, m - 1).Where(i => dims[i].Strides[q] != Dim.Const(0))
                .Select(i => dims[i].Strides[q] == Dim.Const(1) ? $"i{i}" : $"i{i} * {Code(dims[i].Strides[q])}").ToList();
            if (q < loads.Count && loads[q].Offset != Dim.Const(0)) terms.Add(Code(loads[q].Offset)); // a slice read in place
            w.Line($"int x{(q == ops - 1 ? "o" : q.ToString(System.Globalization.CultureInfo.InvariantCulture))} = {(terms.Count == 0 ? "0" : string.Join(" + ", terms))};");
        }
        var inner = dims[m - 1];
        bool splitInner = split && m == 1;
        string n = splitInner ? "hi" : Code(inner.Size);
        w.Line(splitInner ? "int j = lo;" : "int j = 0;");
        bool reduceInner = k.Kind == KernelKind.Reduce && inner.Reduced;
        string combine = k.Root.Op == OpKind.ReduceMax ? "Max" : "Add";
        if (reduceInner) w.Line($"float acc = {init};");
        foreach (var v in Variants)
        {
            string loop = v.Width == 1 ? $"for (; j < {n}; j++)" : $"for (; j <= {n} - {v.Width}; j += {v.Width})";
            if (reduceInner && v.Width > 1)
            {
                using (w.Block($"if ({n} - j >= {v.Width})"))
                {
                    w.Line($"var vacc = {v.P}.Splat({init});");
                    using (w.Block(loop)) w.Line($"vacc = {v.P}.{combine}(vacc, {EmitBody(w, k, loads, inner, v)});");
                    w.Line($"acc = Sc.{combine}(acc, {v.P}.Reduce{combine}(vacc));");
                }
                continue;
            }
            using (w.Block(loop))
            {
                string t = EmitBody(w, k, loads, inner, v);
                if (reduceInner) w.Line($"acc = Sc.{combine}(acc, {t});");
                else if (k.Kind == KernelKind.Reduce) w.Line($"{v.P}.Store({v.P}.{combine}({v.P}.Load(ref out0, xo + j), {t}), ref out0, xo + j);");
                else w.Line($"{v.P}.Store({t}, ref out0, xo + j);");
            }
        }
        if (reduceInner) w.Line($"Sc.Store(Sc.{combine}(Sc.Load(ref out0, xo), acc), ref out0, xo);");
    }

    /// <summary>Writes the body's statements for one vector width; returns the variable holding the value.</summary>
    private static string EmitBody(CodeWriter w, Kernel k, List<Load> loads, LoopDim inner, Variant v)
    {
        var names = new Dictionary<Term, string>(ReferenceEqualityComparer.Instance);
        var bufferIndex = loads.Select(l => l.Base).Distinct().ToList();
        string Go(Term t)
        {
            if (names.TryGetValue(t, out var name)) return name;
            string expr;
            if (t.Load is { } l)
            {
                if (l.Base.Op == OpKind.Const) expr = $"{v.P}.Splat({CSharpEmitter.Float(l.Base.Attrs.Value)})";
                else if (l.Base.Op == OpKind.DimValue) expr = $"{v.P}.Splat((float)({l.Base.Attrs.DimValue.ToCode(CSharpEmitter.Sym)}))";
                else
                {
                    int q = loads.IndexOf(l);
                    string p = $"p{bufferIndex.IndexOf(l.Base)}", x = $"x{q}";
                    var s = inner.Strides[q];
                    expr = s == Dim.Const(1) ? $"{v.P}.Load(ref {p}, {x} + j)"
                        : s == Dim.Const(0) ? $"{v.P}.Splat(Sc.Load(ref {p}, {x}))"
                        : $"{v.P}.Gather(ref {p}, {x} + j * {Code(s)}, {Code(s)})";
                }
            }
            else expr = $"{v.P}.{t.Op}({string.Join(", ", t.Args.Select(Go))})";
            name = "t" + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            w.Line($"var {name} = {expr};");
            names[t] = name;
            return name;
        }
        return Go(k.Body!);
    }

    /// <summary>Drops unit dims and merges neighbours that every operand walks contiguously.</summary>
    internal static List<LoopDim> Coalesce(Kernel k, List<Load> loads)
    {
        var shape = k.IterShape;
        var reducedAxes = k.Kind == KernelKind.Reduce ? k.Root.Attrs.Axes : System.Array.Empty<int>();
        var outStrides = k.Kind == KernelKind.Reduce
            ? k.Root.Shape.ContiguousStrides().Select((s, i) => reducedAxes.Contains(i) ? Dim.Const(0) : s).ToArray()
            : shape.ContiguousStrides();
        var dims = new List<LoopDim>();
        for (int i = 0; i < shape.Rank; i++)
        {
            if (shape[i] == Dim.Const(1)) continue;
            dims.Add(new LoopDim
            {
                Size = shape[i],
                Reduced = reducedAxes.Contains(i),
                Strides = loads.Select(l => l.Strides[i]).Concat(new[] { outStrides[i] }).ToArray(),
            });
        }
        for (int i = dims.Count - 2; i >= 0; i--)
        {
            LoopDim a = dims[i], b = dims[i + 1];
            bool ok = a.Reduced == b.Reduced && Enumerable.Range(0, a.Strides.Length).All(q => a.Strides[q] == b.Strides[q] * b.Size);
            if (!ok) continue;
            b.Size = a.Size * b.Size;
            dims.RemoveAt(i);
        }
        if (dims.Count == 0)
            dims.Add(new LoopDim { Size = 1, Strides = Enumerable.Repeat(Dim.Const(1), loads.Count + 1).ToArray() });
        return dims;
    }

    private static string Code(Dim d) => d.ToCode(CSharpEmitter.Sym);
}

/// <summary>Reference equality for terms (records compare by value; shared subterms must stay shared).</summary>
internal sealed class ReferenceEqualityComparer : IEqualityComparer<Term>
{
    public static readonly ReferenceEqualityComparer Instance = new();

    public bool Equals(Term? x, Term? y) => ReferenceEquals(x, y);

    public int GetHashCode(Term obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
}
