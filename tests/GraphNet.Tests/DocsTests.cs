using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using GraphNet.Tests.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace GraphNet.Tests;

/// <summary>
/// Every <c>```csharp</c> block of the guide (docs/guide/*.md) is compiled with the generator, so the guide cannot drift
/// from the API. The rules:
/// <list type="bullet">
/// <item>All blocks of one page form one compilation, referencing the runtime, the layers, GraphNet.Gpu, GraphNet.Console
/// (with ScottPlot and Spectre.Console) and ONNX Runtime.</item>
/// <item>Each block is its own syntax tree, with <see cref="DefaultUsings"/> before it (a reader's project has the SDK's
/// implicit usings; the guide's README says which GraphNet ones the blocks assume). The block's own <c>using</c>
/// directives stay at the top of its tree; its type declarations stay as they are; its statements go into a static
/// method of their own. So a block of statements is self-contained, or uses types declared in the page's other blocks.</item>
/// <item>A fence <c>```csharp GN0004</c> marks a block that must produce exactly that generator diagnostic and nothing
/// else; it is compiled on its own.</item>
/// <item>Any other generator diagnostic (warnings included) or compile error fails the test, named by page and line
/// (<c>#line</c> maps the trees back to the page). Blocks in other languages (<c>```bash</c>, <c>```text</c>) are not compiled.</item>
/// <item>Each page must have at least one C# block, so a broken extractor cannot pass by finding none.</item>
/// </list>
/// </summary>
public class DocsTests
{
    public static readonly string[] DefaultUsings =
    {
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Threading.Tasks",
        "GraphNet", "GraphNet.Data", "GraphNet.Layers", "static GraphNet.Ops",
    };

    /// <summary>One fenced C# block: where it starts (the line after the fence, 1-based), its text, and the diagnostic it expects.</summary>
    public sealed record Block(int Line, string Code, string? ExpectedId);

    public static string GuideFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GraphNet.sln")))
                return Path.Combine(dir.FullName, "docs", "guide");
        throw new DirectoryNotFoundException($"No GraphNet.sln above {AppContext.BaseDirectory}.");
    }

    public static string[] PageNames() =>
        Directory.GetFiles(GuideFolder(), "*.md").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    public static TheoryData<string> Pages() => new(PageNames());

    /// <summary>The fenced blocks whose info string starts with "csharp"; a second word is the diagnostic id the block must produce.</summary>
    public static List<Block> Extract(string markdown, string page)
    {
        var blocks = new List<Block>();
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].TrimStart();
            if (!fence.StartsWith("```", StringComparison.Ordinal)) continue;
            int indent = lines[i].Length - fence.Length;
            var info = fence[3..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int end = i + 1;
            while (end < lines.Length && lines[end].Trim() != "```") end++;
            Assert.True(end < lines.Length, $"{page}:{i + 1}: the code fence is not closed.");
            if (info.Length > 0 && info[0] == "csharp")
            {
                var code = string.Join("\n", lines[(i + 1)..end].Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
                blocks.Add(new Block(i + 2, code, info.Length > 1 ? info[1] : null));
            }
            i = end;
        }
        return blocks;
    }

    [Fact]
    public void The_guide_has_its_pages()
    {
        var pages = PageNames();
        foreach (var page in new[] { "README.md", "getting-started.md", "modules.md", "entries.md", "devices.md", "checkpoints-and-interop.md", "diagnostics.md" })
            Assert.Contains(page, pages);
    }

    [Fact]
    public void The_diagnostics_page_links_every_diagnostic()
    {
        var page = File.ReadAllText(Path.Combine(GuideFolder(), "diagnostics.md"));
        foreach (var id in GraphNet.Generators.DiagnosticDescriptors.ById.Keys)
            Assert.Contains($"[{id}](../diagnostics/{id}.md)", page);
    }

    [Fact]
    public void The_extractor_finds_csharp_blocks_and_their_expected_diagnostics()
    {
        var blocks = Extract("text\n```csharp\nvar a = 1;\n```\n```bash\nls\n```\n  ```csharp GN0004\n  int b;\n  ```\n", "x.md");
        Assert.Equal(new[] { new Block(3, "var a = 1;", null), new Block(9, "int b;", "GN0004") }, blocks);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_csharp_block_compiles(string page)
    {
        var blocks = Extract(File.ReadAllText(Path.Combine(GuideFolder(), page)), page);
        if (page == "README.md" && blocks.Count == 0) return; // the index links the pages; it may hold no code
        Assert.True(blocks.Count > 0, $"{page} has no ```csharp block: the extractor or the page is broken.");
        var failures = new List<string>();
        var plain = blocks.Where(b => b.ExpectedId is null).ToList();
        if (plain.Count > 0)
        {
            var (generator, errors) = Compile(page, plain);
            failures.AddRange(generator.Concat(errors).Select(f => f.ToString()));
        }
        foreach (var block in blocks.Where(b => b.ExpectedId is not null))
        {
            var (generator, errors) = Compile(page, new[] { block });
            if (generator.Length != 1 || generator[0].Id != block.ExpectedId || errors.Length > 0)
                failures.Add($"{page}:{block.Line}: expected exactly {block.ExpectedId}, got " +
                    (generator.Length + errors.Length == 0 ? "nothing" : string.Join("; ", generator.Concat(errors))));
            else if (generator[0].Path != page || generator[0].Line < block.Line || generator[0].Line >= block.Line + block.Code.Split('\n').Length)
                failures.Add($"{page}:{block.Line}: {block.ExpectedId} is reported at {generator[0].Path}:{generator[0].Line}, outside the block.");
        }
        Assert.True(failures.Count == 0, $"{page}: {blocks.Count} C# blocks, {failures.Count} problems:\n" + string.Join("\n", failures));
    }

    /// <summary>Runs the generator over the blocks and returns its diagnostics and the compilation's errors, each with its place on the page.</summary>
    private static (Finding[] Generator, Finding[] Errors) Compile(string page, IReadOnlyList<Block> blocks)
    {
        var trees = blocks.Select((b, i) => CSharpSyntaxTree.ParseText(Tree(page, b, i), GeneratorHarness.Parse, path: $"{page}#{b.Line}.cs", encoding: Encoding.UTF8)).ToArray();
        var compilation = CSharpCompilation.Create("Docs_" + Path.GetFileNameWithoutExtension(page).Replace('-', '_'), trees, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generator);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);
        return (generator.Select(d => Find(d, trees)).ToArray(), errors.Select(d => Find(d, trees)).ToArray());
    }

    /// <summary>A diagnostic and where it is: a page and line through the trees' <c>#line</c> directives, or a generated file.</summary>
    public sealed record Finding(string Id, string Message, string Path, int Line)
    {
        public override string ToString() => $"{Path}:{Line}: {Id} {Message}";
    }

    /// <summary>
    /// Maps a diagnostic to the page. The generator's diagnostics point into the files by position, not through the
    /// tree (they ignore <c>#line</c>), so their position is mapped through the tree of the same path here.
    /// </summary>
    private static Finding Find(Diagnostic d, SyntaxTree[] trees)
    {
        var at = d.Location.GetLineSpan();
        var mapped = trees.FirstOrDefault(t => t.FilePath == at.Path) is { } tree ? tree.GetMappedLineSpan(d.Location.SourceSpan) : at;
        return new Finding(d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), mapped.Path, mapped.StartLinePosition.Line + 1);
    }

    /// <summary>
    /// The tree of one block: the default usings, the block's usings, its statements in a static method, its other
    /// members as written; <c>#line</c> directives map each piece to its line on the page.
    /// </summary>
    private static string Tree(string page, Block block, int index)
    {
        var parsed = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(block.Code, GeneratorHarness.Parse).GetRoot();
        var sb = new StringBuilder();
        foreach (var u in DefaultUsings) sb.Append("using ").Append(u).Append(";\n");
        string At(SyntaxNode node) => $"#line {block.Line + parsed.SyntaxTree.GetLineSpan(node.FullSpan).StartLinePosition.Line} \"{page}\"\n";
        foreach (var u in parsed.Usings) sb.Append(At(u)).Append(u.ToFullString()).Append('\n');
        var statements = parsed.Members.OfType<GlobalStatementSyntax>().ToList();
        if (statements.Count > 0)
        {
            bool awaits = statements.Any(s => s.DescendantNodes().OfType<AwaitExpressionSyntax>().Any());
            sb.Append("#line default\n")
              .Append($"static class DocsBlock{index}_Line{block.Line}\n{{\n    static {(awaits ? "async Task" : "void")} Run()\n    {{\n");
            foreach (var s in statements) sb.Append(At(s)).Append(s.Statement.ToFullString()).Append('\n');
            sb.Append("#line default\n    }\n}\n");
        }
        foreach (var m in parsed.Members.Where(m => m is not GlobalStatementSyntax)) sb.Append(At(m)).Append(m.ToFullString()).Append('\n');
        return sb.ToString();
    }

    private static IEnumerable<MetadataReference> References() => Harness.References(gpu: true).Concat(new[]
    {
        typeof(GraphNet.Terminal.TrainingProgress).Assembly.Location, typeof(ScottPlot.Plot).Assembly.Location,
        typeof(Spectre.Console.IAnsiConsole).Assembly.Location, typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.Location,
    }.Select(p => MetadataReference.CreateFromFile(p)));
}
