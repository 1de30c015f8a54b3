using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using GraphNet.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphNet.Generators;

/// <summary>An entry-point method in a class that is not a [Model]: GN0019, and a body that throws so the build shows only that.</summary>
public sealed record OrphanEntry(
    string HintName, string? Namespace, EquatableArray<string> ContainingTypes, string Declaration, bool CanAddPart,
    string Method, string Attribute, string ClassName, FailedEntry Stub, bool Implementable, SourceSpan Location)
{
    /// <summary>The class is a [Module]: the module's own step reports GN0024; here the method only gets its throwing body.</summary>
    public bool InModule { get; init; }
}

/// <summary>Finds entry-point attributes outside [Model] classes.</summary>
public static class OrphanEntries
{
    public static OrphanEntry? Parse(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        if (ctx.TargetSymbol is not IMethodSymbol m || m.ContainingType is not { } type) return null;
        if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ModelGenerator.ModelAttribute)) return null;
        var (canAddPart, declaration, containing) = ModelParser.Declarations(type, ct);
        canAddPart &= type.TypeKind == TypeKind.Class && !type.IsStatic;
        var syntax = (MethodDeclarationSyntax)ctx.TargetNode;
        var mods = string.Join(" ", syntax.Modifiers.Where(t => !t.IsKind(SyntaxKind.PartialKeyword)).Select(t => t.Text));
        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        string attr = ctx.Attributes[0].AttributeClass?.Name ?? "";
        if (attr.EndsWith("Attribute", System.StringComparison.Ordinal)) attr = attr.Substring(0, attr.Length - "Attribute".Length);
        return new OrphanEntry(ModelParser.HintName(type).Replace(".g.cs", ".Entries.g.cs"), ns, containing.ToEquatable(), declaration, canAddPart,
            m.Name, attr, type.Name, new FailedEntry(mods, ModelParser.Declaration(m), m.Name),
            m.IsPartialDefinition && m.PartialImplementationPart is null && !m.IsGenericMethod, SourceSpan.From(syntax.Identifier.GetLocation()))
        { InModule = ModuleReader.IsModule(type) };
    }

    public static void Report(SourceProductionContext spc, ImmutableArray<OrphanEntry?> entries)
    {
        foreach (var cls in entries.OfType<OrphanEntry>().GroupBy(e => e.HintName))
        {
            var methods = cls.GroupBy(e => e.Location).Select(g => g.First()).ToList(); // a method with two entry attributes counts once
            foreach (var e in methods.Where(e => !e.InModule))
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingModel, e.Location.ToLocation(), e.Method, e.Attribute, e.ClassName));
            var first = methods[0];
            var stubs = methods.Where(e => e.Implementable).Select(e => e.Stub).ToList();
            if (first.CanAddPart && stubs.Count > 0)
                spc.AddSource(cls.Key, CSharpEmitter.EmitStubs(first.Namespace, first.ContainingTypes.ToList(), first.Declaration, stubs));
        }
    }
}
