using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace GraphNet.Generators;

/// <summary>A [Module] class after its own step: the generated part (null when none can be added) and its diagnostics.</summary>
public sealed record ParsedModule(string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics, EquatableArray<SourceSpan> Locations);

/// <summary>The module pipeline: each [Module] class is parsed once on its own, its problems reported there, and its part emitted.</summary>
public static class ModuleParser
{
    public static ParsedModule? Parse(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        var type = (INamedTypeSymbol)ctx.TargetSymbol;
        // [Module] on several partial declarations: the first one speaks for the class.
        var first = type.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == ModuleReader.ModuleAttribute && a.ApplicationSyntaxReference is not null)
            .Select(a => a.ApplicationSyntaxReference!).OrderBy(r => r.SyntaxTree.FilePath, StringComparer.Ordinal).ThenBy(r => r.Span.Start).FirstOrDefault();
        if (first is not null && !(first.SyntaxTree == ctx.TargetNode.SyntaxTree && ctx.TargetNode.Span.Contains(first.Span))) return null;
        string hint = ModelParser.HintName(type).Replace(".g.cs", ".Module.g.cs");
        var locs = new LocationTable();
        var diags = new List<DiagnosticInfo>();
        try
        {
            var (spec, _) = ModuleReader.ParseModule(ctx.SemanticModel.Compilation, type, locs, diags, ct);
            var (canAddPart, declaration, containing) = ModelParser.Declarations(type, ct);
            string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
            string? source = canAddPart && type.ContainingType is null ? ModuleEmitter.Emit(spec, ns, containing, declaration) : null;
            return new ParsedModule(hint, source, diags.ToEquatable(), locs.ToEquatable());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InternalError, locs.Add(type.Locations[0]), type.Name, e.GetType().Name + ": " + e.Message));
            return new ParsedModule(hint, null, diags.ToEquatable(), locs.ToEquatable());
        }
    }
}
