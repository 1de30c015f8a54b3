using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>Emits one entry point: bind and check dims, reserve the arena, call each kernel in order.</summary>
internal static class EntryEmitter
{
    private const string T = CSharpEmitter.TensorType;
    private const string Rt = CSharpEmitter.Rt;

    public static void Emit(CodeWriter w, ModelProgram m, EntryProgram e, KernelTable kernels)
    {
        var s = e.Schedule;
        var plan = s.Memory;
        w.Line();
        w.Line($"// ==== {e.Name}: {Describe(e)} ====");
        w.Line($"// {s.Kernels.Count} kernels; arena of {plan.SlotSizes.Count} slots: "
            + string.Join(", ", plan.SlotSizes.Select((sz, i) => $"#{i} {string.Join(" | ", sz)}")) + " floats.");
        w.Line($"private readonly {Rt}.Arena __arena_{e.Member} = new({plan.SlotSizes.Count});");
        foreach (var (id, k) in Scans(s, ""))
            w.Line($"private readonly {Rt}.Arena __arena_{e.Member}_{id} = new({ScanSlots(k)}); // loop of kernel {k.Index}{(id.Contains('_') ? " (nested)" : "")}");
        var outputs = s.Graph.Outputs;
        // The tensor an entry returns is new on each call (the caller keeps it); other outputs live in reused buffers.
        var returned = Returned(e);
        var owned = outputs.Where(o => !IsParamGrad(m, o.Key) && !returned.Contains(o.Key)).ToList();
        foreach (var i in e.Inputs.Where(i => i.ScalarType is not null)) w.Line($"private readonly {T} __scalar_{e.Member}_{i.Name} = new {T}();");
        if (e.Trains is not null) w.Line($"private global::GraphNet.Parameter[]? __trains_{e.Member}; // the parameters {e.Name} steps");
        if (e.Kind == EntryKind.Train && RowGradients(m, e).Count > 0) w.Line($"private global::GraphNet.GradientRows[]? __rows_{e.Member}; // the rows of the gradients that are scatter-adds");
        foreach (var o in owned) w.Line($"private {T}? __out_{e.Member}_{Clean(o.Key)};");
        bool second = e.Kind is EntryKind.HessianVectorProduct or EntryKind.Hessian;
        if (second)
        {
            foreach (var p in m.Params) w.Line($"private {T}? __in_{e.Member}_{OutputNames.Direction(p.Name)};");
        }
        if (e.Kind == EntryKind.Hessian) w.Line($"private {T}? __in_{e.Member}_basis;");
        w.Line();
        string ret = e.Kind switch
        {
            EntryKind.LossAndGradients or EntryKind.Train => "float",
            EntryKind.Forward when e.ResultArity > 0 => e.ResultType ?? "(" + string.Join(", ", Enumerable.Repeat(T, e.ResultArity)) + ")",
            _ => T,
        };
        var inputArgs = e.Inputs.Select(i => $"{i.ScalarType ?? T} {Id(Arg(i))}").ToList();
        string mods = e.Hidden ? "private" : e.Modifiers + (m.PartialEntries ? " partial" : "");
        if (e.Kind == EntryKind.Hessian)
        {
            EmitHessian(w, m, e, mods, inputArgs);
            inputArgs.Add($"{T} __v");
            mods = "private";
        }
        else if (e.Kind == EntryKind.Train) inputArgs.Add($"global::GraphNet.Optimizer {Id(e.Extra!)}");
        else if (e.Kind == EntryKind.HessianVectorProduct) inputArgs.Add($"{T} {Id(e.Extra!)}");
        string name = e.Kind == EntryKind.Hessian ? e.Member + "__Hvp" : Id(e.Name);
        string v = e.Kind == EntryKind.Hessian ? "__v" : Id(e.Extra ?? "");
        using (w.Block($"{mods} {ret} {name}({string.Join(", ", inputArgs)})"))
        {
            if (e.Kind != EntryKind.Hessian && !e.Hidden) w.Line($"using var __run = {Rt}.Exclusive.Enter(ref __busy, \"{m.ClassName}\", \"{e.Name}\");");
            if (e.Kind != EntryKind.Hessian && m.Gpu) w.Line($"__link?.OnHost(writes: {(Writes(e) ? "true" : "false")});");
            foreach (var i in e.Inputs.Where(i => i.ScalarType is not null))
                w.Line($"var {i.Name} = __scalar_{e.Member}_{i.Name}; {i.Name}.Data[0] = {Id(Arg(i))};");
            EmitBinding(w, m, e);
            if (e.Kind == EntryKind.Train) w.Line($"{Rt}.Guard.NotNull({Id(e.Extra!)}, \"{e.Extra}\", \"an optimizer, for example new Adam(1e-3f)\");");
            EmitSizeChecks(w, e);
            w.Line($"bool __check = {Rt}.Anomaly.Detect;");
            if (e.Inputs.Count > 0)
                w.Line($"if (__check) {{ {string.Join(" ", e.Inputs.Select(i => $"{Rt}.Anomaly.CheckInput(\"{e.Name}\", {Id(i.Name)}, \"{Arg(i)}\");"))} }}");
            if (AllKernels(s).Any(k => k.Root.Op == OpKind.Random)) w.Line("ulong __draw = __draws++;");
            if (second) EmitDirection(w, m, e, v);
            var dest = new Dictionary<Node, string>();
            var copies = new List<string>();
            foreach (var o in outputs)
            {
                string local = "__o_" + Clean(o.Key);
                if (returned.IndexOf(o.Key) is var at && at >= 0) // before parameter gradients: an input may share a parameter's name
                {
                    string r = returned.Count == 1 ? "__r" : "__r" + at;
                    w.Line($"var {r} = {T}.Uninitialized({CSharpEmitter.ShapeArgs(o.Value.Shape)});"); // a kernel or a copy writes every element
                    w.Line($"var {local} = {r}.Data;");
                }
                else if (IsParamGrad(m, o.Key)) w.Line($"var {local} = __grad_{o.Key.Substring(5)}.Data;");
                else w.Line($"var {local} = {T}.Reuse(ref __out_{e.Member}_{Clean(o.Key)}{Dims(o.Value.Shape)}).Data;");
                if (dest.ContainsKey(o.Value) || o.Value.Op is OpKind.Input or OpKind.Param or OpKind.State) copies.Add($"global::System.Array.Copy({Buffer(o.Value, plan, dest, m)}, {local}, {local}.Length);");
                else dest[o.Value] = local;
            }
            if (plan.SlotSizes.Count > 0) w.Line($"var __a = __arena_{e.Member};");
            Reserve(w, plan, "__a");
            EmitKernels(w, e, s, "__a", "", dest, m, kernels);
            foreach (var c in copies) w.Line(c);
            foreach (var o in outputs.Where(o => o.Key.StartsWith(GraphBuilder.StatePrefix, System.StringComparison.Ordinal)))
                w.Line($"global::System.Array.Copy(__o_{Clean(o.Key)}, this.{Id(o.Key.Substring(GraphBuilder.StatePrefix.Length))}.Data, __o_{Clean(o.Key)}.Length);");
            if (second)
            {
                w.Line($"var __flat = new {T}({ParamCount(m)});");
                foreach (var (p, offset, len) in FlatBlocks(m))
                    w.Line($"global::System.Array.Copy(__o_{Clean(OutputNames.Hvp(p.Name))}, 0, __flat.Data, {offset}, {len});");
            }
            if (e.Kind == EntryKind.Train && RowGradients(m, e) is { Count: > 0 } rows)
            {
                // Gradients that are scatter-adds by an input's ids (embedding tables): the optimizer may update those rows only.
                w.Line($"var __rows = __rows_{e.Member} ??= new global::GraphNet.GradientRows[{rows.Count}];");
                for (int r = 0; r < rows.Count; r++)
                    w.Line($"__rows[{r}] = new global::GraphNet.GradientRows(this.__parameters[{rows[r].Index}], {Id(rows[r].Ids.Attrs.Name)}.Data, {rows[r].Ids.Shape.Size.ToCode(CSharpEmitter.Sym)});");
                w.Line($"{Id(e.Extra!)}.Step({Trained(e, "this")}, __rows);");
            }
            else if (e.Kind == EntryKind.Train) w.Line($"{Id(e.Extra!)}.Step({Trained(e, "this")});");
            if (e.Then is { } then) w.Line($"{then}(); // the update after the step");
            w.Line(e.Kind switch
            {
                EntryKind.Forward when e.ResultArity > 0 => "return (" + string.Join(", ", Enumerable.Range(0, e.ResultArity).Select(i => "__r" + i)) + ");",
                EntryKind.Forward => "return __r;",
                EntryKind.LossAndGradients or EntryKind.Train => $"return __o_{OutputNames.Loss}[0];",
                EntryKind.InputGradient => "return __r;",
                EntryKind.HessianVectorProduct or EntryKind.Hessian => "return __flat;",
            });
        }
    }

    /// <summary>What a [Train] entry hands its optimizer: every parameter, or the ones it trains (looked up once).</summary>
    internal static string Trained(EntryProgram e, string self) => e.Trains is null ? $"{self}.__parameters"
        : $"__trains_{e.Member} ??= new[] {{ {string.Join(", ", e.Trains.Select(p => $"{self}.__parameters[\"{p}\"]"))} }}";

    /// <summary>Whether an entry changes the model's values: a training step, an update after it, or state it commits (assignments, running statistics).</summary>
    internal static bool Writes(EntryProgram e) => e.Kind == EntryKind.Train || e.Then is not null
        || e.Schedule.Graph.Outputs.Any(o => o.Key.StartsWith(GraphBuilder.StatePrefix, System.StringComparison.Ordinal));

    /// <summary>The outputs an entry returns to its caller, in order (a new tensor each call).</summary>
    internal static List<string> Returned(EntryProgram e) => e.Kind switch
    {
        EntryKind.Forward when e.ResultArity > 0 => Enumerable.Range(0, e.ResultArity).Select(OutputNames.ResultAt).ToList(),
        EntryKind.Forward => new List<string> { OutputNames.Result },
        EntryKind.InputGradient => new List<string> { OutputNames.Grad(e.Wrt!) },
        _ => new List<string>(),
    };

    /// <summary>Each parameter's block in the flat vector of all parameter values: offset and length.</summary>
    private static IEnumerable<(ParamDecl Param, long Offset, long Length)> FlatBlocks(ModelProgram m)
    {
        long offset = 0;
        foreach (var p in m.Params)
        {
            long len = p.Shape.Dims.Aggregate(1L, (x, d) => x * d.Coef);
            yield return (p, offset, len);
            offset += len;
        }
    }

    private static long ParamCount(ModelProgram m) => FlatBlocks(m).Sum(b => b.Length);

    /// <summary>Checks the flat direction v and copies its block for each parameter into that parameter's input.</summary>
    private static void EmitDirection(CodeWriter w, ModelProgram m, EntryProgram e, string v)
    {
        long total = ParamCount(m);
        w.Line($"{Rt}.Guard.Rank({v}, \"{v}\", 1, \"[{total}]\");");
        w.Line($"{Rt}.Guard.Dim({v}, \"{v}\", 0, {total}, \"[{total}]\");");
        foreach (var (p, offset, len) in FlatBlocks(m))
        {
            string local = OutputNames.Direction(p.Name);
            w.Line($"var {local} = {T}.Reuse(ref __in_{e.Member}_{local}{Dims(p.Shape)});");
            w.Line($"global::System.Array.Copy({v}.Data, {offset}, {local}.Data, 0, {len});");
        }
    }

    /// <summary>The full Hessian as P Hessian-vector products with the unit vectors (column i = H·eᵢ).</summary>
    private static void EmitHessian(CodeWriter w, ModelProgram m, EntryProgram e, string mods, List<string> inputArgs)
    {
        long total = ParamCount(m);
        string call = string.Join(", ", e.Inputs.Select(i => Id(Arg(i))));
        using (w.Block($"{mods} {T} {Id(e.Name)}({string.Join(", ", inputArgs)})"))
        {
            w.Line($"using var __run = {Rt}.Exclusive.Enter(ref __busy, \"{m.ClassName}\", \"{e.Name}\");");
            w.Line($"var __h = new {T}({total}, {total});");
            w.Line($"var __e = {T}.Reuse(ref __in_{e.Member}_basis, {total});");
            w.Line("global::System.Array.Clear(__e.Data);");
            using (w.Block($"for (int __i = 0; __i < {total}; __i++)"))
            {
                w.Line("__e.Data[__i] = 1f;");
                w.Line($"var __col = {e.Member}__Hvp({call}{(call.Length > 0 ? ", " : "")}__e);");
                w.Line("__e.Data[__i] = 0f;");
                w.Line($"global::System.Array.Copy(__col.Data, 0, __h.Data, (long)__i * {total}, {total});");
            }
            w.Line("return __h;");
        }
        w.Line();
    }

    internal static string Describe(EntryProgram e) => e.Kind switch
    {
        EntryKind.Forward => $"forward of {e.Spec}",
        EntryKind.LossAndGradients => $"{e.Spec} and its gradient with respect to every parameter",
        EntryKind.InputGradient => $"gradient of {e.Spec} with respect to input '{e.Wrt}'",
        EntryKind.Train => e.Trains is null ? $"{e.Spec}, its gradient with respect to every parameter, then the optimizer's step" : $"{e.Spec}, its gradient with respect to {string.Join(", ", e.Trains)}, then the optimizer's step on those",
        EntryKind.HessianVectorProduct => $"Hessian of {e.Spec} over all parameters times a vector",
        EntryKind.Hessian => $"full Hessian of {e.Spec} over all parameters",
    };

    /// <summary>
    /// The parameters of a [Train] entry whose gradient is one scatter-add by ids that are an input of the entry (an
    /// embedding table looked up once): zero outside the rows those ids name, which the caller's tensor still holds when
    /// the optimizer runs. Each with its index among the model's parameters.
    /// </summary>
    internal static List<(int Index, Node Ids)> RowGradients(ModelProgram m, EntryProgram e)
    {
        var found = new List<(int, Node)>();
        if (e.Kind != EntryKind.Train) return found;
        for (int i = 0; i < m.Params.Count; i++)
        {
            string name = OutputNames.Grad(m.Params[i].Name);
            var g = e.Schedule.Graph.Outputs.FirstOrDefault(o => o.Key == name).Value;
            if (g is not null && g.Op == OpKind.ScatterAdd && g[0].Op == OpKind.Input && g.Shape.Rank >= 1) found.Add((i, g[0]));
        }
        return found;
    }

    internal static bool IsParamGrad(ModelProgram m, string output) =>
        output.StartsWith("grad.", System.StringComparison.Ordinal) && m.Params.Any(p => OutputNames.Grad(p.Name) == output);

    private static string Id(string name) => CSharpEmitter.Id(name);

    /// <summary>The entry's parameter for an input: its own name, or the user's name of a scalar argument.</summary>
    internal static string Arg(TensorDecl i) => i.Argument ?? i.Name;

    internal static string Clean(string name) => name.Replace('.', '_');

    private static string Dims(Shape s) => s.Rank == 0 ? "" : ", " + CSharpEmitter.ShapeArgs(s);

    /// <summary>
    /// Once dims are bound, every value the entry computes must fit in a tensor: one check per product of symbols
    /// (the largest factor of each), so no size or offset computed in int can wrap around.
    /// </summary>
    internal static void EmitSizeChecks(CodeWriter w, EntryProgram e)
    {
        var s = e.Schedule;
        string Code(Dim d) => d.ToCode(x => "(long)" + CSharpEmitter.Sym(x));
        // sums first: T − 1 must be at least 1, and a slice must fit in what it slices
        var sums = s.Graph.Nodes.SelectMany(n => n.Shape.Dims).Where(d => d.IsSum).Distinct().OrderBy(d => d.ToString(), System.StringComparer.Ordinal).ToList();
        bool Multiple(Dim d, Dim f) => d != f && d.Terms.Any(t => Dim.TryDivide(t, f.Terms[0]) is { IsConstant: false } q && f * q == d); // B*T-B = B·(T-1)
        foreach (var d in sums.Where(d => !sums.Any(f => Multiple(d, f)))) w.Line($"{Rt}.Guard.AtLeast(\"{e.Name}\", \"{d}\", {Code(d)}, 1, \"the dim\");");
        var rests = s.Graph.Nodes.Where(n => n.Op == OpKind.Slice)
            .Select(n => (Left: n[0].Shape[n.Attrs.Axes[0]] - n.Attrs.DimValue - n.Shape[n.Attrs.Axes[0]], Node: n))
            .Where(r => !r.Left.IsConstant).GroupBy(r => r.Left).Select(g => g.First()).OrderBy(r => r.Left.ToString(), System.StringComparer.Ordinal);
        foreach (var (rest, n) in rests)
            w.Line($"{Rt}.Guard.AtLeast(\"{e.Name}\", \"{rest}\", {Code(rest)}, 0, \"what a slice of {n[0].Shape} along axis {n.Attrs.Axes[0]} leaves,\");");
        var sizes = s.Graph.Nodes.Select(n => n.Shape.Size).Concat(s.Kernels.Select(k => k.IterShape.Size))
            .Where(d => !d.IsConstant).SelectMany(d => d.Terms).Where(d => !d.IsConstant)
            .GroupBy(d => d.Symbols).Select(g => g.OrderByDescending(d => System.Math.Abs(d.Coef)).First())
            .OrderBy(d => d.Symbols, System.StringComparer.Ordinal);
        foreach (var d in sizes)
        {
            var factors = new[] { System.Math.Abs(d.Coef).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".0" }.Concat(d.SymbolList.Select(CSharpEmitter.Sym));
            w.Line($"{Rt}.Guard.Elements(\"{e.Name}\", \"{Dim.Const(System.Math.Abs(d.Coef)) * Dim.Sym(d.Symbols)}\", {string.Join(" * ", factors)});");
        }
    }

    /// <summary>Binds each symbolic dim from the first input that has it and checks every other dim.</summary>
    /// <param name="shape">What follows an input's name to read its dims: nothing for a host tensor, <c>.Shape</c> for a device runner's input.</param>
    internal static void EmitBinding(CodeWriter w, ModelProgram m, EntryProgram e, string self = "this", string shape = "")
    {
        var bound = new HashSet<string>();
        var checks = new List<string>();
        foreach (var count in e.Inputs.Where(i => i.BindsDim is not null))
        {
            bound.Add(count.BindsDim!);
            w.Line($"int {CSharpEmitter.Sym(count.BindsDim!)} = {Rt}.Guard.Count({Id(Arg(count))}, \"{Arg(count)}\", \"{e.Name}\");");
        }
        foreach (var input in e.Inputs.Where(i => i.ScalarType is null))
        {
            w.Line($"{Rt}.Guard.Rank({Id(input.Name)}{shape}, \"{input.Name}\", {input.Shape.Rank}, \"{input.Shape}\");");
            for (int a = 0; a < input.Shape.Rank; a++)
            {
                var d = input.Shape[a];
                if (d.IsSymbol && bound.Add(d.Symbols))
                    w.Line($"int {CSharpEmitter.Sym(d.Symbols)} = {Rt}.Guard.Bound({Id(input.Name)}{shape}, \"{input.Name}\", {a}, \"{d.Symbols}\", \"{input.Shape}\");");
                else
                    checks.Add($"{Rt}.Guard.Dim({Id(input.Name)}{shape}, \"{input.Name}\", {a}, {d.ToCode(CSharpEmitter.Sym)}, \"{input.Shape}\");");
            }
        }
        foreach (var c in checks) w.Line(c);
        foreach (var p in m.Params.Concat(m.Buffers))
            w.Line($"{Rt}.Guard.Shape({self}.{Id(p.Name)}, \"{p.Display}\", __shape_{p.Name});");
    }

    private static string Buffer(Node n, MemoryPlan plan, Dictionary<Node, string> dest, ModelProgram m, string arena = "__a") => n.Op switch
    {
        _ when dest.TryGetValue(n, out var d) => d, // a scan body's inputs and outputs
        OpKind.Input => $"{Id(n.Attrs.Name)}.Data",  // a direction block __v_X is a local of the same name
        OpKind.Param or OpKind.State => $"this.{Id(n.Attrs.Name)}.Data",
        _ when plan.SlotOf.TryGetValue(n, out var slot) => $"{arena}[{slot}]",
        _ => throw Rewriter.Internal($"no buffer for {GraphPrinter.Line(n)}"),
    };

    private static void Reserve(CodeWriter w, MemoryPlan plan, string arena)
    {
        for (int i = 0; i < plan.SlotSizes.Count; i++)
            w.Line($"{arena}.Reserve({i}, {MaxOf(plan.SlotSizes[i].Select(d => d.ToCode(CSharpEmitter.Sym)).ToList())});");
    }

    /// <summary>Every kernel of a schedule and of the bodies of its loops.</summary>
    internal static IEnumerable<Kernel> AllKernels(Schedule s) => s.Kernels.SelectMany(k => k.Sub is { } sub ? new[] { k }.Concat(AllKernels(sub)) : new[] { k });

    /// <summary>The scan kernels of a schedule, nested ones too, each with the id its generated names use ("s3", "s3_s1").</summary>
    private static IEnumerable<(string Id, Kernel Kernel)> Scans(Schedule s, string prefix)
    {
        foreach (var k in s.Kernels.Where(k => k.Kind == KernelKind.Scan))
        {
            string id = prefix + "s" + k.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return (id, k);
            foreach (var inner in Scans(k.Sub!, id + "_")) yield return inner;
        }
    }

    /// <summary>A loop's arena: the body's plan, then two buffers per carry (this step's and the next), one per sequence read and per result.</summary>
    private static int ScanSlots(Kernel k) => k.Sub!.Memory.SlotSizes.Count + 2 * k.Root.Attrs.Scan!.Carries + k.Root.Attrs.Scan.Xs + k.Root.Attrs.Scan.Ys + PackedProducts(k).Count;

    /// <summary>
    /// The body's matrix products by a matrix the loop does not change (a recurrent weight): its packed copy is made
    /// once before the loop instead of at every step (cuDNN's persistent weights); with a batch of rows per step,
    /// packing the weight costs more than multiplying by it.
    /// </summary>
    private static List<Kernel> PackedProducts(Kernel scan)
    {
        var body = scan.Sub!.Graph;
        var invariants = new HashSet<Node>(Enumerable.Range(0, scan.Root.Attrs.Scan!.Invariants).Select(j => ScanBody.In(body, ScanBody.Invariant(j))));
        return scan.Sub.Kernels.Where(k => k.Kind == KernelKind.MatMul && k.Root.Shape.Rank == 2 && invariants.Contains(k.Reads[1])).ToList();
    }

    /// <summary>Calls each kernel of a schedule in order, with the anomaly check after each.</summary>
    private static void EmitKernels(CodeWriter w, EntryProgram e, Schedule s, string arena, string prefix, Dictionary<Node, string> dest, ModelProgram m, KernelTable kernels,
        IReadOnlyDictionary<Kernel, string>? packed = null, string? step = null)
    {
        var concats = Concats(s, dest, m, arena);
        var placed = new HashSet<Kernel>(concats.Values.SelectMany(pads => pads));
        for (int i = 0; i < s.Kernels.Count; i++)
        {
            var k = s.Kernels[i];
            if (placed.Contains(k)) continue; // a pad its concatenation places instead
            if (concats.TryGetValue(k, out var pads))
            {
                string o = Buffer(k.Root, s.Memory, dest, m, arena);
                w.Line($"// kernel {k.Index}: {GraphPrinter.Line(k.Root)}, a concatenation: each part copied into place (kernels {string.Join(", ", pads.Select(p => p.Index))} not run)");
                // a part already in the output's buffer (the memory plan reused its dead buffer) is spread out first, in place
                foreach (var pad in pads.OrderBy(p => Buffer(p.Reads[0], s.Memory, dest, m, arena) == o ? 0 : 1))
                    w.Line(Buffer(pad.Reads[0], s.Memory, dest, m, arena) == o
                        ? $"{Rt}.Indexing.PlaceInPlace({o}, {IndexRoutineArgs(pad.Root)});"
                        : $"{Rt}.Indexing.Place({Buffer(pad.Reads[0], s.Memory, dest, m, arena)}, {o}, {IndexRoutineArgs(pad.Root)});");
            }
            else if (k.Group >= 0 && (i == 0 || s.Kernels[i - 1].Group != k.Group))
            {
                var group = s.Kernels.Skip(i).TakeWhile(q => q.Group == k.Group).ToList();
                if (k.Epilogue) EmitEpilogue(w, e, group, s.Memory, dest, m, kernels, arena, prefix);
                else EmitRowPipeline(w, e, group, s.Memory, dest, m, kernels, arena, prefix);
            }
            else if (k.Group < 0)
                EmitCall(w, e, k, s.Memory, dest, m, kernels, arena, prefix, packed, step);
            if (k.Kind == KernelKind.Scan) continue; // its body's kernels are checked step by step
            string ops = string.Join(", ", k.Fused.Select(n => n.Op.Info().Name));
            w.Line($"if (__check) {Rt}.Anomaly.CheckOutput(\"{e.Name}\", {Buffer(k.Root, s.Memory, dest, m, arena)}, {k.Root.Shape.Size.ToCode(CSharpEmitter.Sym)}, \"{(prefix.Length > 0 ? "loop " + prefix.TrimEnd('_') + ", " : "")}kernel {k.Index} ({ops} to {k.Root.Shape})\");");
        }
    }

    /// <summary>
    /// Concatenations (<see cref="GraphBuilder.Concat"/>'s form): an elementwise kernel that only adds pads of constant
    /// extent along one axis which tile it, each pad computed by a kernel of its own and read by this one alone, into a
    /// buffer none of the parts is in. Each part is then copied into its place: no zeros written, no sum reading them back.
    /// The kernel's pad kernels, in order of offset.
    /// </summary>
    private static Dictionary<Kernel, List<Kernel>> Concats(Schedule s, Dictionary<Node, string> dest, ModelProgram m, string arena)
    {
        var found = new Dictionary<Kernel, List<Kernel>>();
        var outputs = new HashSet<Node>(s.Graph.Outputs.Select(o => o.Value));
        var position = new Dictionary<Kernel, int>();
        var padKernel = new Dictionary<Node, Kernel>();
        for (int i = 0; i < s.Kernels.Count; i++)
        {
            position[s.Kernels[i]] = i;
            if (s.Kernels[i] is { Kind: KernelKind.Routine, Group: < 0, Reads.Count: 1, Root.Op: OpKind.Pad } q) padKernel[q.Root] = q;
        }
        foreach (var k in s.Kernels)
        {
            if (k.Kind != KernelKind.Elementwise || k.Group >= 0 || k.Body is null) continue;
            var loads = new List<Load>();
            if (!AddsOfLoads(k.Body, loads) || loads.Count < 2) continue;
            var root = k.Root;
            var strides = root.Shape.ContiguousStrides();
            if (!loads.All(l => l.Base.Op == OpKind.Pad && l.Base.Shape.Equals(root.Shape) && l.Offset == Dim.Const(0) && l.Strides.SequenceEqual(strides))) continue;
            var nodes = loads.Select(l => l.Base).ToList();
            int axis = nodes[0].Attrs.Axes[0];
            if (nodes.Distinct().Count() != nodes.Count || !root.Shape[axis].IsConstant
                || nodes.Any(p => p.Attrs.Axes[0] != axis || !p.Attrs.DimValue.IsConstant || !p[0].Shape[axis].IsConstant)) continue;
            nodes = nodes.OrderBy(p => p.Attrs.DimValue.Coef).ToList();
            long at = 0;
            bool tiles = true;
            foreach (var p in nodes)
            {
                tiles &= p.Attrs.DimValue.Coef == at;
                at += p[0].Shape[axis].Coef;
            }
            if (!tiles || at != root.Shape[axis].Coef) continue;
            // Each pad has a kernel of its own, and nothing else reads it or its buffer's contents.
            if (nodes.Any(p => outputs.Contains(p) || dest.ContainsKey(p) || !padKernel.ContainsKey(p)
                || s.Kernels.Any(q => q != k && (q.Reads.Contains(p) || q.Sub is not null)))) continue;
            var pads = nodes.Select(p => padKernel[p]).ToList();
            string o = Buffer(root, s.Memory, dest, m, arena);
            var sources = pads.Select(p => Buffer(p.Reads[0], s.Memory, dest, m, arena)).ToList();
            if (sources.Count(x => x == o) > 1) continue; // one part in the output's own buffer is spread out in place, first
            // The parts are read at this kernel, not at their pads' (earlier) places: no kernel in between may write where
            // one of them is (the memory plan counted each part dead after its pad).
            int first = pads.Min(p => position[p]), here = position[k];
            if (s.Kernels.Skip(first).Take(here - first).Any(q => !pads.Contains(q)
                && (q.Group >= 0 || q.Kind == KernelKind.Scan || q.Writes.Any(x => sources.Contains(Buffer(x, s.Memory, dest, m, arena)))))) continue;
            found[k] = pads;
        }
        return found;
    }

    /// <summary>Whether a kernel body is a tree of adds over loads, collecting the loads.</summary>
    private static bool AddsOfLoads(Term t, List<Load> loads)
    {
        if (t.Op == OpKind.Input && t.Load is { IsScalar: false } l) { loads.Add(l); return true; }
        return t.Op == OpKind.Add && t.Args.Count == 2 && AddsOfLoads(t.Args[0], loads) && AddsOfLoads(t.Args[1], loads);
    }

    /// <summary>
    /// A scan: copy the initial carries in, then per step read step t of each sequence, run the body's kernels,
    /// write the per-step results into their stacks at t and swap the carries' buffers; copy the final carries out.
    /// </summary>
    private static void EmitScan(CodeWriter w, EntryProgram e, Kernel k, MemoryPlan plan, Dictionary<Node, string> dest, ModelProgram m, KernelTable kernels, string arena, string prefix,
        string? outerStep)
    {
        var n = k.Root;
        var sb = n.Attrs.Scan!;
        var sub = k.Sub!;
        var body = sub.Graph;
        string id = prefix + "s" + k.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string sa = "__" + id, t = "__t_" + id, step = "__i_" + id;
        string C(Dim d) => d.ToCode(CSharpEmitter.Sym);
        int P = sub.Memory.SlotSizes.Count, nc = sb.Carries, nx = sb.Xs;
        w.Line($"// kernel {k.Index}: {GraphPrinter.Line(n)}");
        using (w.Block($"// the body's {sub.Kernels.Count} kernels run once per step; arena of {P} slots: "
            + string.Join(", ", sub.Memory.SlotSizes.Select((sz, i) => $"#{i} {string.Join(" | ", sz)}")) + " floats, then the loop's own buffers."))
        {
            w.Line($"var {sa} = __arena_{e.Member}_{id};");
            Reserve(w, sub.Memory, sa);
            var inner = new Dictionary<Node, string>();
            var written = k.Writes.ToDictionary(o => o.Attrs.Ints[0], o => o);
            for (int i = 0; i < nc; i++)
            {
                var shape = ScanBody.In(body, ScanBody.Carry(i)).Shape;
                string size = C(shape.Size), cur = $"{sa}_c{i}", next = $"{sa}_c{i}n";
                w.Line($"{sa}.Reserve({P + 2 * i}, {size}); {sa}.Reserve({P + 2 * i + 1}, {size});");
                w.Line($"var {cur} = {sa}[{P + 2 * i}]; var {next} = {sa}[{P + 2 * i + 1}];");
                w.Line($"global::System.Array.Copy({Buffer(k.Reads[i], plan, dest, m, arena)}, {cur}, {size});");
                inner[ScanBody.In(body, ScanBody.Carry(i))] = cur;
            }
            var users = body.Consumers();
            var reads = new List<string>();
            for (int i = 0; i < nx; i++)
            {
                var x = ScanBody.In(body, ScanBody.X(i));
                if (users[x].Count == 0 && !body.Outputs.Any(o => o.Value == x)) continue; // the body has no use for it
                int slot = P + 2 * nc + i, axis = sb.XAxes[i];
                var dims = n.Inputs[nc + i].Shape.Dims;
                w.Line($"{sa}.Reserve({slot}, {C(x.Shape.Size)}); var {sa}_x{i} = {sa}[{slot}];");
                inner[x] = $"{sa}_x{i}";
                string outer = C(dims.Take(axis).Aggregate(Dim.Const(1), (a, b) => a * b)), rest = C(dims.Skip(axis + 1).Aggregate(Dim.Const(1), (a, b) => a * b));
                reads.Add($"{Rt}.Steps.Read({Buffer(k.Reads[nc + i], plan, dest, m, arena)}, {sa}_x{i}, {outer}, {C(sb.Length)}, {rest}, {step});");
            }
            for (int j = 0; j < sb.Invariants; j++)
                inner[ScanBody.In(body, ScanBody.Invariant(j))] = Buffer(k.Reads[nc + nx + j], plan, dest, m, arena);
            var packed = new Dictionary<Kernel, string>();
            foreach (var pk in PackedProducts(k))
            {
                int slot = P + 2 * nc + nx + sb.Ys + packed.Count;
                var pn = pk.Root;
                var kdim = pn.Attrs.TransA ? pn[0].Shape[0] : pn[0].Shape[1];
                string name = $"{sa}_w{packed.Count}", cols = C(pn.Shape[1]);
                w.Line($"{sa}.Reserve({slot}, {Rt}.Gemm.PackedLength({cols}, {C(kdim)})); var {name} = {sa}[{slot}]; // body kernel {pk.Index}'s weight, packed once");
                w.Line($"{Rt}.Gemm.PackB({Bool(pn.Attrs.TransB)}, {cols}, {C(kdim)}, {Buffer(pk.Reads[1], sub.Memory, inner, m, sa)}, {name});");
                packed[pk] = name;
            }
            var after = new List<string>();
            for (int i = 0; i < nc; i++)
            {
                var o = body.Output(ScanBody.Carry(i));
                string next = $"{sa}_c{i}n";
                if (inner.ContainsKey(o) || o.Op is OpKind.Input) after.Add($"global::System.Array.Copy({Buffer(o, sub.Memory, inner, m, sa)}, {next}, {C(o.Shape.Size)});");
                else inner[o] = next;
            }
            for (int q = 0; q < sb.Ys; q++)
            {
                var o = body.Output(ScanBody.Y(q));
                if (!inner.ContainsKey(o) && o.Op is not OpKind.Input)
                {
                    int slot = P + 2 * nc + nx + q;
                    w.Line($"{sa}.Reserve({slot}, {C(o.Shape.Size)}); var {sa}_y{q} = {sa}[{slot}];");
                    inner[o] = $"{sa}_y{q}";
                }
                if (!written.TryGetValue(nc + q, out var stack)) continue; // nobody reads this result (the pipeline prunes such results)
                after.Add($"{Rt}.Steps.Write({Buffer(o, sub.Memory, inner, m, sa)}, {Buffer(stack, plan, dest, m, arena)}, {C(o.Shape.Size)}, {step});");
            }
            string T = C(sb.Length);
            using (w.Block($"for (int {t} = 0; {t} < {T}; {t}++)"))
            {
                w.Line($"int {step} = {(sb.Reverse ? $"{T} - 1 - {t}" : t)};");
                foreach (var r in reads) w.Line(r);
                // random draws in the body: step t reads its own part of the stream (nested loops count steps across)
                string global = outerStep is null ? step : $"({outerStep} * (long){T} + {step})";
                EmitKernels(w, e, sub, sa, id + "_", inner, m, kernels, packed, global);
                foreach (var a in after) w.Line(a);
                for (int i = 0; i < nc; i++) w.Line($"({sa}_c{i}, {sa}_c{i}n) = ({sa}_c{i}n, {sa}_c{i});");
            }
            for (int i = 0; i < nc; i++)
                if (written.TryGetValue(i, out var final))
                    w.Line($"global::System.Array.Copy({sa}_c{i}, {Buffer(final, plan, dest, m, arena)}, {C(final.Shape.Size)});");
        }
    }

    /// <summary>
    /// A row pipeline (<see cref="RowPipelines"/>): z = x·w, the kernels that make r from z row by row, and xᵀ·r, run by the
    /// runtime one block of rows at a time so that x is streamed once.
    /// </summary>
    private static void EmitRowPipeline(CodeWriter w, EntryProgram e, List<Kernel> group, MemoryPlan plan, Dictionary<Node, string> dest, ModelProgram m, KernelTable kernels,
        string arena, string prefix)
    {
        Kernel first = group[0], last = group[group.Count - 1];
        string C(Dim d) => d.ToCode(CSharpEmitter.Sym);
        string B(Node x) => Buffer(x, plan, dest, m, arena);
        var inside = group.Skip(1).Take(group.Count - 2).ToList();
        w.Line($"// kernels {first.Index}..{last.Index}, a row pipeline (the matrix read once, block of rows by block of rows): "
            + $"kernel {first.Index} ({GraphPrinter.Line(first.Root)}), "
            + (inside.Count > 0 ? $"kernel{(inside.Count > 1 ? "s" : "")} {string.Join(", ", inside.Select(k => k.Index))} on the block's rows, " : "")
            + $"then kernel {last.Index} ({GraphPrinter.Line(last.Root)})");
        string v = $"__{prefix}p{first.Index}";
        if (inside.Count == 0) w.Line($"var {v} = new {Rt}.Gemm.NoRows();");
        else
        {
            // One struct per pipeline runs its kernels over a block of rows (each kernel's own job, in schedule order).
            string rowsType = $"{Member(e, prefix)}Pipeline{first.Index}_Rows";
            var decl = new CodeWriter();
            decl.Line($"/// <summary>Kernels {string.Join(", ", inside.Select(k => k.Index))} of {e.Member} over a block of rows: the part of its row pipeline between the two products.</summary>");
            var init = new List<string>();
            using (decl.Block($"private struct {rowsType} : {Rt}.IRangeJob"))
            {
                foreach (var k in inside)
                {
                    string name = kernels.NameFor(k, $"{Member(e, prefix)}Kernel{k.Index}");
                    decl.Line($"public {name}_Job k{k.Index};");
                    init.Add($"k{k.Index} = {JobOf(k, name, B)},");
                }
                decl.Line("public void Run(int lo, int hi)");
                decl.Line("{");
                foreach (var k in inside) decl.Line($"    k{k.Index}.Run(lo, hi);");
                decl.Line("}");
            }
            kernels.AddMember(rowsType, decl.ToString());
            w.Line($"var {v} = new {rowsType}");
            w.Line("{");
            foreach (var line in init) w.Line("    " + line);
            w.Line("};");
        }
        var x = first.Reads[0];
        w.Line($"{Rt}.Gemm.RowPipeline(ref {v}, {C(x.Shape[0])}, {C(x.Shape[1])}, {B(x)}, {B(first.Reads[1])}, {B(first.Root)}, {B(last.Reads[1])}, {B(last.Root)});");
    }

    /// <summary>
    /// A product and its epilogue (see <see cref="Epilogues"/>): one struct runs the epilogue's kernels over a block of the
    /// product's rows (each kernel's own job over its outer loop, which is the rows or every element of them), and the
    /// runtime's GEMM calls it as the blocks are finished. A kernel whose outer loop is neither falls back to the plain calls.
    /// </summary>
    private static void EmitEpilogue(CodeWriter w, EntryProgram e, List<Kernel> group, MemoryPlan plan, Dictionary<Node, string> dest, ModelProgram m, KernelTable kernels,
        string arena, string prefix)
    {
        Kernel product = group[0];
        var after = group.Skip(1).ToList();
        var n = product.Root;
        string C(Dim d) => d.ToCode(CSharpEmitter.Sym);
        string B(Node x) => Buffer(x, plan, dest, m, arena);
        Dim rows = n.Shape[0], cols = n.Shape[1];
        var scale = after.Select(k => Epilogues.IsRowArgExtreme(k) ? "1"
            : KernelEmitter.SplitDims(k).Extent is var x && x == rows ? "1" : x == rows * cols ? C(cols) : null).ToList();
        if (scale.Any(v => v is null))
        {
            foreach (var k in group) EmitCall(w, e, k, plan, dest, m, kernels, arena, prefix);
            return;
        }
        w.Line($"// kernel {product.Index}: {GraphPrinter.Line(n)}, then kernel{(after.Count > 1 ? "s" : "")} {string.Join(", ", after.Select(k => k.Index))} on each finished block of its rows");
        string rowsType = $"{Member(e, prefix)}Epilogue{product.Index}_Rows";
        var decl = new CodeWriter();
        decl.Line($"/// <summary>Kernel{(after.Count > 1 ? "s" : "")} {string.Join(", ", after.Select(k => k.Index))} of {e.Member} over a block of rows of kernel {product.Index}'s product (its epilogue).</summary>");
        var init = new List<string>();
        using (decl.Block($"private struct {rowsType} : {Rt}.IRangeJob"))
        {
            for (int q = 0; q < after.Count; q++)
            {
                var k = after[q];
                if (Epilogues.IsRowArgExtreme(k))
                {
                    decl.Line($"public float[] x{k.Index}, o{k.Index};");
                    decl.Line($"public int n{k.Index};");
                    init.Add($"x{k.Index} = {B(k.Reads[0])},");
                    init.Add($"o{k.Index} = {B(k.Root)},");
                    init.Add($"n{k.Index} = {C(cols)},");
                    continue;
                }
                string name = kernels.NameFor(k, $"{Member(e, prefix)}Kernel{k.Index}");
                decl.Line($"public {name}_Job k{k.Index};");
                init.Add($"k{k.Index} = {JobOf(k, name, B)},");
                if (scale[q] != "1") { decl.Line($"public int s{k.Index};"); init.Add($"s{k.Index} = {scale[q]},"); }
            }
            decl.Line("public void Run(int lo, int hi)");
            decl.Line("{");
            foreach (var (k, q) in after.Select((k, q) => (k, q)))
                decl.Line(Epilogues.IsRowArgExtreme(k)
                    ? $"    {Rt}.Indexing.ArgExtremeRows(x{k.Index}, o{k.Index}, lo, hi, n{k.Index}, {Bool(k.Root.Op == OpKind.ArgMax)});"
                    : scale[q] == "1" ? $"    k{k.Index}.Run(lo, hi);" : $"    k{k.Index}.Run(lo * s{k.Index}, hi * s{k.Index});");
            decl.Line("}");
        }
        kernels.AddMember(rowsType, decl.ToString());
        string v = $"__{prefix}e{product.Index}";
        w.Line($"var {v} = new {rowsType}");
        w.Line("{");
        foreach (var line in init) w.Line("    " + line);
        w.Line("};");
        var a = n[0].Shape;
        var kdim = n.Attrs.TransA ? a[0] : a[1];
        w.Line($"{Rt}.Gemm.MatMulThen({Bool(n.Attrs.TransA)}, {Bool(n.Attrs.TransB)}, {C(rows)}, {C(cols)}, {C(kdim)}, {B(product.Reads[0])}, {B(product.Reads[1])}, {B(n)}, ref {v});");
    }

    /// <summary>The prefix of an entry's kernel and struct names (a loop's body adds its own part).</summary>
    private static string Member(EntryProgram e, string prefix) => $"{e.Member}_{(prefix.Length > 0 ? prefix.Replace("_", "") + "_" : "")}";

    /// <summary>A split kernel's job: its dims, its input buffers and its output, as an object initializer.</summary>
    private static string JobOf(Kernel k, string name, System.Func<Node, string> buffer)
    {
        var sig = KernelEmitter.Signature(k);
        var fields = sig.Symbols.Select(x => $"{CSharpEmitter.Sym(x)} = {CSharpEmitter.Sym(x)}")
            .Concat(sig.Buffers.Select((b, i) => $"in{i} = {buffer(b)}")).Concat(new[] { $"output = {buffer(k.Root)}" });
        return $"new {name}_Job {{ {string.Join(", ", fields)} }}";
    }

    private static void EmitCall(CodeWriter w, EntryProgram e, Kernel k, MemoryPlan plan, Dictionary<Node, string> dest, ModelProgram m, KernelTable kernels, string arena, string prefix,
        IReadOnlyDictionary<Kernel, string>? packed = null, string? step = null)
    {
        var n = k.Root;
        if (k.Kind == KernelKind.Scan)
        {
            EmitScan(w, e, k, plan, dest, m, kernels, arena, prefix, step);
            return;
        }
        string o = Buffer(n, plan, dest, m);
        string Buffer(Node x, MemoryPlan p, Dictionary<Node, string> d, ModelProgram mm) => EntryEmitter.Buffer(x, p, d, mm, arena);
        switch (k.Kind)
        {
            case KernelKind.MatMul:
            {
                int r = n.Shape.Rank;
                var a = n[0].Shape;
                var batch = n.Shape.Dims.Take(r - 2).Aggregate(Dim.Const(1), (x, y) => x * y);
                var kdim = n.Attrs.TransA ? a[r - 2] : a[r - 1];
                string C(Dim d) => d.ToCode(CSharpEmitter.Sym);
                w.Line($"// kernel {k.Index}: {GraphPrinter.Line(n)}");
                if (packed is not null && packed.TryGetValue(k, out var weight))
                    w.Line($"{Rt}.Gemm.MatMulPacked({Bool(n.Attrs.TransA)}, {C(n.Shape[0])}, {C(n.Shape[1])}, {C(kdim)}, {Buffer(k.Reads[0], plan, dest, m)}, {weight}, {o});");
                else
                    w.Line($"{Rt}.Gemm.MatMul({Bool(n.Attrs.TransA)}, {Bool(n.Attrs.TransB)}, {C(batch)}, {C(n.Shape[r - 2])}, {C(n.Shape[r - 1])}, {C(kdim)}, "
                        + $"{Buffer(k.Reads[0], plan, dest, m)}, {Buffer(k.Reads[1], plan, dest, m)}, {o});");
                break;
            }
            case KernelKind.Solve:
            {
                string C(Dim d) => d.ToCode(CSharpEmitter.Sym);
                w.Line($"// kernel {k.Index}: {GraphPrinter.Line(n)}");
                int rank = n.Shape.Rank;
                var systems = n.Shape.Dims.Take(rank - 2).Aggregate(Dim.Const(1), (x, y) => x * y);
                int triangle = GraphBuilder.Triangle(n);
                var routine = triangle == 0 ? "Solve(" : $"SolveTriangular({Bool(triangle == 2)}, ";
                w.Line($"global::GraphNet.Linalg.{routine}{Bool(n.Attrs.TransA)}, {C(systems)}, {C(n.Shape[rank - 2])}, {C(n.Shape[rank - 1])}, "
                    + $"{Buffer(k.Reads[0], plan, dest, m)}, {Buffer(k.Reads[1], plan, dest, m)}, {o});");
                break;
            }
            case KernelKind.Iota:
            {
                int axis = n.Attrs.Axes[0];
                var dims = n.Shape.Dims;
                Dim outer = dims.Take(axis).Aggregate(Dim.Const(1), (x, y) => x * y);
                Dim inner = dims.Skip(axis + 1).Aggregate(Dim.Const(1), (x, y) => x * y);
                string C(Dim d) => d.ToCode(CSharpEmitter.Sym);
                w.Line($"// kernel {k.Index}: {GraphPrinter.Line(n)}");
                w.Line($"{Rt}.Fill.Iota({o}, {C(outer)}, {C(dims[axis])}, {C(inner)});");
                break;
            }
            case KernelKind.Routine:
                w.Line($"// kernel {k.Index}: {GraphPrinter.Line(n)}");
                w.Line(RoutineCall(n, k.Reads.Select(r => Buffer(r, plan, dest, m)).ToList(), o, step));
                break;
            case KernelKind.Elementwise or KernelKind.Reduce:
            {
                string name = kernels.NameFor(k, $"{Member(e, prefix)}Kernel{k.Index}");
                if (KernelEmitter.Splits(k))
                {
                    var (extent, inner) = KernelEmitter.SplitExtent(k);
                    string job = $"__{prefix}k{k.Index}";
                    w.Line($"var {job} = {JobOf(k, name, x => Buffer(x, plan, dest, m))};");
                    int weight = KernelEmitter.Weight(k);
                    w.Line($"{Rt}.Workers.ForRange(ref {job}, {extent}, {inner}{(weight > 1 ? $", {weight}" : "")});");
                    break;
                }
                if (KernelEmitter.SplitsRows(k))
                {
                    var (extent, inner) = KernelEmitter.SplitExtent(k);
                    string job = $"__{prefix}k{k.Index}";
                    w.Line($"var {job} = {JobOf(k, name, x => Buffer(x, plan, dest, m))};");
                    w.Line($"{Rt}.Workers.ForParts(ref {job}, {extent}, {inner}, {KernelEmitter.Weight(k)}, {o}, {n.Shape.Size.ToCode(CSharpEmitter.Sym)});");
                    break;
                }
                var sig = KernelEmitter.Signature(k);
                var call = sig.Symbols.Select(CSharpEmitter.Sym).Concat(sig.Buffers.Select(b => Buffer(b, plan, dest, m))).Concat(new[] { o });
                w.Line($"{name}({string.Join(", ", call)});");
                break;
            }
        }
    }

    /// <summary>
    /// A window's (or its adjoint's) geometry after its two buffers, the same on both backends: images n, c, h, w, output
    /// positions oh, ow, then kernel, stride, dilation and padding (height, width; a 1-d window has height 1).
    /// </summary>
    internal static string WindowArgs(Node n)
    {
        var w = Window.FromInts(n.Attrs.Ints);
        var image = n.Op == OpKind.Window ? n[0].Shape : n.Shape;
        var cols = n.Op == OpKind.Window ? n.Shape : n[0].Shape;
        return WindowGeometry(w, image, w.Rank == 2 ? cols[1] : null, cols[w.Rank == 2 ? 2 : 1]);
    }

    /// <summary>Images n, c, h, w, output positions oh, ow, then kernel, stride, dilation and padding (height, width; a 1-d window has height 1).</summary>
    private static string WindowGeometry(Window w, Shape image, Dim? oh, Dim ow)
    {
        string C(Dim d) => d.ToCode(CSharpEmitter.Sym);
        bool two = w.Rank == 2;
        int S(int[] v, int dflt) => two ? v[0] : dflt;
        int T(int[] v) => two ? v[1] : v[0];
        return string.Join(", ", new object[] { C(image[0]), C(image[1]), two ? C(image[2]) : "1", C(image[image.Rank - 1]),
            oh is { } h ? C(h) : "1", C(ow), S(w.Kernel, 1), T(w.Kernel), S(w.Stride, 1), T(w.Stride),
            S(w.Dilation, 1), T(w.Dilation), S(w.PadBefore, 0), T(w.PadBefore) });
    }

    /// <summary>An attention's sizes and flags after its buffers, the same on both backends: slices, queries, keys, features, value features, scale, causal.</summary>
    internal static string AttentionArgs(Node n)
    {
        string C(Dim d) => d.ToCode(CSharpEmitter.Sym);
        Shape q = n[0].Shape, k = n[1].Shape, v = n[2].Shape;
        int r = q.Rank;
        var slices = q.Dims.Take(r - 2).Aggregate(Dim.Const(1), (x, y) => x * y);
        return $"{C(slices)}, {C(q[r - 2])}, {C(k[r - 2])}, {q[r - 1].Coef}, {v[r - 1].Coef}, {CSharpEmitter.Float(n.Attrs.Value)}, {Bool(n.Attrs.Ints[0] == 1)}";
    }

    /// <summary>
    /// A direct convolution's (or its weight gradient's) geometry after its buffers, the same on both backends: as
    /// <see cref="WindowArgs"/> (images, channels, height, width, output positions, kernel, stride, dilation, padding),
    /// then the output channels.
    /// </summary>
    internal static string ConvolutionArgs(Node n)
    {
        var w = Window.FromInts(n.Attrs.Ints);
        Shape image = n.Op == OpKind.Convolve ? n[0].Shape : n[1].Shape, output = n.Op == OpKind.Convolve ? n.Shape : n[0].Shape;
        return WindowGeometry(w, image, w.Rank == 2 ? output[2] : null, output[output.Rank - 1]) + ", " + output[1].ToCode(CSharpEmitter.Sym);
    }

    /// <summary>The name of the indexing routine that computes <paramref name="n"/> (both backends name them alike).</summary>
    internal static string IndexRoutine(Node n) => n.Op is OpKind.ArgMax or OpKind.ArgMin ? "ArgExtreme" : n.Op.ToString();

    /// <summary>
    /// The sizes and flags an indexing routine takes after its buffers, the same on both backends: the tensor seen as
    /// [outer, n, inner] around the op's axis (gathers and scatters: count, row length, rows), then the op's own numbers.
    /// </summary>
    internal static string IndexRoutineArgs(Node n)
    {
        string C(Dim d) => d.ToCode(CSharpEmitter.Sym);
        string Prod(IEnumerable<Dim> ds) => C(ds.Aggregate(Dim.Const(1), (x, y) => x * y));
        string Around(Shape x, int axis, params string[] more) =>
            string.Join(", ", new[] { Prod(x.Dims.Take(axis)), C(x[axis]), Prod(x.Dims.Skip(axis + 1)) }.Concat(more));
        int ax = n.Attrs.Axes.Length > 0 ? n.Attrs.Axes[0] : 0;
        return n.Op switch
        {
            OpKind.Gather => $"{C(n[1].Shape.Size)}, {Prod(n[0].Shape.Dims.Skip(1))}, {C(n[0].Shape[0])}",
            OpKind.ScatterAdd => $"{C(n[0].Shape.Size)}, {Prod(n.Shape.Dims.Skip(1))}, {n.Attrs.Ints[0]}",
            OpKind.Slice => Around(n[0].Shape, ax, C(n.Attrs.DimValue), C(n.Shape[ax])),
            OpKind.Pad => Around(n[0].Shape, ax, C(n.Attrs.DimValue), C(GraphBuilder.PadAfter(n))),
            OpKind.ArgSort or OpKind.CumSum => Around(n[0].Shape, ax, Bool(n.Attrs.Ints[0] == 1)),
            OpKind.ArgMax or OpKind.ArgMin => Around(n[0].Shape, ax, Bool(n.Op == OpKind.ArgMax)),
            OpKind.TakeAlong => $"{Prod(n[0].Shape.Dims.Take(ax))}, {C(n[0].Shape[ax])}, {C(n.Shape[ax])}, {Prod(n[0].Shape.Dims.Skip(ax + 1))}",
            OpKind.PutAlong => $"{Prod(n[1].Shape.Dims.Take(ax))}, {C(n.Shape[ax])}, {C(n[1].Shape[ax])}, {Prod(n[1].Shape.Dims.Skip(ax + 1))}",
            _ => throw Rewriter.Internal($"{GraphPrinter.Line(n)} is not an indexing routine"),
        };
    }

    /// <summary>The runtime call for a structured op or a random fill; the tensor is seen as [outer, n, inner] around its axis.</summary>
    private static string RoutineCall(Node n, List<string> ins, string o, string? step = null)
    {
        string C(Dim d) => d.ToCode(CSharpEmitter.Sym);
        string Prod(IEnumerable<Dim> ds) => C(ds.Aggregate(Dim.Const(1), (x, y) => x * y));
        switch (n.Op)
        {
            case OpKind.Window or OpKind.Unwindow:
                return $"{Rt}.Windows.{(n.Op == OpKind.Window ? "Unfold" : "Fold")}({ins[0]}, {o}, {WindowArgs(n)});";
            case OpKind.Gather or OpKind.ScatterAdd:
                return $"{Rt}.Indexing.{n.Op}({ins[0]}, {ins[1]}, {o}, {IndexRoutineArgs(n)}, \"{IndexSource(n.Op == OpKind.Gather ? n[1] : n[0])}\");";
            case OpKind.Slice or OpKind.Pad or OpKind.ArgSort or OpKind.CumSum or OpKind.ArgMax or OpKind.ArgMin:
                return $"{Rt}.Indexing.{IndexRoutine(n)}({ins[0]}, {o}, {IndexRoutineArgs(n)});";
            case OpKind.TakeAlong or OpKind.PutAlong:
                return $"{Rt}.Indexing.{n.Op}({ins[0]}, {ins[1]}, {o}, {IndexRoutineArgs(n)});";
            case OpKind.Eigh:
                return $"global::GraphNet.Linalg.Eigh({ins[0]}, {o}, {C(n[0].Shape[0])});";
            case OpKind.Cholesky or OpKind.SLogDet:
            {
                var a = n[0].Shape;
                return $"global::GraphNet.Linalg.{n.Op}({ins[0]}, {o}, {Prod(a.Dims.Take(a.Rank - 2))}, {C(a[a.Rank - 1])});";
            }
            case OpKind.Convolve:
                return $"{Rt}.Convolution.Forward({ins[0]}, {ins[1]}, {o}, {ConvolutionArgs(n)});";
            case OpKind.ConvolveWeights:
                return $"{Rt}.Convolution.WeightGradient({ins[0]}, {ins[1]}, {o}, {ConvolutionArgs(n)});";
            case OpKind.Attention:
                return $"{Rt}.AttentionKernels.Forward({ins[0]}, {ins[1]}, {ins[2]}, {o}, {AttentionArgs(n)});";
            case OpKind.AttentionGrad:
                return $"{Rt}.AttentionKernels.Backward({ins[0]}, {ins[1]}, {ins[2]}, {ins[3]}, {ins[4]}, {o}, {AttentionArgs(n)}, {n.Attrs.Ints[1]});";
            case OpKind.Random:
                return $"{Rt}.Fill.Uniform({o}, {C(n.Shape.Size)}, __seed, __draw, {(int)n.Attrs.Value}{(step is null ? "" : $", {step} * (long)({C(n.Shape.Size)})")});";
            default:
                throw Rewriter.Internal($"no runtime routine for {GraphPrinter.Line(n)}");
        }
    }

    /// <summary>What an index error names: the entry's input the ids come from (labels, token ids), else "ids".</summary>
    private static string IndexSource(Node ids)
    {
        while (ids.Op.Category() == OpCategory.Movement) ids = ids[0];
        return ids.Op == OpKind.Input ? $"input '{ids.Attrs.Name}'" : "ids";
    }

    internal static string MaxOf(IReadOnlyList<string> sizes) =>
        sizes.Count == 1 ? sizes[0] : $"global::System.Math.Max((long)({sizes[0]}), {MaxOf(sizes.Skip(1).ToList())})";

    internal static string Bool(bool b) => b ? "true" : "false";
}

/// <summary>
/// The model's kernel methods, one per distinct text: entry points (and layers of equal shape)
/// that need the same fused loop share one method, named after its first user.
/// </summary>
internal sealed class KernelTable
{
    private readonly Dictionary<string, string> _names = new(System.StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _ordered = new();

    public string NameFor(Kernel k, string proposed)
    {
        var text = KernelEmitter.Text(k);
        if (_names.TryGetValue(text, out var name)) return name;
        _names[text] = proposed;
        _ordered.Add(new KeyValuePair<string, string>(proposed, text));
        return proposed;
    }

    /// <summary>Adds a member written once per model (a row pipeline's struct), emitted after the kernels named before it.</summary>
    public void AddMember(string name, string text)
    {
        if (_names.ContainsKey("member:" + name)) return;
        _names["member:" + name] = name;
        _ordered.Add(new KeyValuePair<string, string>(name, text));
    }

    public void EmitAll(CodeWriter w)
    {
        foreach (var kv in _ordered)
        {
            w.Line();
            w.Lines(kv.Value.Replace(KernelEmitter.NamePlaceholder, kv.Key));
        }
    }
}
