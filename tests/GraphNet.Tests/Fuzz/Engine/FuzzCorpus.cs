using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphNet.Tests.Fuzz;

/// <summary>One [Model] class of the repository as a compilation unit of its own: the fuzzer mutates it.</summary>
public sealed record Seed(string Name, string Source);

/// <summary>
/// The fuzzer's corpus: every [Model] class under samples/ and tests/GraphNet.Models.Tests/ (with the [Module]
/// classes of its file), and the model strings of the generator's snapshot tests, each with the usings it needs
/// and in the global namespace. Library modules (GraphNet.Layers) come in as a referenced assembly.
/// </summary>
public static class FuzzCorpus
{
    public const string Usings = "using GraphNet;\nusing static GraphNet.Ops;\n";

    private static readonly string[] SourceFolders = ["samples", "tests/GraphNet.Models.Tests"];
    private const string SnapshotModels = "tests/GraphNet.Tests/Generator/SnapshotModels.cs";

    /// <summary>The folder holding GraphNet.sln, found by walking up from the running assembly.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GraphNet.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No GraphNet.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>All seeds, ordered by name so that a run seed means the same mutants everywhere.</summary>
    public static IReadOnlyList<Seed> Load(string root)
    {
        var seeds = new List<Seed>();
        foreach (var folder in SourceFolders)
        {
            var files = Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsBuildOutput(Path.GetRelativePath(root, f)));
            foreach (var file in files)
                seeds.AddRange(FromSource(Path.GetRelativePath(root, file).Replace('\\', '/'), File.ReadAllText(file)));
        }
        seeds.AddRange(FromSnapshotModels(File.ReadAllText(Path.Combine(root, SnapshotModels))));
        return seeds.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    private static bool IsBuildOutput(string relative) =>
        relative.Replace('\\', '/').Split('/').Any(part => part is "bin" or "obj");

    /// <summary>The model strings are const string fields; their literals hold whole files.</summary>
    private static IEnumerable<Seed> FromSnapshotModels(string text)
    {
        var root = CSharpSyntaxTree.ParseText(text).GetRoot();
        foreach (var field in root.DescendantNodes().OfType<FieldDeclarationSyntax>().Where(f => f.Modifiers.Any(SyntaxKind.ConstKeyword)))
            foreach (var variable in field.Declaration.Variables)
                foreach (var literal in variable.DescendantNodes().OfType<LiteralExpressionSyntax>().Where(l => l.IsKind(SyntaxKind.StringLiteralExpression)))
                    foreach (var seed in FromSource("SnapshotModels." + variable.Identifier.Text, literal.Token.ValueText))
                        yield return seed;
    }

    private static IEnumerable<Seed> FromSource(string name, string text)
    {
        var root = CSharpSyntaxTree.ParseText(text, FuzzOracle.ParseOptions).GetCompilationUnitRoot();
        var usings = root.Usings
            .Where(u => u.Name?.ToString() is { } n && (n == "GraphNet" || n.StartsWith("GraphNet.", StringComparison.Ordinal) || n == "System" || n.StartsWith("System.", StringComparison.Ordinal)))
            .Select(u => u.ToString() + "\n")
            .Where(u => !Usings.Contains(u, StringComparison.Ordinal));
        string header = Usings + string.Concat(usings);
        // The [Module] classes of the file come with each of its models: the fuzzer mutates modules too.
        string modules = string.Concat(root.DescendantNodes().OfType<ClassDeclarationSyntax>().Where(IsModule).Select(m => m.ToString() + "\n"));
        foreach (var model in root.DescendantNodes().OfType<ClassDeclarationSyntax>().Where(IsModel))
            yield return new Seed($"{name}:{model.Identifier.Text}", header + modules + model.ToString() + "\n");
    }

    public static bool IsModule(ClassDeclarationSyntax c) =>
        c.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is "Module" or "ModuleAttribute" or "GraphNet.Module" or "GraphNet.ModuleAttribute");

    public static bool IsModel(ClassDeclarationSyntax c) =>
        c.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is "Model" or "ModelAttribute" or "GraphNet.Model" or "GraphNet.ModelAttribute");
}
