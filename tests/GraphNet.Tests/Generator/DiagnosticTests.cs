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
        "Tensor F([Shape(3)] Tensor x) { var s = [|System.Math.Max(x.Shape[0], 2)|]; return x * s; }\n[Compile(nameof(F))] public partial Tensor P(Tensor x); }");

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
    public void GN9001_internal_error_is_a_diagnostic_not_a_crash()
    {
        var loc = new LocationInfo(0);
        var bad = new CallExpr("MatMul", EquatableArray<Arg>.Empty, loc); // no operands: the lowering table indexes past the end
        var spec = new SpecMethod("F", EquatableArray<InputSpec>.Empty, new[] { new Stmt(null, bad, loc) }.ToEquatable(), loc);
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
}
