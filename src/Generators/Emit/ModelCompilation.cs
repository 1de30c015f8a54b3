using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using GraphNet.Compiler;

namespace GraphNet.Generators;

/// <summary>
/// The expensive step after the equatable checkpoint: check entry points against their spec
/// methods, lower, compile (autodiff, passes, schedule) and emit. Never throws to Roslyn.
/// </summary>
public static class ModelCompilation
{
    /// <summary>
    /// The stack of the thread the compile step runs on. Graph walks (autodiff, passes, fusion, emit) recurse
    /// along chains of values, and a model may chain thousands (an unrolled loop): they get room for that
    /// here rather than on the compiler's own thread, where overflowing would kill the build.
    /// </summary>
    public const int StackBytes = 256 << 20;

    public static CompiledModel Compile(ModelSpec model, CancellationToken ct, bool gpu = false) => OnLargeStack(() => CompileCore(model, ct, gpu));

    private static T OnLargeStack<T>(Func<T> f)
    {
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { result = f(); }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
        }, StackBytes) { Name = "GraphNet model compiler", IsBackground = true };
        thread.Start();
        thread.Join();
        error?.Throw();
        return result;
    }

    private static CompiledModel CompileCore(ModelSpec model, CancellationToken ct, bool gpu)
    {
        var diags = new List<DiagnosticInfo>(model.Diagnostics);
        try
        {
            if (model.Diagnostics.Any(d => d.Id is "GN0001" or "GN0013" or "GN0014" or "GN9001")
                || model.Modules.Any(m => m.HasErrors) || model.Diagnostics.Any(d => d.Id is "GN0025" or "GN0021" && d.Location is not null))
                return new CompiledModel(model.HintName, Stubs(model, model.Entries), diags.ToEquatable());
            var slots = new List<ParamSlot>();
            Instance root;
            try
            {
                root = new Lowerer(model, new GraphBuilder(), new Dictionary<string, Node>(), diags, ct).Build(slots);
            }
            catch (LoweringFailed)
            {
                return new CompiledModel(model.HintName, Stubs(model, model.Entries), diags.ToEquatable());
            }
            var entries = model.Entries.Select(e => e.Invalid ? null : CompileEntry(model, root, slots, e, diags, ct)).ToList();
            var helpers = new List<EntryProgram>();
            for (int i = 0; i < entries.Count; i++)
                if (entries[i] is { } train && model.Entries[i].Then is { } then)
                {
                    var after = CompileThen(model, root, slots, model.Entries[i], then, diags, ct);
                    entries[i] = after is null ? null : train with { Then = after.Name };
                    if (after is not null) helpers.Add(after);
                }
            // Overloaded entry points share a name: their generated members get distinct prefixes.
            var names = new HashSet<string>(model.Entries.Select(e => e.Name));
            var used = new HashSet<string>();
            for (int i = 0; i < entries.Count; i++)
            {
                if (entries[i] is not { } compiled || used.Add(compiled.Name)) continue;
                string member;
                for (int k = 2; ; k++) if (!names.Contains(member = compiled.Name + "_" + k) && used.Add(member)) break;
                entries[i] = compiled with { Member = member };
            }
            ParamDecl Decl(ParamSlot p) => new(p.Graph, p.Shape, "global::GraphNet.Init." + p.Init)
                { Path = p.Path == p.Graph ? null : p.Path, Declare = p.Declared, FanIn = p.FanIn };
            var ps = slots.Where(p => !p.IsBuffer).Select(Decl).ToList();
            var failed = model.Entries.Where((e, i) => entries[i] is null && e.Implementable).Select(e => new FailedEntry(e.Modifiers, e.Declared, e.Name)).ToList();
            var program = new ModelProgram(model.Namespace, model.ContainingTypes.ToList(), Identifiers.Escape(model.ClassName), ps, entries.OfType<EntryProgram>().Concat(helpers).ToList())
            {
                Declaration = model.Declaration,
                Buffers = slots.Where(p => p.IsBuffer).Select(Decl).ToList(),
                FailedEntries = failed,
                Bindings = ModuleEmitter.Bindings(model.Submodules, "this.", "__t", ""),
                Gpu = gpu,
            };
            return new CompiledModel(model.HintName, CSharpEmitter.EmitModel(program), diags.ToEquatable());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var at = model.Entries.FirstOrDefault()?.Location ?? model.Methods.FirstOrDefault()?.Location;
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InternalError, at, model.ClassName, e.GetType().Name + ": " + e.Message));
            return new CompiledModel(model.HintName, Stubs(model, model.Entries), diags.ToEquatable());
        }
    }

    /// <summary>A [Train] entry's update after the step: the named spec method, without arguments, compiled as a hidden [Update] entry.</summary>
    private static EntryProgram? CompileThen(ModelSpec model, Instance root, List<ParamSlot> slots, EntrySpec train, string then, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        var spec = model.Methods.FirstOrDefault(m => m.Name == then);
        string? why = spec is null ? $"Then = \"{then}\" names no spec method of '{model.ClassName}'"
            : spec.Inputs.Count > 0 ? $"Then = nameof({then}) takes arguments ({string.Join(", ", spec.Inputs.Select(i => i.Name))}); the update after a step reads only the model's fields: declare it without parameters"
            : train.Kind != EntryKind.Train ? "Then is for [Train] entries" : null;
        if (why is not null)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidEntry, train.Location, train.Name, why));
            return null;
        }
        var helper = train with
        {
            Name = "__then_" + train.Name, Kind = EntryKind.Forward, Spec = then, Wrt = null, ParamNames = EquatableArray<string>.Empty,
            ParamTypes = EquatableArray<string>.Empty, Commits = true, Training = false, Then = null, Trains = null, Extra = null, ReturnArity = 0,
        };
        return CompileEntry(model, root, slots, helper, diags, ct) is { } program ? program with { Hidden = true, Modifiers = "private" } : null;
    }

    /// <summary>Bodies that throw for entry points that could not be compiled, so the only errors the user sees are the GN ones.</summary>
    private static string? Stubs(ModelSpec model, IEnumerable<EntrySpec> entries)
    {
        if (!model.CanAddPart) return null;
        var failed = entries.Where(e => e.Implementable).Select(e => new FailedEntry(e.Modifiers, e.Declared, e.Name)).ToList();
        return failed.Count == 0 ? null : CSharpEmitter.EmitStubs(model.Namespace, model.ContainingTypes.ToList(), model.Declaration, failed);
    }

    private static Shape ShapeOf(IEnumerable<string> dims) =>
        new(dims.Select(d => int.TryParse(d, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? Dim.Const(c) : Dim.Sym(d)));

    /// <summary>The spec method an entry names: among overloads, the one whose inputs are the entry's parameters.</summary>
    private static SpecMethod? FindSpec(ModelSpec model, EntrySpec e, List<DiagnosticInfo> diags)
    {
        var named = model.Methods.Where(m => m.Name == e.Spec).ToList();
        var tensors = named.Where(m => m.OtherReturnType is null).ToList();
        if (named.Count == 0)
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.SpecNotFound, e.SpecArgLocation, e.Name, e.Spec, model.ClassName));
        else if (tensors.Count == 0)
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.SpecNotTensor, e.SpecArgLocation, e.Spec, $"'{named[0].OtherReturnType}'"));
        else
            return tensors.FirstOrDefault(m => m.Inputs.Select(i => i.Name).SequenceEqual(e.ParamNames)) ?? tensors[0];
        return null;
    }

    private static string TypeOf(InputSpec i) => i.ScalarType ?? "Tensor";

    /// <summary>
    /// The most nodes a spec method may unroll to (its forward graph, before autodiff): beyond it, compile time and
    /// generated source grow past what a build should take (a 100-block transformer of width 64 is about 9,000).
    /// </summary>
    public const int MaxGraphNodes = 20_000;

    private static EntryProgram? CompileEntry(ModelSpec model, Instance root, List<ParamSlot> slots, EntrySpec e, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        var spec = FindSpec(model, e, diags);
        if (spec is null) return null;
        var inputNames = spec.Inputs.Select(i => i.Name).ToList();
        if (!e.ReturnTypeOk || !e.ParamNames.SequenceEqual(inputNames) || !e.ParamTypes.SequenceEqual(spec.Inputs.Select(TypeOf)))
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.SignatureMismatch, e.Location, e.Name,
                Declaration(e, spec), spec.Name));
            return null;
        }
        if (e.Kind == EntryKind.InputGradient && !spec.Inputs.Any(i => i.Name == e.Wrt && i.ScalarType is null))
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.WrtNotFound, e.WrtArgLocation ?? e.Location, e.Name, e.Wrt ?? "", spec.Name,
                string.Join(", ", spec.Inputs.Where(i => i.ScalarType is null).Select(i => i.Name))));
            return null;
        }
        if (e.ReturnArity != spec.TupleArity)
        {
            string what = e.Kind != EntryKind.Forward ? $"'{spec.Name}' returns a tuple of {spec.TupleArity} tensors, and a loss is one scalar: return the loss alone"
                : spec.TupleArity == 0 ? $"'{e.Name}' returns a tuple of {e.ReturnArity} tensors, and '{spec.Name}' returns one Tensor"
                : e.ReturnArity == 0 ? $"'{e.Name}' returns one Tensor, and '{spec.Name}' returns a tuple of {spec.TupleArity}: declare '({string.Join(", ", Enumerable.Repeat("Tensor", spec.TupleArity))}) {e.Name}(...)'"
                : $"'{e.Name}' returns a tuple of {e.ReturnArity} tensors, and '{spec.Name}' returns a tuple of {spec.TupleArity}";
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.TupleMismatch, e.Location, e.Name, what));
            return null;
        }
        if (spec.Body.Count == 0 || model.Diagnostics.Any(d => d.Id == "GN0016" && spec.Inputs.Any(i => i.Location == d.Location)))
            return null; // the body or an argument already has its diagnostic
        bool ok = true;
        foreach (var i in spec.Inputs.Where(i => !i.HasShape))
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.MissingShape, i.Location, i.Name, spec.Name));
            ok = false;
        }
        if (!ok) return null;

        var b = new GraphBuilder { Training = e.Training };
        var nodes = new Dictionary<string, Node>();
        foreach (var p in slots.Where(p => !nodes.ContainsKey(p.Graph))) // a duplicate field is the user's C# error
            nodes[p.Graph] = p.IsBuffer ? b.State(p.Graph, p.Shape) : b.Param(p.Graph, p.Shape);
        var args = spec.Inputs.Select(i => (Value)new TensorValue(i.ScalarType switch
        {
            null => b.Input(i.Name, ShapeOf(i.Shape)),
            "int" => b.CountInput(ScalarInput(i.Name), i.Name), // also a run-time length: for (int t = 0; t < steps; t++)
            _ => b.Input(ScalarInput(i.Name), new Shape(Array.Empty<Dim>())),
        })).ToList();
        var results = new List<Node>();
        var lowerer = new Lowerer(model, b, nodes, diags, ct);
        try
        {
            var v = lowerer.LowerMethod(root, spec, args);
            var parts = spec.TupleArity > 0 && v is ArrayValue arr ? arr.Items : new[] { v };
            if (spec.TupleArity > 0 && parts.Count != spec.TupleArity)
            {
                diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.TupleMismatch, spec.Location, spec.Name, $"it returns {Lowerer.Describe(v)} where a tuple of {spec.TupleArity} tensors is declared"));
                return null;
            }
            if (lowerer.Updates.Count > 0 && !e.Commits)
            {
                var (_, path, _, at) = lowerer.Updates[0];
                diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.Unsupported, at, spec.Name, $"an assignment to the field '{path}' in an entry declared [{AttributeOf(e.Kind)}]",
                    $"run the method through '[Update(nameof({spec.Name}))]', which computes the new values and then commits the assignments"));
                return null;
            }
            foreach (var (field, _, value, _) in lowerer.Updates) b.UpdateState(nodes[field], value);
            foreach (var part in parts)
            {
                if (part is not TensorValue and not ScalarValue and not DimValue)
                {
                    var at = spec.Body.OfType<ReturnStmt>().LastOrDefault()?.Location ?? spec.Location;
                    diags.Add(spec.TupleArity > 0
                        ? DiagnosticDescriptors.Info(DiagnosticDescriptors.TupleMismatch, at, spec.Name, $"an element of its tuple is {Lowerer.Describe(part)}, not a tensor")
                        : DiagnosticDescriptors.Info(DiagnosticDescriptors.SpecNotTensor, at, spec.Name, Lowerer.Describe(part)));
                    return null;
                }
                results.Add(OpLowering.AsTensor(b, part, spec.Name));
            }
        }
        catch (LoweringFailed)
        {
            return null;
        }
        if (b.Graph.Nodes.Count > MaxGraphNodes)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.ModelTooLarge, e.Location, e.Name,
                b.Graph.Nodes.Count.ToString(CultureInfo.InvariantCulture), MaxGraphNodes.ToString(CultureInfo.InvariantCulture)));
            return null;
        }
        // Values inside composite ops (attention scores, convolution windows) are checked too, not only the ops' results.
        if (b.Graph.Nodes.FirstOrDefault(n => n.Shape.Size.Coef > ModelParser.MaxElements) is { } huge)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.TooLarge, e.Location, e.Name, huge.Shape.ToString(), huge.Shape.Size.ToString(),
                ModelParser.MaxElements.ToString(CultureInfo.InvariantCulture)));
            return null;
        }
        if (e.Kind != EntryKind.Forward && results[0].Shape.Rank != 0)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.LossNotScalar, e.Location, e.Name, spec.Name, results[0].Shape.ToString()));
            return null;
        }
        if (spec.TupleArity > 0)
            for (int i = 0; i < results.Count; i++) b.Graph.SetOutput(OutputNames.ResultAt(i), results[i]);
        else b.Graph.SetOutput(OutputNames.Result, results[0]);
        List<ParamSlot>? trained = null;
        if (e.Trains is { } names)
        {
            var fields = names.Split(',').Select(n => n.Trim()).Where(n => n.Length > 0).ToList();
            trained = slots.Where(p => !p.IsBuffer && fields.Any(f => p.Path == f || p.Path.StartsWith(f + ".", StringComparison.Ordinal))).ToList();
            string? why = e.Kind != EntryKind.Train ? "Parameters is for [Train] entries"
                : fields.FirstOrDefault(f => !slots.Any(p => !p.IsBuffer && (p.Path == f || p.Path.StartsWith(f + ".", StringComparison.Ordinal)))) is { } missing
                    ? $"Parameters = \"{missing}\" names no [Param] field and no sub-module with parameters of '{model.ClassName}'" : null;
            if (why is not null)
            {
                diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidEntry, e.Location, e.Name, why));
                return null;
            }
        }
        EntryProgram program;
        try
        {
            program = ModelCompiler.Compile(e.Name, e.Kind, spec.Name, b.Graph, e.Wrt, ct: ct, trains: trained?.Select(p => p.Graph).ToList());
        }
        catch (ShapeError se) // what autodiff cannot derive (second order through a scan): an error on the entry
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidArgument, e.Location, e.Name, se.Message));
            return null;
        }
        var scalars = spec.Inputs.Where(i => i.ScalarType is not null).ToDictionary(i => ScalarInput(i.Name));
        var leafNames = slots.Where(p => p.Path != p.Graph).GroupBy(p => p.Graph).ToDictionary(g => g.Key, g => g.First().Path);
        foreach (var s in scalars) leafNames[s.Key] = s.Value.Name;
        return program with
        {
            Graph = e.Kind == EntryKind.Forward && !e.Commits ? GraphCodec.Encode(program.Schedule.Graph, leafNames) : null,
            Modifiers = e.Modifiers, Extra = e.Extra, ResultArity = spec.TupleArity, Trains = trained?.Select(p => p.Path).ToList(), ResultType = spec.TupleArity > 0 ? e.ReturnType : null,
            Inputs = program.Inputs.Select(i => scalars.TryGetValue(i.Name, out var s)
                ? i with { ScalarType = s.ScalarType, Argument = s.Name, BindsDim = s.ScalarType == "int" && UsesDim(program, s.Name) ? s.Name : null } : i).ToList(),
        };
    }

    /// <summary>Whether a compiled entry sizes anything by the dim <paramref name="symbol"/> (an int argument used as a length or a shape).</summary>
    private static bool UsesDim(EntryProgram program, string symbol)
    {
        bool Uses(Dim d) => d.SymbolList.Contains(symbol);
        bool InGraph(Graph g) => g.Nodes.Any(n => n.Shape.Dims.Any(Uses) || n.Op == OpKind.DimValue && Uses(n.Attrs.DimValue)
            || n.Attrs.Scan is { } scan && (Uses(scan.Length) || InGraph(scan.Body)));
        return InGraph(program.Schedule.Graph);
    }

    private static string AttributeOf(EntryKind kind) => kind switch
    {
        EntryKind.Forward => "Compile",
        EntryKind.LossAndGradients => "Gradients",
        EntryKind.InputGradient => "Gradient",
        _ => kind.ToString(),
    };

    /// <summary>The graph input that holds a scalar argument's value.</summary>
    private static string ScalarInput(string name) => "__s_" + name;

    /// <summary>The partial declaration an entry of this kind needs, for GN0008.</summary>
    private static string Declaration(EntrySpec e, SpecMethod spec)
    {
        string ret = e.Kind is EntryKind.LossAndGradients or EntryKind.Train ? "float"
            : spec.TupleArity > 0 && e.Kind == EntryKind.Forward ? "(" + string.Join(", ", Enumerable.Repeat("Tensor", spec.TupleArity)) + ")" : "Tensor";
        var args = spec.Inputs.Select(i => $"{TypeOf(i)} {i.Name}").ToList();
        if (e.Kind == EntryKind.Train) args.Add($"Optimizer {e.Extra}");
        if (e.Kind == EntryKind.HessianVectorProduct) args.Add($"Tensor {e.Extra}");
        return $"{e.Modifiers} partial {ret} {e.Name}({string.Join(", ", args)})";
    }
}
