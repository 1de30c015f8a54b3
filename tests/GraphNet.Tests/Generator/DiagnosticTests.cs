using System.Linq;
using GraphNet.Compiler;
using GraphNet.Generators;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace GraphNet.Tests.Generator;

/// <summary>One test per GN id: the id, and the span it marks in the user's source ([| |] in the text below).</summary>
public class DiagnosticTests
{
    private static void Expect(string id, string markedSource)
    {
        int start = markedSource.IndexOf("[|", System.StringComparison.Ordinal);
        int end = markedSource.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        var source = GeneratorHarness.Usings + markedSource.Replace("[|", "").Replace("|]", "");
        var span = new TextSpan(GeneratorHarness.Usings.Length + start, end - start);
        var (diags, _, errors) = GeneratorHarness.Run(source);
        var d = Assert.Single(diags);
        Assert.Equal(id, d.Id);
        Assert.Equal(span, d.Location.SourceSpan);
        Assert.Equal("Model0.cs", d.Location.GetLineSpan().Path);
        Assert.Empty(errors); // the generated code compiles (failed entry points get bodies that throw): the GN error is the only one
    }

    private const string Head = "[Model] public partial class M {\n";

    [Fact] public void GN0001_model_not_partial() => Expect("GN0001", "[Model] public class [|M|] { }");

    [Fact]
    public void GN0002_entry_names_missing_spec() => Expect("GN0002", Head +
        "Tensor F([Shape(\"B\", 3)] Tensor x) => x;\n[Compile([|\"Nope\"|])] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0003_gradient_input_missing() => Expect("GN0003", Head +
        "Tensor L([Shape(3)] Tensor x) => x.Sum();\n[Gradient(nameof(L), [|\"z\"|])] public partial Tensor G(Tensor x); }");

    [Fact]
    public void GN0004_shape_mismatch() => Expect("GN0004", Head +
        "Tensor F([Shape(\"B\", 3)] Tensor x, [Shape(4)] Tensor c) => [|x + c|];\n[Compile(nameof(F))] public partial Tensor P(Tensor x, Tensor c); }");

    [Fact]
    public void GN0004_matmul_inner_dims_name_both_shapes()
    {
        var (diags, _, _) = GeneratorHarness.Run(GeneratorHarness.Usings + Head +
            "[Param(5, 2)] Tensor w;\nTensor F([Shape(\"B\", 3)] Tensor x) => MatMul(x, w);\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");
        var d = Assert.Single(diags);
        Assert.Equal("GN0004", d.Id);
        Assert.Contains("[B, 3]", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("[5, 2]", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void GN0005_wrong_rank() => Expect("GN0005", Head +
        "Tensor F([Shape(3)] Tensor v) => [|Transpose(v)|];\n[Compile(nameof(F))] public partial Tensor P(Tensor v); }");

    [Fact]
    public void GN0006_unknown_dim_in_parameter() => Expect("GN0006", Head +
        "[Param(3, \"Hidden\")] Tensor [|w|];\nTensor F([Shape(\"B\", 3)] Tensor x) => MatMul(x, w);\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0007_unsupported_construct() => Expect("GN0007", Head +
        "Tensor F([Shape(3)] Tensor x) { var s = (float)[|System.Math.Round(2.5)|]; return x * s; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0008_signature_mismatch() => Expect("GN0008", Head +
        "Tensor F([Shape(3)] Tensor x) => x;\n[Compile(nameof(F))] public partial Tensor [|P|](Tensor y); }");

    [Fact]
    public void GN0008_train_entry_without_an_optimizer() => Expect("GN0008", Head +
        "[Param(3)] Tensor w;\nTensor F([Shape(3)] Tensor x) => (x * w).Sum();\n[Train(nameof(F))] public partial float [|Step|](Tensor x); }");

    [Fact]
    public void GN0010_hessian_of_a_non_scalar() => Expect("GN0010", Head +
        "[Param(3)] Tensor w;\nTensor F([Shape(3)] Tensor x) => x * w;\n[HessianVectorProduct(nameof(F))] public partial Tensor [|Hvp|](Tensor x, Tensor v); }");

    [Fact]
    public void GN0009_recursive_spec() => Expect("GN0009", Head +
        "Tensor F([Shape(3)] Tensor x) => [|F(x)|];\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0010_loss_not_scalar() => Expect("GN0010", Head +
        "[Param(3)] Tensor w;\nTensor F([Shape(\"B\", 3)] Tensor x) => x * w;\n[Gradients(nameof(F))] public partial float [|G|](Tensor x); }");

    [Fact]
    public void GN0011_invalid_argument() => Expect("GN0011", Head +
        "Tensor F([Shape(\"B\", 3)] Tensor x) => [|Sum(x, 5)|];\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0012_missing_input_shape() => Expect("GN0012", Head +
        "Tensor F(Tensor [|x|]) => x;\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0013_unsupported_model_declaration() => Expect("GN0013",
        "[Model] public partial class [|M|]<T> {\nTensor F([Shape(3)] Tensor x) => x;\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0014_member_colliding_with_a_generated_one() => Expect("GN0014", Head +
        "public int [|Parameters|] => 1;\nTensor F([Shape(3)] Tensor x) => x;\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0015_invalid_parameter_field() => Expect("GN0015", Head +
        "[Param(0, 3)] Tensor [|w|];\nTensor F([Shape(3)] Tensor x) => x;\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0016_invalid_dim_name() => Expect("GN0016", Head +
        "Tensor F([Shape(\"seq-len\", 3)] Tensor [|x|]) => x;\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0017_entry_with_a_body() => Expect("GN0017", Head +
        "Tensor F([Shape(3)] Tensor x) => x;\n[Compile(nameof(F))] public Tensor [|P|](Tensor x) => x; }");

    [Fact]
    public void GN0018_spec_returning_null() => Expect("GN0018", Head +
        "Tensor F([Shape(3)] Tensor x) { [|return null!;|] }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0019_entry_outside_a_model() => Expect("GN0019",
        "public partial class M {\nTensor F([Shape(3)] Tensor x) => x;\n[Compile(nameof(F))] public partial Tensor [|P|](Tensor x); }");

    [Fact]
    public void GN0020_tensor_too_large() => Expect("GN0020", Head +
        "Tensor F([Shape(2147483647, 1)] Tensor x, [Shape(1, 4)] Tensor y) => [|x * y|];\n[Compile(nameof(F))] public partial Tensor P(Tensor x, Tensor y); }");

    [Fact]
    public void Diagnostics_follow_their_line_when_a_comment_moves_it_and_the_compile_step_stays_cached()
    {
        const string model = Head + "Tensor F([Shape(3)] Tensor x) => Transpose(x);\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }";
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Usings + model);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var moved = GeneratorHarness.Usings + "// a comment\n\n" + model;
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(),
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(moved, GeneratorHarness.Parse, path: "Model0.cs")));
        var result = driver.GetRunResult().Results.Single();
        Assert.All(result.TrackedSteps[TrackingNames.Compile].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is Microsoft.CodeAnalysis.IncrementalStepRunReason.Cached or Microsoft.CodeAnalysis.IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("GN0005", d.Id);
        Assert.Equal(moved.IndexOf("Transpose(x)", System.StringComparison.Ordinal), d.Location.SourceSpan.Start);
    }

    [Fact]
    public void GN9001_internal_error_is_a_diagnostic_not_a_crash()
    {
        var loc = new LocationInfo(0);
        var bad = new CallExpr("MatMul", EquatableArray<Arg>.Empty, loc); // no operands: the lowering table indexes past the end
        var spec = new SpecMethod("F", EquatableArray<InputSpec>.Empty, new Stmt[] { new ReturnStmt(bad, loc) }.ToEquatable(), loc);
        var entry = new EntrySpec("P", EntryKind.Forward, "F", null, "public", EquatableArray<string>.Empty, true, loc, loc, null);
        var model = new ModelSpec("N", EquatableArray<string>.Empty, "M", "M", EquatableArray<ParamSpec>.Empty,
            new[] { spec }.ToEquatable(), new[] { entry }.ToEquatable(), EquatableArray<DiagnosticInfo>.Empty);
        var result = ModelCompilation.Compile(model, default);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("GN9001", d.Id);
        Assert.Equal("M", d.Args[0]);
        Assert.Equal(loc, d.Location);
        Assert.Null(result.Source);
    }

    private const string Layers = "using GraphNet.Layers;\n";

    [Fact]
    public void GN0021_module_argument_not_constant() => Expect("GN0021", Layers + Head +
        "Linear fc = new([|System.Environment.ProcessorCount|], 3);\nTensor F([Shape(\"B\", 4)] Tensor x) => fc.Forward(x);\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0021_names_what_it_met_in_words()
    {
        var (diags, _, _) = GeneratorHarness.Run(GeneratorHarness.Usings + Layers + Head +
            "Linear fc = new(System.Environment.ProcessorCount, 3);\nTensor F([Shape(\"B\", 4)] Tensor x) => fc.Forward(x);\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");
        var message = Assert.Single(diags).GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'System.Environment.ProcessorCount' (a property reference)", message);
    }

    [Fact]
    public void GN0021_loop_over_a_symbolic_dim() => Expect("GN0021", Head +
        "Tensor F([Shape(\"B\", 3)] Tensor x) { var y = x; for (int i = 1; [|i < x.Shape[0]|]; i++) y = y + x; return y; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0022_module_cycle() => Expect("GN0022",
        "[Module] public partial class A { B b = new(); public Tensor F(Tensor x) => b.F(x); }\n"
        + "[Module] public partial class B { A [|a|] = new(); public Tensor F(Tensor x) => x; }\n"
        + Head + "A a = new();\nTensor F([Shape(3)] Tensor x) => a.F(x);\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0023_entry_tuple_does_not_match_its_spec() => Expect("GN0023", Head +
        "(Tensor, Tensor) F([Shape(3)] Tensor x) => (x, x * 2);\n[Compile(nameof(F))] public partial Tensor [|P|](Tensor x); }");

    [Fact]
    public void GN0024_module_with_an_entry_point() => Expect("GN0024",
        "[Module] public partial class A(int n) { [Param(nameof(n))] Tensor w; public Tensor F([Shape(3)] Tensor x) => x * w;\n"
        + "[Compile(nameof(F))] public partial Tensor [|P|](Tensor x); }");

    [Fact]
    public void GN0025_module_not_partial() => Expect("GN0025", "[Module] public class [|A|] { public Tensor F(Tensor x) => x; }");

    private const string Cell = "[Module] public partial class C(int n) { [Param(nameof(n))] Tensor w; public Tensor F(Tensor x) => x * w; }\n";

    [Fact]
    public void GN0025_flattened_array_without_an_index_in_its_suffix() => Expect("GN0025", Cell + Head +
        "[Flatten(\"_l\")] C[] [|cs|] = Modules.Repeat(2, i => new C(3));\nTensor F([Shape(3)] Tensor x) => cs[0].F(x);\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0025_flattened_names_that_collide()
    {
        var source = GeneratorHarness.Usings + Cell + Head
            + "[Flatten(\"_a\")] C one = new(3);\n[Flatten(\"_a\")] C two = new(3);\nTensor F([Shape(3)] Tensor x) => one.F(two.F(x));\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }";
        var (diags, _, _) = GeneratorHarness.Run(source);
        var d = Assert.Single(diags);
        Assert.Equal("GN0025", d.Id);
        Assert.Contains("'w_a'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Shape_error_inside_a_module_names_the_module_and_its_call_site()
    {
        const string module = "[Module] public partial class Proj(int n, int m) { [Param(nameof(n), nameof(m))] Tensor w; public Tensor F(Tensor x) => MatMul(x, w); }\n";
        const string model = Head + "Proj[] layers = Modules.Repeat(2, i => new Proj(4, 5 + i));\n"
            + "Tensor F([Shape(\"B\", 4)] Tensor x) { var y = x; foreach (var l in layers) y = l.F(y); return y; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }";
        var source = GeneratorHarness.Usings + module + model;
        var (diags, _, errors) = GeneratorHarness.Run(source);
        var d = Assert.Single(diags);
        Assert.Equal("GN0004", d.Id);
        var message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'layers.1' (Proj)", message); // the first layer fits; the second gets [B, 5] against its [4, 6]
        Assert.Contains("M.F", message);
        Assert.Equal(source.IndexOf("MatMul(x, w)", System.StringComparison.Ordinal), d.Location.SourceSpan.Start);
        var callSite = Assert.Single(d.AdditionalLocations);
        Assert.Equal(source.IndexOf("l.F(y)", System.StringComparison.Ordinal), callSite.SourceSpan.Start);
        Assert.Empty(errors);
    }

    [Fact]
    public void Shape_error_inside_a_library_module_is_reported_at_the_call_site()
    {
        var source = GeneratorHarness.Usings + Layers + Head + "Linear fc = new(4, 3);\n"
            + "Tensor F([Shape(\"B\", 5)] Tensor x) => fc.Forward(x);\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }";
        var (diags, _, errors) = GeneratorHarness.Run(source);
        var d = Assert.Single(diags);
        Assert.Equal("GN0004", d.Id);
        Assert.Contains("'fc' (Linear)", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(source.IndexOf("fc.Forward(x)", System.StringComparison.Ordinal), d.Location.SourceSpan.Start);
        Assert.Empty(errors);
    }

    [Fact]
    public void GN0026_model_unrolls_past_the_limit() => Expect("GN0026", Head +
        "[Param(3)] Tensor w;\nTensor F([Shape(\"B\", 3)] Tensor x) { var y = x; [|for (int i = 0; i < 9000; i++) y = y * w + x;|] return y; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void Scan_carried_value_must_keep_its_shape() => Expect("GN0004", Head +
        "Tensor F([Shape(\"B\", \"T\", 3)] Tensor x) { var y = Sum(x, 1); [|for (int t = 0; t < x.Shape[1]; t++) y = Concat(new[] { y, x[.., t] }, 1);|] return y; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void Scan_second_order_is_a_clear_error_on_the_entry() => Expect("GN0011", Head +
        "[Param(3)] Tensor w;\nTensor F([Shape(\"B\", \"T\", 3)] Tensor x) { var h = Sum(x, 1); for (int t = 0; t < x.Shape[1]; t++) h = Tanh(h * w + x[.., t]); return h.Sum(); }\n[HessianVectorProduct(nameof(F))] public partial Tensor [|H|](Tensor x, Tensor v); }");

    [Fact]
    public void Scan_sequence_element_outside_its_loop() => Expect("GN0007", Head +
        "Tensor F([Shape(\"B\", \"T\", 3)] Tensor x) { var parts = new Tensor[x.Shape[1]]; parts[[|0|]] = x; return Stack(parts, 1); }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void Scan_return_inside_the_loop() => Expect("GN0007", Head +
        "Tensor F([Shape(\"B\", \"T\", 3)] Tensor x) { var h = Sum(x, 1); [|for (int t = 0; t < x.Shape[1]; t++) { h = h + x[.., t]; return h; }|] return h; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void Scan_step_of_a_value_computed_in_the_loop() => Expect("GN0011", Head +
        "Tensor F([Shape(\"B\", \"T\", 3)] Tensor x) { var h = Sum(x, 1); for (int t = 0; t < x.Shape[1]; t++) { var y = x * 2; h = h + [|y[.., t]|]; } return h; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void Scan_reading_the_sequence_it_fills() => Expect("GN0007", Head +
        "Tensor F([Shape(\"B\", \"T\", 3)] Tensor x) { var o = new Tensor[x.Shape[1]]; var h = Sum(x, 1); for (int t = 0; t < x.Shape[1]; t++) { o[t] = h; h = [|o[t]|] + 1f; } return Stack(o, 1); }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void Scan_break_in_the_loop() => Expect("GN0007", Head +
        "Tensor F([Shape(\"B\", \"T\", 3)] Tensor x) { var h = Sum(x, 1); for (int t = 0; t < x.Shape[1]; t++) { h = h + x[.., t]; [|break;|] } return h; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void Scan_bound_that_is_not_a_dim() => Expect("GN0021", Head +
        "Tensor F([Shape(\"B\", \"T\", 3)] Tensor x, float n) { var h = Sum(x, 1); for (int t = 0; [|t < n|]; t++) h = h + x[.., t]; return h; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x, float n); }");

    [Fact]
    public void Field_assignment_in_a_compile_entry() => Expect("GN0007", Head +
        "[Buffer(3)] Tensor c;\nTensor F([Shape(\"B\", 3)] Tensor x) { [|c = Sum(x, 0)|]; return x; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void Field_assignment_of_the_wrong_shape() => Expect("GN0004", Head +
        "[Buffer(3)] Tensor c;\nTensor F([Shape(\"B\", 3)] Tensor x) { [|c = x|]; return x; }\n[Update(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void Field_assignment_inside_a_scan() => Expect("GN0007", Head +
        "[Buffer(3)] Tensor c;\nTensor F([Shape(\"B\", \"T\", 3)] Tensor x) { for (int t = 0; t < x.Shape[1]; t++) { [|c = Sum(x[.., t], 0)|]; } return x; }\n[Update(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void GN0027_loss_operands_broadcast_against_each_other() => Expect("GN0027", Head +
        "[Param(3, 1)] Tensor w;\nTensor L([Shape(\"B\", 3)] Tensor x, [Shape(\"B\")] Tensor y) => [|Mse(MatMul(x, w), y)|];\n[Gradients(nameof(L))] public partial float G(Tensor x, Tensor y); }");

    [Fact]
    public void A_target_broadcast_into_the_prediction_is_not_reported()
    {
        var (diags, _, errors) = GeneratorHarness.Run(GeneratorHarness.Usings + Head
            + "[Param(3, 2)] Tensor w;\nTensor L([Shape(\"B\", 3)] Tensor x, [Shape(2)] Tensor y) => Mse(MatMul(x, w), y);\n[Gradients(nameof(L))] public partial float G(Tensor x, Tensor y); }");
        Assert.Empty(diags);
        Assert.Empty(errors);
    }

    [Fact]
    public void GN0017_train_update_with_arguments() => Expect("GN0017", Head +
        "[Param(3)] Tensor w;\nTensor L([Shape(\"B\", 3)] Tensor x) => (x * w).Sum();\nTensor Clip(Tensor x) { w = x; return w; }\n"
        + "[Train(nameof(L), Then = nameof(Clip))] public partial float [|S|](Tensor x, Optimizer o); }");

    [Fact]
    public void GN0017_train_parameters_that_name_nothing() => Expect("GN0017", Head +
        "[Param(3)] Tensor w;\nTensor L([Shape(\"B\", 3)] Tensor x) => (x * w).Sum();\n"
        + "[Train(nameof(L), Parameters = \"critic\")] public partial float [|S|](Tensor x, Optimizer o); }");

    [Fact]
    public void Math_of_a_tensor_points_to_ops() => Expect("GN0007", Head +
        "Tensor F([Shape(\"B\", 3)] Tensor x) => x * [|System.MathF.Sqrt(x.Shape[0])|];\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

    [Fact]
    public void An_input_named_like_a_parameter_has_its_own_gradient() // fuzz: a mutant of the Langevin sample
    {
        var (diags, _, errors) = GeneratorHarness.Run(GeneratorHarness.Usings + Head
            + "[Param(3)] Tensor x;\nTensor L([Shape(\"B\", 3)] Tensor x) => (x * x).Sum();\n[Gradient(nameof(L), \"x\")] public partial Tensor G(Tensor x); }");
        Assert.Empty(diags);
        Assert.Empty(errors);
    }
}
