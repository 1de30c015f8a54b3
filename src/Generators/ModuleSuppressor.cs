using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GraphNet.Generators;

/// <summary>
/// Silences the C# warnings that a [Module] class's natural form would raise: its [Param] and [Buffer] fields are
/// bound to the model's tensors by the generated part (never null when a spec method runs: CS8618), and its primary
/// constructor's arguments are read by GraphNet at build time even when the C# body uses them only in
/// <c>nameof</c> (CS9113).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModuleSuppressor : DiagnosticSuppressor
{
    private static readonly SuppressionDescriptor BoundField = new("GNS0001", "CS8618",
        "GraphNet binds the [Param] and [Buffer] fields of a [Module] to the tensors of the model that holds it");

    private static readonly SuppressionDescriptor ConfigArgument = new("GNS0002", "CS9113",
        "GraphNet reads a [Module]'s constructor arguments at build time (parameter shapes, sub-module sizes)");

    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions => ImmutableArray.Create(BoundField, ConfigArgument);

    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        foreach (var d in context.ReportedDiagnostics)
        {
            if (d.Location.SourceTree is not { } tree) continue;
            var node = tree.GetRoot(context.CancellationToken).FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true);
            var model = context.GetSemanticModel(tree);
            if (d.Id == "CS8618")
            {
                var declarator = node.AncestorsAndSelf().OfType<VariableDeclaratorSyntax>().FirstOrDefault();
                if (declarator is not null && model.GetDeclaredSymbol(declarator, context.CancellationToken) is IFieldSymbol f
                    && ModuleReader.IsModule(f.ContainingType)
                    && f.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is "GraphNet.ParamAttribute" or "GraphNet.BufferAttribute"))
                    context.ReportSuppression(Suppression.Create(BoundField, d));
            }
            else if (d.Id == "CS9113")
            {
                var parameter = node.AncestorsAndSelf().OfType<ParameterSyntax>().FirstOrDefault();
                if (parameter is not null && model.GetDeclaredSymbol(parameter, context.CancellationToken) is IParameterSymbol p
                    && p.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } ctor && ModuleReader.IsModule(ctor.ContainingType))
                    context.ReportSuppression(Suppression.Create(ConfigArgument, d));
            }
        }
    }
}
