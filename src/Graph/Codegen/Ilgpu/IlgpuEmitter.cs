using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Emits a model's device runner for GraphNet.Gpu (only into assemblies that reference it): for every fused kernel of an
/// entry's schedule an ILGPU kernel (one thread per output element, the body the same terms as the CPU kernel's scalar
/// lane), and for every entry that can run on a device a method with the CPU entry's signature that binds the dims,
/// lays the memory plan's slots out in the device's work area, uploads the inputs, launches the kernels and routines
/// in the schedule's order and downloads the results. The schedule and the memory plan are the CPU path's.
/// </summary>
public static class IlgpuEmitter
{
    private const string Gpu = "global::GraphNet.Gpu";
    private const string T = CSharpEmitter.TensorType;
    private const string Rt = CSharpEmitter.Rt;
    private const string Signature = "global::ILGPU.Index1D __i, global::ILGPU.ArrayView<float> mem, " + Gpu + ".KernelArgs a";

    /// <summary>The integer arguments a device kernel takes (the A fields of GraphNet.Gpu's KernelArgs).</summary>
    public const int MaxArgs = 48;

    /// <summary>Why an entry has no device form yet, or null when it has one.</summary>
    public static string? Unsupported(EntryProgram e)
    {
        if (e.Kind is EntryKind.Hessian or EntryKind.HessianVectorProduct) return "second-order entries";
        foreach (var k in EntryEmitter.AllKernels(e.Schedule))
        {
            switch (k.Kind)
            {
                case KernelKind.Elementwise or KernelKind.Reduce when KernelEmitter.Signature(k) is var sig && sig.Symbols.Count + sig.Buffers.Count + 1 > MaxArgs:
                    return $"a fused kernel with {sig.Symbols.Count + sig.Buffers.Count + 1} arguments (the device kernels take {MaxArgs})";
            }
        }
        return null;
    }

    public static void EmitRunner(CodeWriter w, ModelProgram m)
    {
        var state = StateLayout(m);
        long stateFloats = state.Values.Select(v => v.Offset + v.Length).DefaultIfEmpty(1).Max() - 1;
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// This model on a GPU device (GraphNet.Gpu): the same entry points, each run as ILGPU kernels on the device, with the");
        w.Line("/// parameters, buffers and optimizer state kept there between calls (training steps run the optimizer on the device).");
        w.Line("/// The model stays coherent: reading its <c>Parameters</c> or <c>Buffers</c>, or calling a host entry, copies what the");
        w.Line("/// device changed back first, and the next device call uploads what the host changed. One runner per model: calling");
        w.Line("/// this again with the same device returns it.");
        w.Line("/// </summary>");
        using (w.Block($"public OnDevice OnGpu({Gpu}.GpuDevice device)"))
        {
            w.Line("if (__gpu is { } current && ReferenceEquals(current.Device, device)) return current;");
            w.Line("__link?.OnHost(writes: true); // what the previous runner changed comes back first");
            w.Line("return __gpu = new OnDevice(this, device);");
        }
        w.Line("private OnDevice? __gpu;");
        w.Line();
        w.Line($"/// <summary>{m.ClassName}'s entry points on a device; entries the device path does not cover yet are listed in <see cref=\"HostOnly\"/>.</summary>");
        using (w.Block($"public sealed class OnDevice : {Gpu}.DeviceModel"))
        {
            w.Line($"private readonly {m.ClassName} __m;");
            w.Line("private readonly global::GraphNet.DeviceLink __link;");
            foreach (var kv in state) w.Line($"private const long __st_{Clean(kv.Key)} = {kv.Value.Offset}; // {kv.Key}");
            w.Line();
            w.Line("/// <summary>The entry points that run on the host only, with the reason.</summary>");
            var hostOnly = m.Entries.Where(e => !e.Hidden && Unsupported(e) is not null).Select(e => $"(\"{e.Name}\", \"{Unsupported(e)}\")");
            w.Line($"public static readonly (string Entry, string Reason)[] HostOnly = {{ {string.Join(", ", hostOnly)} }};");
            w.Line();
            using (w.Block($"internal OnDevice({m.ClassName} model, {Gpu}.GpuDevice device) : base(device, {stateFloats})"))
            {
                w.Line("__m = model;");
                if (m.Params.Count > 0)
                    w.Line("DeclareParameters(" + string.Join(", ", m.Params.Select(p => $"(\"{p.Display}\", __st_{Clean(p.Name)}, __st_{Clean(OutputNames.Grad(p.Name))}, {Size(p.Shape)}L)")) + ");");
                w.Line("__link = model.__link = new global::GraphNet.DeviceLink(CopyToHost, CopyFromHost);");
            }
            w.Line();
            void Copies(string doc, string name, System.Func<ParamDecl, string> line, string optimizerState)
            {
                w.Line($"/// <summary>{doc}</summary>");
                using (w.Block($"private void {name}()"))
                {
                    foreach (var p in m.Params.Concat(m.Buffers)) w.Line(line(p));
                    w.Line(optimizerState);
                }
                w.Line();
            }
            Copies("Copies the host model's parameters, buffers and optimizer state to the device.", "CopyFromHost",
                p => $"Upload(__m.{Id(p.Name)}.Data, __st_{Clean(p.Name)}, {Size(p.Shape)});", "OptimizerStateToDevice();");
            Copies("Copies the device's parameters, buffers and optimizer state into the host model's tensors.", "CopyToHost",
                p => $"Download(__st_{Clean(p.Name)}, __m.{Id(p.Name)}.Data, {Size(p.Shape)});", "OptimizerStateToHost();");
            w.Line("/// <summary>Makes the device's values current before an entry runs (the runner must still be the model's).</summary>");
            using (w.Block("private void Use(bool writes)"))
            {
                w.Line("if (!ReferenceEquals(__m.__link, __link))");
                w.Line($"    throw new global::System.InvalidOperationException(\"This {m.ClassName} runner was replaced by a later OnGpu call on another device; use that runner.\");");
                w.Line("__link.OnDevice(writes);");
            }
            var kernels = new List<(string Name, Kernel Kernel)>();
            foreach (var e in m.Entries.Where(e => Unsupported(e) is null)) EmitEntry(w, m, e, state, kernels);
            foreach (var (name, k) in kernels) EmitKernel(w, name, k);
        }
    }

    /// <summary>Offsets in the device memory (after the error cell) of each parameter, buffer and parameter gradient.</summary>
    private static Dictionary<string, (long Offset, long Length)> StateLayout(ModelProgram m)
    {
        var layout = new Dictionary<string, (long, long)>();
        long at = 1;
        foreach (var p in m.Params.Concat(m.Buffers)) { long n = Size(p.Shape); layout[p.Name] = (at, n); at += n; }
        foreach (var p in m.Params) { long n = Size(p.Shape); layout[OutputNames.Grad(p.Name)] = (at, n); at += n; }
        return layout;
    }

    private static long Size(Shape s) => s.Dims.Aggregate(1L, (x, d) => x * d.Coef);

    private static void EmitEntry(CodeWriter w, ModelProgram m, EntryProgram e, Dictionary<string, (long Offset, long Length)> state, List<(string, Kernel)> kernels)
    {
        var s = e.Schedule;
        var plan = s.Memory;
        var outputs = s.Graph.Outputs;
        var returned = EntryEmitter.Returned(e);
        string ret = e.Kind switch
        {
            EntryKind.LossAndGradients or EntryKind.Train => "float",
            EntryKind.Forward when e.ResultArity > 0 => e.ResultType ?? "(" + string.Join(", ", Enumerable.Repeat(T, e.ResultArity)) + ")",
            _ => T,
        };
        var args = e.Inputs.Select(i => $"{i.ScalarType ?? Gpu + ".DeviceInput"} {Id(EntryEmitter.Arg(i))}").ToList(); // a host or a device tensor
        if (e.Kind == EntryKind.Train) args.Add($"global::GraphNet.Optimizer {Id(e.Extra!)}");
        w.Line();
        if (e.Trains is not null) w.Line($"private global::GraphNet.Parameter[]? __trains_{e.Member};");
        if (e.Inputs.Any(i => i.ScalarType is null))
        {
            // host tensors bind here first, so method groups still convert to Func<Tensor, ...>; device tensors take the overload below
            var hostArgs = e.Inputs.Select(i => $"{i.ScalarType ?? T} {Id(EntryEmitter.Arg(i))}").Concat(args.Skip(e.Inputs.Count));
            var forward = e.Inputs.Select(i => i.ScalarType is null ? $"({Gpu}.DeviceInput){Id(EntryEmitter.Arg(i))}" : Id(EntryEmitter.Arg(i)))
                .Concat(e.Kind == EntryKind.Train ? new[] { Id(e.Extra!) } : System.Array.Empty<string>());
            w.Line($"/// <summary>{e.Name} on the device with host tensors: each call uploads them.</summary>");
            w.Line($"{(e.Hidden ? "private" : "public")} {ret} {Id(e.Name)}({string.Join(", ", hostArgs)}) => {Id(e.Name)}({string.Join(", ", forward)});");
            w.Line();
        }
        w.Line($"/// <summary>{e.Name} on the device: {EntryEmitter.Describe(e)}; {s.Kernels.Count} kernels. Inputs may be host or device tensors.</summary>");
        using (w.Block($"{(e.Hidden ? "private" : "public")} {ret} {Id(e.Name)}({string.Join(", ", args)})"))
        {
            foreach (var i in e.Inputs.Where(i => i.ScalarType is not null))
                w.Line($"var {i.Name} = new {T}(); {i.Name}.Data[0] = {Id(EntryEmitter.Arg(i))};");
            EntryEmitter.EmitBinding(w, m, e, "__m", ".Shape");
            if (e.Kind == EntryKind.Train) w.Line($"{Rt}.Guard.NotNull({Id(e.Extra!)}, \"{e.Extra}\", \"an optimizer, for example new Adam(1e-3f)\");");
            EntryEmitter.EmitSizeChecks(w, e);
            if (EntryEmitter.AllKernels(s).Any(k => k.Root.Op == OpKind.Random)) w.Line("ulong __draw = __m.__draws++;");
            // the work area: inputs, then results, then the memory plan's slots
            var off = new Dictionary<Node, string>();
            foreach (var n in s.Graph.Nodes.Where(n => n.Op is OpKind.Param or OpKind.State)) off[n] = $"__st_{Clean(n.Attrs.Name)}";
            w.Line("long __w = WorkStart;");
            foreach (var input in s.Graph.Nodes.Where(n => n.Op == OpKind.Input))
            {
                string name = $"__in_{Clean(input.Attrs.Name)}";
                w.Line($"long {name} = __w; __w += {Code(input.Shape.Size)};");
                off[input] = name;
            }
            var after = new List<string>();
            var downloads = new List<string>();
            var commits = new List<string>();
            foreach (var o in outputs)
            {
                string local = "__o_" + Clean(o.Key);
                bool grad = EntryEmitter.IsParamGrad(m, o.Key);
                if (grad) w.Line($"long {local} = __st_{Clean(o.Key)};");
                else w.Line($"long {local} = __w; __w += {Code(o.Value.Shape.Size)};");
                if (off.ContainsKey(o.Value)) // an input, a parameter or an earlier result: copied after the kernels
                    after.Add($"Copy({Off(o.Value, off)}, {local}, {Code(o.Value.Shape.Size)});");
                else off[o.Value] = local;
                if (returned.IndexOf(o.Key) is var at && at >= 0)
                {
                    string r = returned.Count == 1 ? "__r" : "__r" + at;
                    w.Line($"var {r} = new {T}({CSharpEmitter.ShapeArgs(o.Value.Shape)});");
                    downloads.Add($"Download({local}, {r}.Data, {r}.Data.Length);");
                }
                else if (grad && e.Kind != EntryKind.Train) downloads.Add($"Download({local}, __m.__grad_{o.Key.Substring(5)}.Data, {Code(o.Value.Shape.Size)});");
                else if (o.Key.StartsWith(GraphBuilder.StatePrefix, System.StringComparison.Ordinal)) // committed on the device, after every kernel read the old value
                    commits.Add($"Copy({local}, __st_{Clean(o.Key.Substring(GraphBuilder.StatePrefix.Length))}, {Code(o.Value.Shape.Size)});");
                else if (o.Key == OutputNames.Loss)
                {
                    downloads.Add($"Download({local}, LossCell, 1);");
                }
            }
            for (int i = 0; i < plan.SlotSizes.Count; i++)
                w.Line($"long __s{i} = __w; __w += {EntryEmitter.MaxOf(plan.SlotSizes[i].Select(Code).ToList())};");
            foreach (var n in s.Graph.Nodes)
                if (!off.ContainsKey(n) && plan.SlotOf.TryGetValue(n, out var slot)) off[n] = $"__s{slot}";
            LayoutScans(w, s, "");
            var scratch = EntryEmitter.AllKernels(s).Select(Scratch).Where(d => d is not null).Select(d => Code(d!.Value)).Distinct().ToList();
            if (scratch.Count > 0) w.Line($"long __scratch = __w; __w += {EntryEmitter.MaxOf(scratch)}; // the factorizations' working copies");
            w.Line("EnsureWork(__w - WorkStart);");
            w.Line($"Use(writes: {(EntryEmitter.Writes(e) ? "true" : "false")});");
            foreach (var input in s.Graph.Nodes.Where(n => n.Op == OpKind.Input))
                w.Line(e.Inputs.Any(i => i.Name == input.Attrs.Name && i.ScalarType is not null)
                    ? $"Upload({Id(input.Attrs.Name)}.Data, {off[input]}, {Code(input.Shape.Size)});"
                    : $"Upload({Id(input.Attrs.Name)}, \"{input.Attrs.Name}\", {off[input]}, {Code(input.Shape.Size)});");
            foreach (var k in s.Kernels) EmitLaunch(w, k, off, kernels, e, "", null);
            foreach (var a in after) w.Line(a);
            foreach (var c in commits) w.Line(c);
            w.Line($"Finish(\"{e.Name}\");");
            foreach (var d in downloads) w.Line(d);
            if (e.Kind == EntryKind.Train) w.Line($"Optimize({Id(e.Extra!)}, {EntryEmitter.Trained(e, "__m")}); // on the device, from the gradients there");
            if (e.Then is { } then)
            {
                if (m.Entries.FirstOrDefault(x => x.Name == then) is { } t && Unsupported(t) is null) w.Line($"{then}(); // the update after the step, on the device");
                else { w.Line("__link.OnHost(writes: true);"); w.Line($"__m.{then}(); // the update after the step runs on the host"); }
            }
            w.Line(e.Kind switch
            {
                EntryKind.Forward when e.ResultArity > 0 => "return (" + string.Join(", ", Enumerable.Range(0, e.ResultArity).Select(i => "__r" + i)) + ");",
                EntryKind.LossAndGradients or EntryKind.Train => "return LossCell[0];",
                _ => "return __r;",
            });
        }
    }

    private static string Off(Node n, Dictionary<Node, string> off) =>
        off.TryGetValue(n, out var o) ? o : throw Rewriter.Internal($"no device buffer for {GraphPrinter.Line(n)}");

    /// <summary>
    /// The work-area regions of each loop (nested ones too): the body's plan slots, two buffers per carry (this step's and
    /// the next), one per sequence read and one per per-step result.
    /// </summary>
    private static void LayoutScans(CodeWriter w, Schedule s, string prefix)
    {
        foreach (var k in s.Kernels.Where(k => k.Kind == KernelKind.Scan))
        {
            string id = ScanId(prefix, k);
            var sb = k.Root.Attrs.Scan!;
            var sub = k.Sub!;
            for (int i = 0; i < sub.Memory.SlotSizes.Count; i++)
                w.Line($"long __{id}_s{i} = __w; __w += {EntryEmitter.MaxOf(sub.Memory.SlotSizes[i].Select(Code).ToList())};");
            for (int i = 0; i < sb.Carries; i++)
            {
                string size = Code(ScanBody.In(sub.Graph, ScanBody.Carry(i)).Shape.Size);
                w.Line($"long __{id}_c{i} = __w; __w += {size}; long __{id}_c{i}n = __w; __w += {size};");
            }
            for (int i = 0; i < sb.Xs; i++) w.Line($"long __{id}_x{i} = __w; __w += {Code(ScanBody.In(sub.Graph, ScanBody.X(i)).Shape.Size)};");
            for (int q = 0; q < sb.Ys; q++) w.Line($"long __{id}_y{q} = __w; __w += {Code(sub.Graph.Output(ScanBody.Y(q)).Shape.Size)};");
            LayoutScans(w, sub, id + "_");
        }
    }

    private static string ScanId(string prefix, Kernel k) => prefix + "s" + k.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A loop on the device: the host runs the steps, each launching the body's kernels. Initial carries are copied in;
    /// per step each sequence's step t is sliced out, the body runs, per-step results are copied into their stacks at t
    /// and the carries' two buffers swap; the final carries are copied out.
    /// </summary>
    private static void EmitScan(CodeWriter w, Kernel k, Dictionary<Node, string> off, List<(string, Kernel)> kernels, EntryProgram e, string prefix, string? outerStep)
    {
        var n = k.Root;
        var sb = n.Attrs.Scan!;
        var sub = k.Sub!;
        var body = sub.Graph;
        string id = ScanId(prefix, k), t = $"__t_{id}", step = $"__i_{id}";
        int nc = sb.Carries, nx = sb.Xs;
        var inner = new Dictionary<Node, string>();
        using (w.Block($"// the body's {sub.Kernels.Count} kernels run once per step"))
        {
            for (int i = 0; i < nc; i++)
            {
                var carry = ScanBody.In(body, ScanBody.Carry(i));
                w.Line($"long __{id}_cur{i} = __{id}_c{i}, __{id}_next{i} = __{id}_c{i}n;");
                w.Line($"Copy({Off(k.Reads[i], off)}, __{id}_cur{i}, {Code(carry.Shape.Size)});");
                inner[carry] = $"__{id}_cur{i}";
            }
            var users = body.Consumers();
            var reads = new List<string>();
            for (int i = 0; i < nx; i++)
            {
                var x = ScanBody.In(body, ScanBody.X(i));
                inner[x] = $"__{id}_x{i}";
                if (users[x].Count == 0 && !body.Outputs.Any(o => o.Value == x)) continue;
                int axis = sb.XAxes[i];
                var dims = n.Inputs[nc + i].Shape.Dims;
                string outer = Code(dims.Take(axis).Aggregate(Dim.Const(1), (a, b) => a * b)), rest = Code(dims.Skip(axis + 1).Aggregate(Dim.Const(1), (a, b) => a * b));
                reads.Add($"Slice({Off(k.Reads[nc + i], off)}, __{id}_x{i}, {outer}, {Code(sb.Length)}, {rest}, {step}, 1);");
            }
            for (int j = 0; j < sb.Invariants; j++) inner[ScanBody.In(body, ScanBody.Invariant(j))] = Off(k.Reads[nc + nx + j], off);
            var after = new List<string>();
            for (int i = 0; i < nc; i++)
            {
                var o = body.Output(ScanBody.Carry(i));
                if (inner.ContainsKey(o)) after.Add($"Copy({inner[o]}, __{id}_next{i}, {Code(o.Shape.Size)});");
                else inner[o] = $"__{id}_next{i}";
            }
            var written = k.Writes.ToDictionary(o => o.Attrs.Ints[0], o => o);
            for (int q = 0; q < sb.Ys; q++)
            {
                var o = body.Output(ScanBody.Y(q));
                if (!inner.ContainsKey(o)) inner[o] = $"__{id}_y{q}";
                if (written.TryGetValue(nc + q, out var stack))
                    after.Add($"Copy({inner[o]}, {Off(stack, off)} + (long){step} * {Code(o.Shape.Size)}, {Code(o.Shape.Size)});");
            }
            foreach (var node in body.Nodes)
                if (!inner.ContainsKey(node) && sub.Memory.SlotOf.TryGetValue(node, out var slot)) inner[node] = $"__{id}_s{slot}";
            string T = Code(sb.Length);
            using (w.Block($"for (int {t} = 0; {t} < {T}; {t}++)"))
            {
                w.Line($"int {step} = {(sb.Reverse ? $"{T} - 1 - {t}" : t)};");
                foreach (var r in reads) w.Line(r);
                string global = outerStep is null ? step : $"({outerStep} * (long){T} + {step})";
                foreach (var bk in sub.Kernels) EmitLaunch(w, bk, inner, kernels, e, id + "_", global);
                foreach (var a in after) w.Line(a);
                for (int i = 0; i < nc; i++) w.Line($"(__{id}_cur{i}, __{id}_next{i}) = (__{id}_next{i}, __{id}_cur{i});");
            }
            for (int i = 0; i < nc; i++)
                if (written.TryGetValue(i, out var final))
                    w.Line($"Copy(__{id}_cur{i}, {Off(final, off)}, {Code(final.Shape.Size)});");
        }
    }

    private static void EmitLaunch(CodeWriter w, Kernel k, Dictionary<Node, string> off, List<(string, Kernel)> kernels, EntryProgram e, string prefix, string? step)
    {
        var n = k.Root;
        if (k.Kind == KernelKind.Scan)
        {
            w.Line($"// kernel {k.Index}: {GraphPrinter.Line(n)}");
            EmitScan(w, k, off, kernels, e, prefix, step);
            return;
        }
        string o = Off(n, off);
        string C(Dim d) => Code(d);
        string Prod(IEnumerable<Dim> ds) => C(ds.Aggregate(Dim.Const(1), (x, y) => x * y));
        string In(int i) => Off(k.Reads[i], off);
        w.Line($"// kernel {k.Index}: {GraphPrinter.Line(n)}");
        switch (k.Kind)
        {
            case KernelKind.Elementwise or KernelKind.Reduce:
            {
                string name = $"{Id(e.Member)}_{prefix}K{k.Index}";
                kernels.Add((name, k));
                var sig = KernelEmitter.Signature(k);
                var fields = sig.Symbols.Select(CSharpEmitter.Sym).Concat(sig.Buffers.Select(b => $"(int){Off(b, off)}")).Concat(new[] { $"(int){o}" })
                    .Select((v, i) => $"A{i} = {v}");
                w.Line($"Launch({name}, {Threads(k)}, new {Gpu}.KernelArgs {{ {string.Join(", ", fields)} }});");
                break;
            }
            case KernelKind.MatMul:
            {
                int r = n.Shape.Rank;
                var a = n[0].Shape;
                var batch = Batch(n.Shape);
                var kdim = n.Attrs.TransA ? a[r - 2] : a[r - 1];
                w.Line($"Gemm({Bool(n.Attrs.TransA)}, {Bool(n.Attrs.TransB)}, {C(batch)}, {C(n.Shape[r - 2])}, {C(n.Shape[r - 1])}, {C(kdim)}, {In(0)}, {In(1)}, {o});");
                break;
            }
            case KernelKind.Solve:
            {
                int rank = n.Shape.Rank;
                var systems = Batch(n.Shape);
                w.Line($"Solve({Bool(n.Attrs.TransA)}, {C(systems)}, {C(n.Shape[rank - 2])}, {C(n.Shape[rank - 1])}, {In(0)}, {In(1)}, {o}, __scratch, {GraphBuilder.Triangle(n)});");
                break;
            }
            case KernelKind.Iota:
            {
                int axis = n.Attrs.Axes[0];
                var dims = n.Shape.Dims;
                w.Line($"Iota({o}, {Prod(dims.Take(axis))}, {C(dims[axis])}, {Prod(dims.Skip(axis + 1))});");
                break;
            }
            case KernelKind.Routine:
                w.Line(Routine(n, In, o, step));
                break;
            default:
                throw Rewriter.Internal($"no device form for {GraphPrinter.Line(n)}");
        }
    }

    private static string Routine(Node n, System.Func<int, string> In, string o, string? step) => n.Op switch
    {
        OpKind.Gather or OpKind.ScatterAdd or OpKind.TakeAlong or OpKind.PutAlong => $"{n.Op}({In(0)}, {In(1)}, {o}, {EntryEmitter.IndexRoutineArgs(n)});",
        OpKind.Slice or OpKind.Pad or OpKind.CumSum or OpKind.ArgMax or OpKind.ArgMin => $"{EntryEmitter.IndexRoutine(n)}({In(0)}, {o}, {EntryEmitter.IndexRoutineArgs(n)});",
        OpKind.ArgSort => $"ArgSort({In(0)}, {o}, {EntryEmitter.IndexRoutineArgs(n)});",
        OpKind.Cholesky => $"Cholesky({In(0)}, {o}, {Code(Batch(n[0].Shape))}, {Code(n.Shape[n.Shape.Rank - 1])});",
        OpKind.SLogDet => $"SLogDet({In(0)}, {o}, {Code(Batch(n[0].Shape))}, {Code(n[0].Shape[n[0].Shape.Rank - 1])}, __scratch);",
        OpKind.Convolve => $"Convolve({In(0)}, {In(1)}, {o}, {EntryEmitter.ConvolutionArgs(n)});",
        OpKind.ConvolveWeights => $"ConvolveWeights({In(0)}, {In(1)}, {o}, {EntryEmitter.ConvolutionArgs(n)});",
        OpKind.Attention => $"Attention({In(0)}, {In(1)}, {In(2)}, {o}, {EntryEmitter.AttentionArgs(n)});",
        OpKind.AttentionGrad => $"AttentionGrad({In(0)}, {In(1)}, {In(2)}, {In(3)}, {In(4)}, {o}, {EntryEmitter.AttentionArgs(n)}, {n.Attrs.Ints[1]});",
        OpKind.Eigh => $"Eigh({In(0)}, {o}, {Code(n[0].Shape[0])}, __scratch);",
        OpKind.Window or OpKind.Unwindow => $"{(n.Op == OpKind.Window ? "Unfold" : "Fold")}({In(0)}, {o}, {EntryEmitter.WindowArgs(n)});",
        OpKind.Random => $"Uniform({o}, {Code(n.Shape.Size)}, __m.__seed, __draw, {(int)n.Attrs.Value}{(step is null ? "" : $", {step} * (long)({Code(n.Shape.Size)})")});",
        _ => throw Rewriter.Internal($"no device routine for {GraphPrinter.Line(n)}"),
    };

    /// <summary>The working copy a factorization needs (n·n per matrix), or null.</summary>
    private static Dim? Scratch(Kernel k)
    {
        var n = k.Root;
        Dim Matrices(Shape a) => Batch(a) * a[a.Rank - 1] * a[a.Rank - 1];
        return k.Kind switch
        {
            KernelKind.Solve => Matrices(n[0].Shape),
            KernelKind.Routine when n.Op is OpKind.SLogDet or OpKind.Eigh => Matrices(n[0].Shape),
            _ => null,
        };
    }

    /// <summary>Threads of a fused kernel: one per output element (a reduction's thread loops over what it reduces).</summary>
    private static string Threads(Kernel k)
    {
        var dims = KernelEmitter.Coalesce(k, KernelEmitter.Operands(k));
        return Code(dims.Where(d => !d.Reduced).Aggregate(Dim.Const(1), (x, d) => x * d.Size));
    }

    /// <summary>
    /// One fused kernel as an ILGPU kernel: the thread's index split over the kernel's (coalesced) dims gives each
    /// operand's offset; a reduction's thread then loops over the reduced dims.
    /// </summary>
    private static void EmitKernel(CodeWriter w, string name, Kernel k)
    {
        var sig = KernelEmitter.Signature(k);
        var loads = KernelEmitter.Operands(k);
        var dims = KernelEmitter.Coalesce(k, loads);
        bool reduce = k.Kind == KernelKind.Reduce;
        string what = string.Join(", ", k.Fused.Select(n => n.Op.Info().Name));
        int field = 0;
        w.Line();
        w.Line($"/// <summary>Fuses {(reduce ? "reduce " : "")}{what} over {k.IterShape}{(reduce ? $" to {k.Root.Shape}" : "")}: one thread per output element.</summary>");
        using (w.Block($"private static void {name}({Signature})"))
        {
            foreach (var s in sig.Symbols) w.Line($"int {CSharpEmitter.Sym(s)} = a.A{field++};");
            for (int i = 0; i < sig.Buffers.Count; i++) w.Line($"long in{i} = a.A{field++};");
            w.Line($"long output = a.A{field};");
            w.Line("long rest = __i.X;");
            int ops = loads.Count + 1;
            var offsets = Enumerable.Range(0, ops).Select(q => new List<string>()).ToList();
            for (int l = dims.Count - 1; l >= 0; l--)
            {
                if (dims[l].Reduced) continue;
                w.Line($"long i{l} = rest % ({Code(dims[l].Size)}); rest /= {Code(dims[l].Size)};");
                for (int q = 0; q < ops; q++) AddTerm(offsets[q], $"i{l}", dims[l].Strides[q]);
            }
            for (int q = 0; q < loads.Count; q++) if (loads[q].Offset != Dim.Const(0)) offsets[q].Add(Code(loads[q].Offset));
            for (int q = 0; q < ops; q++)
                w.Line($"long x{(q == ops - 1 ? "o" : q.ToString(System.Globalization.CultureInfo.InvariantCulture))} = {(offsets[q].Count == 0 ? "0" : string.Join(" + ", offsets[q]))};");
            if (!reduce)
            {
                w.Line($"mem[output + xo] = {EmitBody(w, k, loads, sig, q => $"x{q}")};");
                return;
            }
            bool max = k.Root.Op == OpKind.ReduceMax;
            w.Line($"float acc = {(max ? "float.NegativeInfinity" : "0f")};");
            var reduced = Enumerable.Range(0, dims.Count).Where(l => dims[l].Reduced).ToList();
            var closers = new List<System.IDisposable>();
            foreach (var l in reduced) closers.Add(w.Block($"for (long r{l} = 0; r{l} < {Code(dims[l].Size)}; r{l}++)"));
            string Index(int q)
            {
                var terms = new List<string> { $"x{q}" };
                foreach (var l in reduced) AddTerm(terms, $"r{l}", dims[l].Strides[q]);
                return string.Join(" + ", terms);
            }
            string v = EmitBody(w, k, loads, sig, Index);
            w.Line(max ? $"acc = {Gpu}.G.Max(acc, {v});" : $"acc += {v};");
            for (int i = closers.Count - 1; i >= 0; i--) closers[i].Dispose();
            w.Line("mem[output + xo] = acc;");
        }
    }

    private static void AddTerm(List<string> terms, string index, Dim stride)
    {
        if (stride == Dim.Const(0)) return;
        terms.Add(stride == Dim.Const(1) ? index : $"{index} * {Code(stride)}");
    }

    /// <summary>The body's statements; returns the variable holding the value. Operand q's element is at <paramref name="at"/>(q).</summary>
    private static string EmitBody(CodeWriter w, Kernel k, List<Load> loads, KernelEmitter.KernelSignature sig, System.Func<int, string> at)
    {
        var names = new Dictionary<Term, string>(ReferenceEqualityComparer.Instance);
        string Go(Term t)
        {
            if (names.TryGetValue(t, out var name)) return name;
            string expr;
            if (t.Load is { } l)
            {
                if (l.Base.Op == OpKind.Const) expr = CSharpEmitter.Float(l.Base.Attrs.Value);
                else if (l.Base.Op == OpKind.DimValue) expr = $"(float)({l.Base.Attrs.DimValue.ToCode(CSharpEmitter.Sym)})";
                else expr = $"mem[in{sig.Buffers.ToList().IndexOf(l.Base)} + {at(loads.IndexOf(l))}]";
            }
            else expr = $"{Gpu}.G.{t.Op}({string.Join(", ", t.Args.Select(Go))})";
            name = "t" + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            w.Line($"float {name} = {expr};");
            names[t] = name;
            return name;
        }
        return Go(k.Body!);
    }

    private static string Code(Dim d) => d.ToCode(CSharpEmitter.Sym);

    /// <summary>The product of the leading axes of [..., m, n]: how many matrices.</summary>
    private static Dim Batch(Shape a) => a.Dims.Take(a.Rank - 2).Aggregate(Dim.Const(1), (x, y) => x * y);

    private static string Id(string name) => CSharpEmitter.Id(name);

    private static string Clean(string name) => EntryEmitter.Clean(name);

    private static string Bool(bool b) => EntryEmitter.Bool(b);
}
