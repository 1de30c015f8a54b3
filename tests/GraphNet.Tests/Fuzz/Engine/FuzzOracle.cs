using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using GraphNet.Compiler;
using GraphNet.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphNet.Tests.Fuzz;

/// <summary>Classifies what the generator does with one source file.</summary>
public interface IOracle
{
    Verdict Classify(string source);
}

/// <summary>
/// Runs a generator in memory over one source file, as the compiler would, and classifies the result.
/// Metadata references are loaded once per process; each call is independent and thread-safe.
/// A generator that ignores cancellation leaves its thread running: run this in a worker process
/// (<see cref="OraclePool"/>) when that matters.
/// </summary>
public sealed class FuzzOracle : IOracle
{
    public const string UserFile = "Mutant.cs";

    /// <summary>How a hang verdict starts when the generator's thread is still running: only a new process stops it.</summary>
    public const string IgnoredCancellation = "generator ignored cancellation";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    // Nullable analysis only ever warns, and it is most of the time spent binding the generated code.
    private static readonly CSharpParseOptions CompileParseOptions = ParseOptions.WithFeatures([new("run-nullable-analysis", "never")]);

    private static readonly CSharpCompilationOptions CompilationOptions =
        new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false);

    private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);

    private static readonly string[] EntryAttributes = ["Compile", "Gradients", "Gradient", "Train", "HessianVectorProduct", "Hessian"];

    private readonly Func<IIncrementalGenerator> _generator;

    public FuzzOracle(TimeSpan limit, Func<IIncrementalGenerator>? generator = null)
    {
        Limit = limit;
        _generator = generator ?? (() => new ModelGenerator());
    }

    /// <summary>How long the generator may run, and then, separately, how long compiling its output may take.</summary>
    public TimeSpan Limit { get; }

    private static MetadataReference[] LoadReferences()
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return tpa.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Concat([typeof(Tensor).Assembly.Location, typeof(GraphBuilder).Assembly.Location, typeof(GraphNet.Layers.Linear).Assembly.Location])
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    }

    public Verdict Classify(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(source, CompileParseOptions, path: UserFile);
        var input = CSharpCompilation.Create("FuzzModels", [tree], References.Value, CompilationOptions);

        using var cts = new CancellationTokenSource(Limit);
        var generation = StartOnOwnThread(() => Generate(input, cts.Token));
        try
        {
            // A generator that ignores its token is caught by waiting with a timeout; its thread is abandoned.
            if (!generation.Wait(Limit + TimeSpan.FromSeconds(1)))
                return Verdict.Of(Outcome.Hang, $"{IgnoredCancellation} and ran past {Limit.TotalSeconds:0.#} s");
        }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException)
        {
            return Verdict.Of(Outcome.Hang, $"generator ran past {Limit.TotalSeconds:0.#} s");
        }
        catch (AggregateException e)
        {
            return Thrown(e.InnerException!, []);
        }
        var (output, diagnostics, result, sites) = generation.Result;
        var ids = diagnostics.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal).ToList();

        if (result.Results.Select(r => r.Exception).FirstOrDefault(e => e is not null) is { } thrown)
            return Thrown(thrown, ids);
        if (diagnostics.FirstOrDefault(d => d.Id is "CS8784" or "CS8785") is { } failed)
            return Verdict.Of(Outcome.Crash, failed.Id + ": " + failed.GetMessage(), failed.ToString(), ids);
        var internals = diagnostics.Where(d => d.Id.StartsWith("GN9", StringComparison.Ordinal)).ToList();
        if (internals.Count > 0)
            return Internal(internals, sites, ids);
        return CompileVerdict(input, output, ids);
    }

    private static Verdict Thrown(Exception e, IReadOnlyList<string> ids)
    {
        string key = $"{e.GetType().Name} @ {ThrowSites.TopFrame(new StackTrace(e, false))}";
        return Verdict.Of(Outcome.Crash, $"{key}: {e.Message.Split('\n')[0].Trim()}", e.ToString(), ids, [key]);
    }

    /// <summary>GN9001 carries only the exception's type and message; the first-chance record says where it was thrown.</summary>
    private static Verdict Internal(List<Diagnostic> internals, ThrowSites sites, IReadOnlyList<string> ids)
    {
        var keys = new List<string>();
        string detail = string.Join("\n", internals);
        foreach (var d in internals)
        {
            string message = d.GetMessage();
            var site = sites.Find(message);
            keys.Add(site is null ? Verdict.Normalize(d.Id + ": " + message) : $"{d.Id} {site.Type} @ {site.Frame}");
            if (site is not null && keys.Count == 1) detail += "\nthrown at:\n" + site.Stack;
        }
        return Verdict.Of(Outcome.Internal, $"{keys[0]}: {internals[0].GetMessage()}", detail, ids, keys);
    }

    /// <summary>Bad code: errors with the generated code added, when none of the user's own errors is among them.</summary>
    private Verdict CompileVerdict(Compilation input, Compilation output, List<string> ids)
    {
        var tree = input.SyntaxTrees.Single();
        if (tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
            return Verdict.Of(Outcome.Ok, "syntax errors of the user's own", ids: ids);
        using var cts = new CancellationTokenSource(Limit);
        try
        {
            var userErrors = input.GetDiagnostics(cts.Token).Where(d => d.Severity == DiagnosticSeverity.Error && !IsPendingEntry(d)).Select(Identity).ToHashSet();
            // The user's file alone first: an error of theirs that is still there settles it without binding the generated code.
            if (userErrors.Count > 0 && output.GetSemanticModel(tree).GetDiagnostics(cancellationToken: cts.Token).Any(d => userErrors.Contains(Identity(d))))
                return Verdict.Of(Outcome.Ok, "errors of the user's own", ids: ids);
            var errors = output.GetDiagnostics(cts.Token).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            // GN0013: a class no part can be added to (file-local, in a non-partial type): its entries cannot get bodies.
            if (ids.Contains("GN0013")) errors.RemoveAll(d => d.Id == "CS8795");
            if (errors.Count == 0) return Verdict.Of(Outcome.Ok, "", ids: ids);
            if (errors.Any(d => userErrors.Contains(Identity(d)))) return Verdict.Of(Outcome.Ok, "errors of the user's own", ids: ids);
            return BadCode(errors, ids);
        }
        catch (OperationCanceledException)
        {
            return Verdict.Of(Outcome.Hang, $"compiling the generated code ran past {Limit.TotalSeconds:0.#} s", ids: ids);
        }
    }

    private static Verdict BadCode(List<Diagnostic> errors, List<string> ids)
    {
        // Errors in generated files first: they name the generator's mistake; errors in the user's file follow from it.
        var ordered = errors.OrderBy(d => d.Location.SourceTree?.FilePath == UserFile).ThenBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start).ToList();
        string detail = string.Join("\n", ordered.Take(8).Select(d => $"{d}  // {Excerpt(d)}"));
        var keys = ordered.Select(d => Verdict.Normalize(d.Id + ": " + d.GetMessage())).Distinct().ToList();
        return Verdict.Of(Outcome.BadCode, ordered[0].Id + ": " + ordered[0].GetMessage(), detail, ids, keys);
    }

    private static (string Id, string? Path, int Start) Identity(Diagnostic d) => (d.Id, d.Location.SourceTree?.FilePath, d.Location.SourceSpan.Start);

    /// <summary>CS8795 on an entry point of a [Model] class is the generator's to fix: it must implement every entry.</summary>
    private static bool IsPendingEntry(Diagnostic d)
    {
        if (d.Id != "CS8795" || d.Location.SourceTree is not { } tree) return false;
        var method = tree.GetRoot().FindNode(d.Location.SourceSpan).FirstAncestorOrSelf<MethodDeclarationSyntax>();
        return method?.Parent is ClassDeclarationSyntax owner && FuzzCorpus.IsModel(owner)
            && method.AttributeLists.SelectMany(l => l.Attributes).Any(a => EntryAttributes.Contains(Regex.Replace(a.Name.ToString(), "^GraphNet\\.|Attribute$", "")));
    }

    private static string Excerpt(Diagnostic d)
    {
        if (d.Location.SourceTree is not { } tree) return "";
        var line = tree.GetText().Lines.GetLineFromPosition(d.Location.SourceSpan.Start).ToString().Trim();
        return line.Length > 160 ? line[..160] + "…" : line;
    }

    private (Compilation Output, ImmutableArray<Diagnostic> Diagnostics, GeneratorDriverRunResult Result, ThrowSites Sites) Generate(Compilation input, CancellationToken ct)
    {
        var driver = CSharpGeneratorDriver.Create([_generator().AsSourceGenerator()], parseOptions: CompileParseOptions);
        using var sites = ThrowSites.Capture();
        var ran = driver.RunGeneratorsAndUpdateCompilation(input, out var output, out var diagnostics, ct);
        return (output, diagnostics, ran.GetRunResult(), sites);
    }

    /// <summary>A dedicated thread, so that a busy thread pool cannot eat into the time limit.</summary>
    private static Task<T> StartOnOwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
