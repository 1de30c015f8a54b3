using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using GraphNet.Compiler;

namespace GraphNet.Generators;

/// <summary>
/// The expensive step after the equatable checkpoint: check entry points against their spec
/// methods, lower, compile (autodiff, passes, schedule) and emit. Never throws to Roslyn.
/// </summary>
public static class ModelCompilation
{
    public static CompiledModel Compile(ModelSpec model, CancellationToken ct)
    {
        var hint = (model.Namespace is null ? "" : model.Namespace + ".") + string.Concat(model.ContainingTypes.Select(t => t.Split(' ').Last() + ".")) + model.MetadataName.Replace('`', '_') + ".g.cs";
        var diags = new List<DiagnosticInfo>(model.Diagnostics);
        try
        {
            if (model.Diagnostics.Any(d => d.Id is "GN0001" or "GN9001")) return new CompiledModel(hint, null, diags.ToEquatable());
            var entries = model.Entries.Select(e => CompileEntry(model, e, diags, ct)).ToList();
            ParamDecl Decl(ParamSpec p) => new(p.Name, ShapeOf(p.Shape), "global::GraphNet.Init." + p.Init);
            var ps = model.Params.Where(p => !p.IsBuffer).Select(Decl).ToList();
            var program = new ModelProgram(model.Namespace, model.ContainingTypes.ToList(), model.ClassName, ps, entries.OfType<EntryProgram>().ToList())
            {
                Buffers = model.Params.Where(p => p.IsBuffer).Select(Decl).ToList(),
            };
            var source = CSharpEmitter.EmitModel(program);
            var failed = model.Entries.Where((_, i) => entries[i] is null).ToList();
            if (failed.Count > 0) source = AppendFailedEntries(source, model, failed);
            return new CompiledModel(hint, source, diags.ToEquatable());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InternalError, model.Entries.FirstOrDefault()?.Location, model.ClassName, e.GetType().Name + ": " + e.Message));
            return new CompiledModel(hint, null, diags.ToEquatable());
        }
    }

    private static Shape ShapeOf(IEnumerable<string> dims) =>
        new(dims.Select(d => int.TryParse(d, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? Dim.Const(c) : Dim.Sym(d)));

    private static EntryProgram? CompileEntry(ModelSpec model, EntrySpec e, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        var spec = model.Methods.FirstOrDefault(m => m.Name == e.Spec);
        if (spec is null)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.SpecNotFound, e.SpecArgLocation, e.Name, e.Spec, model.ClassName));
            return null;
        }
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
        bool ok = true;
        foreach (var i in spec.Inputs.Where(i => !i.HasShape))
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.MissingShape, i.Location, i.Name, spec.Name));
            ok = false;
        }
        if (!ok) return null;

        var b = new GraphBuilder { Training = e.Training };
        var ps = model.Params.ToDictionary(p => p.Name, p => p.IsBuffer ? b.State(p.Name, ShapeOf(p.Shape)) : b.Param(p.Name, ShapeOf(p.Shape)));
        var args = spec.Inputs.Select(i => (Value)new TensorValue(b.Input(i.Name, ShapeOf(i.Shape)))).ToList();
        Node result;
        try
        {
            var v = new Lowerer(model, b, ps, diags, ct).LowerMethod(spec, args);
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

    /// <summary>The partial declaration an entry of this kind needs, for GN0008 and for the bodies of failed entries.</summary>
    private static string Declaration(EntrySpec e, IEnumerable<string> inputs, string tensor, string optimizer)
    {
        string ret = e.Kind is EntryKind.LossAndGradients or EntryKind.Train ? "float" : tensor;
        var args = inputs.Select(n => $"{tensor} {n}").ToList();
        if (e.Kind == EntryKind.Train) args.Add($"{optimizer} {e.Extra}");
        if (e.Kind == EntryKind.HessianVectorProduct) args.Add($"{tensor} {e.Extra}");
        return $"{e.Modifiers} partial {ret} {e.Name}({string.Join(", ", args)})";
    }

    /// <summary>Entry points that failed to compile get a body too, so the only errors the user sees are the GN ones.</summary>
    private static string AppendFailedEntries(string source, ModelSpec model, List<EntrySpec> failed)
    {
        var w = new CodeWriter();
        if (model.Namespace is { } ns) w.Line($"namespace {ns}").Line("{");
        var closers = model.ContainingTypes.Select(t => w.Block(t)).ToList();
        using (w.Block($"partial class {model.ClassName}"))
        {
            foreach (var e in failed)
            {
                w.Line($"{e.Modifiers} partial {e.Declared} =>");
                w.Line($"    throw new global::System.InvalidOperationException(\"GraphNet could not compile '{e.Name}'; see the GN diagnostics of this build.\");");
            }
        }
        for (int i = closers.Count - 1; i >= 0; i--) closers[i].Dispose();
        if (model.Namespace is not null) w.Line("}");
        return source.Replace("namespace " + model.Namespace + ";", "namespace " + model.Namespace + "\n{") + (model.Namespace is null ? "" : "}\n") + w;
    }
}
