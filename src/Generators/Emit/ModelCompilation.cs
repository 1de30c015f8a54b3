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

    public static CompiledModel Compile(ModelSpec model, CancellationToken ct) => OnLargeStack(() => CompileCore(model, ct));

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

    private static CompiledModel CompileCore(ModelSpec model, CancellationToken ct)
    {
        var diags = new List<DiagnosticInfo>(model.Diagnostics);
        try
        {
            if (model.Diagnostics.Any(d => d.Id is "GN0001" or "GN0013" or "GN0014" or "GN9001"))
                return new CompiledModel(model.HintName, Stubs(model, model.Entries), diags.ToEquatable());
            var entries = model.Entries.Select(e => e.Invalid ? null : CompileEntry(model, e, diags, ct)).ToList();
            ParamDecl Decl(ParamSpec p) => new(p.Name, ShapeOf(p.Shape), "global::GraphNet.Init." + p.Init);
            var ps = model.Params.Where(p => !p.IsBuffer && !p.IsBroken).Select(Decl).ToList();
            var failed = model.Entries.Where((e, i) => entries[i] is null && e.Implementable).Select(e => new FailedEntry(e.Modifiers, e.Declared, e.Name)).ToList();
            var program = new ModelProgram(model.Namespace, model.ContainingTypes.ToList(), Identifiers.Escape(model.ClassName), ps, entries.OfType<EntryProgram>().ToList())
            {
                Declaration = model.Declaration,
                Buffers = model.Params.Where(p => p.IsBuffer && !p.IsBroken).Select(Decl).ToList(),
                FailedEntries = failed,
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

    private static EntryProgram? CompileEntry(ModelSpec model, EntrySpec e, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        var spec = FindSpec(model, e, diags);
        if (spec is null) return null;
        var inputNames = spec.Inputs.Select(i => i.Name).ToList();
        if (!e.ReturnTypeOk || !e.ParamNames.SequenceEqual(inputNames))
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.SignatureMismatch, e.Location, e.Name,
                Declaration(e, inputNames, "Tensor", "Optimizer"), spec.Name));
            return null;
        }
        if (e.Kind == EntryKind.InputGradient && !inputNames.Contains(e.Wrt ?? ""))
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.WrtNotFound, e.WrtArgLocation ?? e.Location, e.Name, e.Wrt ?? "", spec.Name, string.Join(", ", inputNames)));
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
        var ps = new Dictionary<string, Node>();
        foreach (var p in model.Params.Where(p => !p.IsBroken && !ps.ContainsKey(p.Name))) // a duplicate field is the user's C# error
            ps[p.Name] = p.IsBuffer ? b.State(p.Name, ShapeOf(p.Shape)) : b.Param(p.Name, ShapeOf(p.Shape));
        var args = spec.Inputs.Select(i => (Value)new TensorValue(b.Input(i.Name, ShapeOf(i.Shape)))).ToList();
        Node result;
        try
        {
            var v = new Lowerer(model, b, ps, diags, ct).LowerMethod(spec, args);
            if (v is not TensorValue and not ScalarValue and not DimValue)
            {
                diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.SpecNotTensor, spec.Body[spec.Body.Count - 1].Location, spec.Name, Describe(v)));
                return null;
            }
            result = OpLowering.AsTensor(b, v, spec.Name);
        }
        catch (LoweringFailed)
        {
            return null;
        }
        if (e.Kind != EntryKind.Forward && result.Shape.Rank != 0)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.LossNotScalar, e.Location, e.Name, spec.Name, result.Shape.ToString()));
            return null;
        }
        b.Graph.SetOutput(OutputNames.Result, result);
        return ModelCompiler.Compile(e.Name, e.Kind, spec.Name, b.Graph, e.Wrt, ct: ct) with { Modifiers = e.Modifiers, Extra = e.Extra };
    }

    private static string Describe(Value v) => v switch
    {
        NullValue => "null",
        BoolValue => "a bool",
        StringValue => "a string",
        ArrayValue => "an array",
        _ => "a value that is not a tensor",
    };

    /// <summary>The partial declaration an entry of this kind needs, for GN0008.</summary>
    private static string Declaration(EntrySpec e, IEnumerable<string> inputs, string tensor, string optimizer)
    {
        string ret = e.Kind is EntryKind.LossAndGradients or EntryKind.Train ? "float" : tensor;
        var args = inputs.Select(n => $"{tensor} {n}").ToList();
        if (e.Kind == EntryKind.Train) args.Add($"{optimizer} {e.Extra}");
        if (e.Kind == EntryKind.HessianVectorProduct) args.Add($"{tensor} {e.Extra}");
        return $"{e.Modifiers} partial {ret} {e.Name}({string.Join(", ", args)})";
    }
}
