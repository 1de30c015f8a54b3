using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace GraphNet.Tests.Fuzz;

/// <summary>The fuzzer's parts: corpus, mutator, minimizer, worker processes.</summary>
public class FuzzEngineTests
{
    private static readonly Lazy<System.Collections.Generic.IReadOnlyList<Seed>> Corpus = new(() => FuzzCorpus.Load(FuzzCorpus.RepoRoot()));

    [Fact]
    public void Corpus_holds_the_models_of_the_samples_the_model_tests_and_the_snapshots()
    {
        var names = Corpus.Value.Select(s => s.Name).ToList();
        Assert.Contains("samples/Vit/Vit.cs:Vit", names);
        Assert.Contains("tests/GraphNet.Models.Tests/LayerModels.cs:TinyDecoder", names);
        Assert.Contains("SnapshotModels.ConvNet:ConvNet", names);
        Assert.True(names.Count >= 19, $"{names.Count} seeds");
        Assert.All(Corpus.Value, s =>
        {
            Assert.StartsWith(FuzzCorpus.Usings, s.Source, StringComparison.Ordinal);
            Assert.Empty(CSharpSyntaxTree.ParseText(s.Source, FuzzOracle.ParseOptions).GetDiagnostics());
        });
    }

    [Fact]
    public void A_run_seed_and_an_index_always_make_the_same_mutant()
    {
        var a = new Mutator(Corpus.Value, 7);
        var b = new Mutator(Corpus.Value, 7);
        var other = new Mutator(Corpus.Value, 8);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(a.Create(i).Source, b.Create(i).Source);
            Assert.Equal(a.Create(i).Mutations, b.Create(i).Mutations);
        }
        Assert.Contains(Enumerable.Range(0, 50), i => a.Create(i).Source != other.Create(i).Source);
    }

    [Fact]
    public void Every_mutation_operator_finds_something_to_change()
    {
        var mutator = new Mutator(Corpus.Value, 1);
        var used = Enumerable.Range(0, 600).SelectMany(i => mutator.Create(i).Mutations).Select(m => m[..m.IndexOf(':')]).ToHashSet();
        string[] operators = ["delete-token", "swap-tokens", "number", "dim-name", "rename-op", "rename-identifier", "remove-attribute",
            "duplicate", "unsupported", "return-type", "modifier", "wrap", "collide", "ref-parameter", "overload", "stress"];
        Assert.Empty(operators.Except(used));
    }

    [Fact]
    public void Op_names_come_from_the_public_static_methods_of_Ops()
    {
        Assert.Contains("MatMul", Mutations.OpNames);
        Assert.Contains("Softmax", Mutations.OpNames);
        Assert.Equal(Mutations.OpNames.Order(StringComparer.Ordinal), Mutations.OpNames);
    }

    [Fact]
    public void Minimizer_keeps_the_failure_and_drops_everything_else()
    {
        string source = Corpus.Value[0].Source.Replace("{", "{\n    int Boom = 1;", StringComparison.Ordinal);
        var reduced = Minimizer.Minimize(source, s => s.Contains("Boom", StringComparison.Ordinal), 2000);
        Assert.Contains("Boom", reduced, StringComparison.Ordinal);
        Assert.True(reduced.Length < 30, reduced);
    }

    [Fact]
    public void Minimizer_keeps_candidates_that_parse_when_the_source_did()
    {
        string source = "class A { [System.Obsolete] int other; void F() { int boom = 1; int another = 2; } }";
        var reduced = Minimizer.Minimize(source, s => s.Contains("boom", StringComparison.Ordinal), 2000);
        Assert.DoesNotContain(CSharpSyntaxTree.ParseText(reduced).GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain("other", reduced, StringComparison.Ordinal);
        Assert.Contains("boom", reduced, StringComparison.Ordinal);
    }

    [Fact]
    public void A_worker_process_gives_the_in_process_verdict()
    {
        var seed = Corpus.Value.First(s => s.Name == "SnapshotModels.LinearRegression:LinearRegression");
        string broken = seed.Source.Replace("[Param(1)] Tensor b;", "[Param(1)] Tensor b;\n    int Parameters;", StringComparison.Ordinal);
        var limit = TimeSpan.FromSeconds(30); // a cold worker process compiles under whatever else the machine runs
        using var worker = new IsolatedOracle(limit);
        foreach (var source in new[] { seed.Source, broken })
        {
            var expected = new FuzzOracle(limit).Classify(source);
            var actual = worker.Classify(source);
            Assert.Equal(expected.Outcome, actual.Outcome);
            Assert.Equal(expected.Signature, actual.Signature);
            Assert.Equal(expected.Keys, actual.Keys);
        }
    }
}
