using System.Collections.Immutable;
using System.Linq;
using GraphNet.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GraphNet.Tests.Generator;

/// <summary>Runs the generator in memory over user source, as the compiler would.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions Parse = new(LanguageVersion.Preview);

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create("UserModels", sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, Parse, path: $"Model{i}.cs")),
            Harness.References(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
        new[] { new ModelGenerator().AsSourceGenerator() }, parseOptions: Parse,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Generator diagnostics, generated sources, and the errors of the compilation with the generated code added.</summary>
    public static (ImmutableArray<Diagnostic> Generator, string[] Sources, Diagnostic[] CompileErrors) Run(params string[] sources)
    {
        var driver = Driver().RunGeneratorsAndUpdateCompilation(Compilation(sources), out var output, out var diags);
        var result = driver.GetRunResult();
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        return (diags, result.GeneratedTrees.Select(t => t.ToString()).ToArray(), errors);
    }

    public const string Usings = "using GraphNet;\nusing static GraphNet.Ops;\n";
}
