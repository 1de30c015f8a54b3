using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Xunit;

namespace GraphNet.Tests.Fuzz;

/// <summary>The oracle's classes, each produced by a stand-in generator that misbehaves in one way.</summary>
public class FuzzOracleTests
{
    private sealed class FakeGenerator(Action<SourceProductionContext> output) : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context) =>
            context.RegisterSourceOutput(context.CompilationProvider, (spc, _) => output(spc));
    }

    private const string Model = FuzzCorpus.Usings + """
        [Model]
        public partial class M
        {
            Tensor F([Shape(3)] Tensor x) => x;
            [Compile(nameof(F))] public partial Tensor P(Tensor x);
        }
        """;

    private const string Implementation = "partial class M { public partial Tensor P(Tensor x) => x; }";

    private static Verdict Classify(Action<SourceProductionContext> generator, string source = Model, double limitSeconds = 10) =>
        new FuzzOracle(TimeSpan.FromSeconds(limitSeconds), () => new FakeGenerator(generator)).Classify(source);

    private static void Report(SourceProductionContext spc, string id) =>
        spc.ReportDiagnostic(Diagnostic.Create(new DiagnosticDescriptor(id, "t", "it failed", "GraphNet", DiagnosticSeverity.Error, true), Location.None));

    [Fact]
    public void Implementing_every_entry_is_ok() =>
        Assert.Equal(Outcome.Ok, Classify(spc => spc.AddSource("M.g.cs", FuzzCorpus.Usings + Implementation)).Outcome);

    [Fact]
    public void A_GN_error_with_code_that_compiles_is_ok() =>
        Assert.Equal(Outcome.Ok, Classify(spc =>
        {
            Report(spc, "GN0007");
            spc.AddSource("M.g.cs", FuzzCorpus.Usings + Implementation);
        }).Outcome);

    [Fact]
    public void An_entry_left_without_a_body_is_bad_code()
    {
        var verdict = Classify(_ => { });
        Assert.Equal(Outcome.BadCode, verdict.Outcome);
        Assert.StartsWith("CS8795", verdict.Signature, StringComparison.Ordinal);
    }

    [Fact]
    public void A_GN_error_with_code_that_does_not_compile_is_bad_code()
    {
        var verdict = Classify(spc =>
        {
            Report(spc, "GN0007");
            spc.AddSource("M.g.cs", FuzzCorpus.Usings + Implementation + " class Broken { int x = \"s\"; }");
        });
        Assert.Equal(Outcome.BadCode, verdict.Outcome);
        Assert.StartsWith("CS0029", verdict.Signature, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_of_the_users_own_are_ok_whatever_the_generated_code()
    {
        string wrong = Model.Replace("=> x;", "=> x; int n = \"s\";", StringComparison.Ordinal);
        Assert.Equal(Outcome.Ok, Classify(spc => spc.AddSource("M.g.cs", "class Broken { int x = \"s\"; }"), wrong).Outcome);
    }

    [Fact]
    public void A_partial_method_that_is_no_entry_is_the_users_own_error()
    {
        string noEntry = Model.Replace("}\n", "    public partial void NotAnEntry();\n}\n", StringComparison.Ordinal);
        Assert.Equal(Outcome.Ok, Classify(spc => spc.AddSource("M.g.cs", FuzzCorpus.Usings + Implementation), noEntry).Outcome);
    }

    [Fact]
    public void A_member_that_collides_with_a_generated_one_is_bad_code()
    {
        string colliding = Model.Replace("{\n", "{\n    int Parameters;\n", StringComparison.Ordinal);
        var verdict = Classify(spc => spc.AddSource("M.g.cs", FuzzCorpus.Usings + "partial class M { public int Parameters { get; } public partial Tensor P(Tensor x) => x; }"), colliding);
        Assert.Equal(Outcome.BadCode, verdict.Outcome);
        Assert.StartsWith("CS0102", verdict.Signature, StringComparison.Ordinal);
    }

    [Fact]
    public void A_GN9_diagnostic_is_internal() =>
        Assert.Equal(Outcome.Internal, Classify(spc => Report(spc, "GN9001")).Outcome);

    [Fact]
    public void A_generator_that_throws_is_a_crash()
    {
        var verdict = Classify(_ => throw new InvalidOperationException("boom"));
        Assert.Equal(Outcome.Crash, verdict.Outcome);
        Assert.Contains("InvalidOperationException", verdict.Signature, StringComparison.Ordinal);
        Assert.Contains("boom", verdict.Signature, StringComparison.Ordinal);
    }

    [Fact]
    public void A_generator_that_runs_past_the_limit_is_a_hang() =>
        Assert.Equal(Outcome.Hang, Classify(spc =>
        {
            spc.CancellationToken.WaitHandle.WaitOne();
            spc.CancellationToken.ThrowIfCancellationRequested();
        }, limitSeconds: 0.5).Outcome);

    [Fact]
    public void A_generator_that_ignores_cancellation_is_a_hang()
    {
        using var release = new ManualResetEventSlim();
        try
        {
            var verdict = Classify(_ => release.Wait(), limitSeconds: 0.5);
            Assert.Equal(Outcome.Hang, verdict.Outcome);
            Assert.Contains("ignored cancellation", verdict.Signature, StringComparison.Ordinal);
        }
        finally
        {
            release.Set();
        }
    }
}
