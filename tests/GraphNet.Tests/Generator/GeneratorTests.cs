using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using GraphNet.Generators;
using Microsoft.CodeAnalysis;
using Xunit;

namespace GraphNet.Tests.Generator;

public class GeneratorTests
{
    [Theory]
    [InlineData(nameof(SnapshotModels.LinearRegression), SnapshotModels.LinearRegression)]
    [InlineData(nameof(SnapshotModels.LogisticRegression), SnapshotModels.LogisticRegression)]
    [InlineData(nameof(SnapshotModels.Mlp), SnapshotModels.Mlp)]
    [InlineData(nameof(SnapshotModels.ConvNet), SnapshotModels.ConvNet)]
    [InlineData(nameof(SnapshotModels.Decoder), SnapshotModels.Decoder)]
    [InlineData(nameof(SnapshotModels.TinyTransformer), SnapshotModels.TinyTransformer)]
    [InlineData(nameof(SnapshotModels.Recurrent), SnapshotModels.Recurrent)]
    public void Generated_source_matches_snapshot_and_compiles(string name, string source)
    {
        var (diags, sources, errors) = GeneratorHarness.Run(source);
        Assert.Empty(diags);
        Assert.Empty(errors);
        Snapshot.Verify(name, Assert.Single(sources));
    }

    [Fact]
    public void Unrelated_edit_leaves_model_steps_cached()
    {
        var compilation = GeneratorHarness.Compilation(SnapshotModels.Mlp, "class Unrelated { }");
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("class Unrelated { int x; }", GeneratorHarness.Parse, path: "Model1.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        foreach (var step in new[] { TrackingNames.Parse, TrackingNames.Compile, TrackingNames.Source, TrackingNames.Diagnostics })
        {
            var reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
    }

    [Fact]
    public void Real_change_to_the_model_reruns_its_steps()
    {
        var compilation = GeneratorHarness.Compilation(SnapshotModels.LinearRegression);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var changed = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(),
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(SnapshotModels.LinearRegression.Replace("[Param(8)]", "[Param(8, Init = Init.Zeros)]"), GeneratorHarness.Parse, path: "Model0.cs"));
        var result = driver.RunGenerators(changed).GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[TrackingNames.Compile].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Pipeline_model_holds_no_symbols_or_syntax()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree) };
        var seen = new HashSet<Type>();
        void Walk(Type t)
        {
            if (!seen.Add(t) || t.IsPrimitive || t.IsEnum || t == typeof(string)) return;
            Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(t));
            if (t.IsGenericType) foreach (var a in t.GetGenericArguments()) Walk(a);
            foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0)) Walk(p.PropertyType);
            foreach (var f in t.GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance)) Walk(f.FieldType);
            if (t.IsAbstract) foreach (var sub in typeof(ModelSpec).Assembly.GetTypes().Where(s => s.BaseType == t)) Walk(sub);
        }
        Walk(typeof(ModelSpec));
        Walk(typeof(CompiledModel));
        Assert.Contains(typeof(CallExpr), seen);
    }

    [Fact]
    public void Every_public_op_has_a_lowering()
    {
        var ops = typeof(Ops).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(Tensor)).Select(m => m.Name).Distinct();
        var lowered = (string[])typeof(ModelGenerator).Assembly.GetType("GraphNet.Generators.OpLowering")!.GetField("Names")!.GetValue(null)!;
        Assert.Empty(ops.Except(lowered));
    }
}
