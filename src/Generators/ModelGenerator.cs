using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphNet.Generators;

/// <summary>
/// Finds [Model] classes, parses each into an equatable <see cref="ModelSpec"/>, compiles it
/// (lower to IR, autodiff, passes, schedule, emit C#), and adds the source and the diagnostics
/// through separate outputs. Entry-point attributes outside a [Model] class get GN0019.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    public const string ModelAttribute = "GraphNet.ModelAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(ModelAttribute, static (node, _) => node is ClassDeclarationSyntax, ModelParser.Parse)
            .Where(static p => p is not null)
            .Select(static (p, _) => p!)
            .WithTrackingName(TrackingNames.Parse);

        // The spec alone (no source positions): a comment or a blank line leaves it equal, so the compile step stays cached.
        // A model also gets its device runner when the assembly references the GPU backend (a CPU-only one references no ILGPU).
        var gpu = context.CompilationProvider.Select(static (c, _) => c.ReferencedAssemblyNames.Any(a => a.Name == "GraphNet.Gpu"));
        var compiled = parsed
            .Select(static (p, _) => p.Spec)
            .Combine(gpu)
            .Select(static (pair, ct) => ModelCompilation.Compile(pair.Left, ct, pair.Right))
            .WithTrackingName(TrackingNames.Compile);

        var sources = compiled
            .Select(static (c, _) => (c.HintName, c.Source))
            .WithTrackingName(TrackingNames.Source);
        context.RegisterSourceOutput(sources, static (spc, s) =>
        {
            if (s.Source is not null) spc.AddSource(s.HintName, s.Source);
        });

        // Diagnostics name places by number; the current parse's table turns the numbers into positions.
        var diagnostics = compiled
            .Select(static (c, _) => (c.HintName, c.Diagnostics))
            .Collect()
            .Combine(parsed.Select(static (p, _) => (p.Spec.HintName, p.Locations)).Collect())
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, pair) =>
        {
            var tables = new Dictionary<string, EquatableArray<SourceSpan>>();
            foreach (var (hint, locations) in pair.Right) tables[hint] = locations;
            foreach (var (hint, ds) in pair.Left)
            {
                var table = tables.TryGetValue(hint, out var t) ? t : EquatableArray<SourceSpan>.Empty;
                foreach (var d in ds) spc.ReportDiagnostic(DiagnosticDescriptors.Create(d, table));
            }
        });

        // Modules: each one's part (its stored spec, its Bind) and its own diagnostics, once per module.
        var modules = context.SyntaxProvider
            .ForAttributeWithMetadataName(ModuleReader.ModuleAttribute, static (node, _) => node is ClassDeclarationSyntax, ModuleParser.Parse)
            .Where(static p => p is not null)
            .Select(static (p, _) => p!)
            .WithTrackingName(TrackingNames.Module);
        context.RegisterSourceOutput(modules, static (spc, m) =>
        {
            if (m.Source is not null) spc.AddSource(m.HintName, m.Source);
            foreach (var d in m.Diagnostics) spc.ReportDiagnostic(DiagnosticDescriptors.Create(d, m.Locations));
        });

        var orphans = ModelParser.EntryAttributes
            .Select(a => context.SyntaxProvider.ForAttributeWithMetadataName(a, static (node, _) => node is MethodDeclarationSyntax, OrphanEntries.Parse).Collect())
            .Aggregate((IncrementalValueProvider<ImmutableArray<OrphanEntry?>>?)null, (all, next) => all is null ? next
                : all.Value.Combine(next).Select(static (p, _) => p.Left.AddRange(p.Right)))!.Value;
        context.RegisterSourceOutput(orphans, static (spc, entries) => OrphanEntries.Report(spc, entries));
    }
}
