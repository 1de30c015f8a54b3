using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphNet.Generators;

/// <summary>
/// Finds [Model] classes, parses each into an equatable <see cref="ModelSpec"/>, compiles it
/// (lower to IR, autodiff, passes, schedule, emit C#), and adds the source and the diagnostics
/// through separate outputs.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    public const string ModelAttribute = "GraphNet.ModelAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(ModelAttribute, static (node, _) => node is ClassDeclarationSyntax, ModelParser.Parse)
            .WithTrackingName(TrackingNames.Parse);

        var compiled = models
            .Select(static (model, ct) => ModelCompilation.Compile(model, ct))
            .WithTrackingName(TrackingNames.Compile);

        var sources = compiled
            .Select(static (c, _) => (c.HintName, c.Source))
            .WithTrackingName(TrackingNames.Source);
        context.RegisterSourceOutput(sources, static (spc, s) =>
        {
            if (s.Source is not null) spc.AddSource(s.HintName, s.Source);
        });

        var diagnostics = compiled
            .Select(static (c, _) => c.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, ds) =>
        {
            foreach (var d in ds) spc.ReportDiagnostic(DiagnosticDescriptors.Create(d));
        });
    }
}
