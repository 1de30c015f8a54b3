using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using GraphNet.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace GraphNet.Tests.Generator;

/// <summary>Modules through the generator: assembly boundaries, incrementality, source size and time, the spec codec.</summary>
public class ModuleGeneratorTests(ITestOutputHelper output)
{
    private const string UserLayer = GeneratorHarness.Usings + """
        namespace UserLayers;

        /// <summary>A residual feed-forward block in a user's own class library.</summary>
        [Module]
        public partial class Residual(int width, int hidden, bool gate = false)
        {
            [Param(nameof(hidden), nameof(width), Init = Init.UniformFanIn)] Tensor up;
            [Param(nameof(width), nameof(hidden), Init = Init.UniformFanIn)] Tensor down;

            public Tensor Forward(Tensor x)
            {
                var h = Relu(MatMul(x, up, transposeB: true));
                var y = MatMul(h, down, transposeB: true);
                return gate ? x + Sigmoid(y) * y : x + y;
            }
        }
        """;

    private const string UserModel = GeneratorHarness.Usings + """
        using UserLayers;
        namespace UserApp;

        [Model]
        public partial class Regressor
        {
            Residual[] blocks = Modules.Repeat(3, i => new Residual(4, 8 + i, gate: i == 1));
            [Param(4)] Tensor w;

            public Tensor Loss([Shape("N", 4)] Tensor x, [Shape("N")] Tensor y)
            {
                var h = x;
                foreach (var b in blocks) h = b.Forward(h);
                return Mse(MatMul(h, w), y);
            }

            [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
        }
        """;

    private static readonly CSharpCompilationOptions Options = new(OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release, allowUnsafe: true);

    /// <summary>Compiles sources with the generator; returns the image, failing on any error.</summary>
    private static byte[] Build(string name, string source, params MetadataReference[] extra)
    {
        var compilation = CSharpCompilation.Create(name, new[] { CSharpSyntaxTree.ParseText(source, GeneratorHarness.Parse, path: name + ".cs") },
            Harness.References().Concat(extra), Options);
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var built, out var diags);
        Assert.Empty(diags);
        using var ms = new MemoryStream();
        var result = built.Emit(ms);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5)));
        return ms.ToArray();
    }

    private sealed class Context(byte[] library) : AssemblyLoadContext(isCollectible: true)
    {
        private Assembly? _library;

        protected override Assembly? Load(AssemblyName name) =>
            name.Name == "UserLayers" ? _library ??= LoadFromStream(new MemoryStream(library)) : null;
    }

    [Fact]
    public void A_module_from_a_referenced_class_library_builds_and_trains()
    {
        var library = Build("UserLayers", UserLayer);
        var app = Build("UserApp", UserModel, MetadataReference.CreateFromImage(library));
        var context = new Context(library);
        try
        {
            var type = context.LoadFromStream(new MemoryStream(app)).GetType("UserApp.Regressor")!;
            var model = Activator.CreateInstance(type, null, 1)!;
            var ps = (ParameterSet)type.GetProperty("Parameters")!.GetValue(model)!;
            Assert.Contains("blocks.2.down", ps.Select(p => p.Name));
            Assert.Equal(new[] { 4, 10 }, ps["blocks.2.down"].Value.Shape);
            var x = new Tensor(16, 4);
            new Rng(1, 1).FillNormal(x.Data, 0, 1);
            var y = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => x.Data[4 * i] - 0.5f * x.Data[4 * i + 2]).ToArray(), 16);
            var step = type.GetMethod("Step")!;
            var opt = new Adam(0.02f);
            float first = (float)step.Invoke(model, new object[] { x, y, opt })!, last = first;
            for (int i = 0; i < 60; i++) last = (float)step.Invoke(model, new object[] { x, y, opt })!;
            Assert.True(last < 0.2 * first, $"loss {first} -> {last}");
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void Spec_codec_round_trips_every_module_of_the_layer_library()
    {
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Usings + "class Empty { }");
        foreach (var type in typeof(GraphNet.Layers.Linear).Assembly.GetTypes().Where(t => t.GetCustomAttribute<ModuleAttribute>() is not null))
        {
            var stored = type.GetCustomAttribute<CompiledModuleAttribute>()!;
            Assert.Equal(SpecCodec.Version, stored.Version);
            var spec = SpecCodec.Decode<ModuleSpec>(stored.Spec);
            Assert.Equal(type.FullName, spec.TypeName);
            Assert.Equal(stored.Spec, SpecCodec.Encode(spec));
            Assert.NotEmpty(spec.Methods);
        }
        Assert.Throws<FormatException>(() => SpecCodec.Decode<ModuleSpec>("(ModuleSpec \"A\""));
        Assert.Throws<FormatException>(() => SpecCodec.Decode<ModuleSpec>("(Nope)"));
        Assert.NotNull(compilation);
    }

    private const string SourceModule = GeneratorHarness.Usings + """
        [Module]
        public partial class Scale(int n)
        {
            [Param(nameof(n))] Tensor s;
            public Tensor Forward(Tensor x) => x * s;
        }
        """;

    private const string SourceModel = GeneratorHarness.Usings + """
        [Model]
        public partial class UsesScale
        {
            Scale scale = new(3);
            Tensor F([Shape("B", 3)] Tensor x) => scale.Forward(x);
            [Compile(nameof(F))] public partial Tensor P(Tensor x);
        }
        """;

    private static GeneratorRunResult Rerun(Compilation before, int tree, string text, out GeneratorDriver driver)
    {
        driver = GeneratorHarness.Driver().RunGenerators(before);
        var after = before.ReplaceSyntaxTree(before.SyntaxTrees.ElementAt(tree),
            CSharpSyntaxTree.ParseText(text, GeneratorHarness.Parse, path: $"Model{tree}.cs"));
        return driver.RunGenerators(after).GetRunResult().Results.Single();
    }

    [Fact]
    public void An_edit_inside_a_module_regenerates_the_models_that_use_it()
    {
        var compilation = GeneratorHarness.Compilation(SourceModule, SourceModel, "class Unrelated { }");
        var result = Rerun(compilation, 0, SourceModule.Replace("x * s", "x * s + s"), out _);
        Assert.Contains(result.TrackedSteps[TrackingNames.Compile].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.GeneratedSources, s => s.HintName.StartsWith("UsesScale", StringComparison.Ordinal) && s.SourceText.ToString().Contains("add"));
    }

    [Fact]
    public void An_unrelated_edit_leaves_model_and_module_steps_cached()
    {
        var compilation = GeneratorHarness.Compilation(SourceModule, SourceModel, "class Unrelated { }");
        var result = Rerun(compilation, 2, "class Unrelated { int x; }", out _);
        foreach (var step in new[] { TrackingNames.Parse, TrackingNames.Compile, TrackingNames.Source, TrackingNames.Diagnostics, TrackingNames.Module })
        {
            var reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
    }

    private static string Gpt(int blocks) => GeneratorHarness.Usings + $$"""
        using GraphNet.Layers;

        [Model]
        public partial class Gpt
        {
            const int Vocab = 65, Context = 64, Width = 128;
            Embedding tokens = new(Vocab, Width);
            [Param(Context, Width, Init = Init.Normal)] Tensor positions;
            TransformerBlock[] blocks = Modules.Repeat({{blocks}}, () => new TransformerBlock(Width, heads: 4, hidden: 512, causal: true));
            GraphNet.Layers.LayerNorm norm = new(Width);
            Linear head = new(Width, Vocab);

            Tensor Logits([Shape("B", Context)] Tensor ids)
            {
                var x = tokens.Forward(ids) + positions;
                foreach (var block in blocks) x = block.Forward(x);
                return head.Forward(norm.Forward(x));
            }

            Tensor Loss([Shape("B", Context)] Tensor ids, [Shape("B", Context)] Tensor next) => SoftmaxCrossEntropy(Logits(ids), next).Mean();

            [Compile(nameof(Logits))] public partial Tensor Predict(Tensor ids);
            [Train(nameof(Loss))] public partial float Step(Tensor ids, Tensor next, Optimizer optimizer);
        }
        """;

    [Fact]
    public void Equal_blocks_share_kernels_so_a_12_block_model_is_not_12_times_the_source_of_one()
    {
        var (_, one, e1) = GeneratorHarness.Run(Gpt(1));
        var (_, twelve, e12) = GeneratorHarness.Run(Gpt(12));
        Assert.Empty(e1);
        Assert.Empty(e12);
        int a = Assert.Single(one).Length, b = Assert.Single(twelve).Length;
        output.WriteLine($"generated source: 1 block {a:N0} chars, 12 blocks {b:N0} chars ({(double)b / a:0.00}x)");
        Assert.True(b < 5 * a, $"12 blocks: {b} chars, 1 block: {a}"); // the per-block cost is the entry bodies' call sites, not kernels
    }

    [Fact]
    public void Generator_time_for_a_12_block_gpt()
    {
        var source = Gpt(12);
        var times = new double[5];
        for (int i = 0; i < times.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            var (diags, sources, _) = GeneratorHarness.Run(source);
            times[i] = sw.Elapsed.TotalSeconds;
            Assert.Empty(diags);
            Assert.Single(sources);
        }
        Array.Sort(times);
        output.WriteLine($"generator + compile of the 12-block GPT: median {times[2]:0.00} s (min {times[0]:0.00}, max {times[4]:0.00})");
        Assert.True(times[2] < 60, $"median {times[2]} s");
    }
}
