using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;

namespace GraphNet.Tests.Generator;

/// <summary>
/// Minimized reproducers of what fuzzing the generator found: each must end in generated code that compiles, or in
/// GN errors alone (never an exception out of the generator, a hang, a stack overflow, GN9001, or a C# error in
/// generated code).
/// </summary>
public class RobustnessTests
{
    private const string Entry = "[Compile(nameof(F))] public partial Tensor P(Tensor x);";

    /// <summary>Runs the generator; asserts nothing escaped and no GN9xxx; returns the GN ids and the C# errors.</summary>
    private static (string[] Gn, Diagnostic[] CSharp) Run(string source)
    {
        var (diags, _, errors) = GeneratorHarness.Run(GeneratorHarness.Usings + source);
        Assert.DoesNotContain(diags, d => d.Id.StartsWith("GN9", StringComparison.Ordinal) || d.Id is "CS8784" or "CS8785");
        return (diags.Select(d => d.Id).ToArray(), errors);
    }

    /// <summary>The model compiles cleanly.</summary>
    private static void Clean(string source)
    {
        var (gn, errors) = Run(source);
        Assert.Empty(gn);
        Assert.Empty(errors);
    }

    /// <summary>The build shows exactly the GN error <paramref name="id"/> and nothing else.</summary>
    private static void OnlyError(string id, string source)
    {
        var (gn, errors) = Run(source);
        Assert.Equal(new[] { id }, gn.Distinct());
        Assert.Empty(errors);
    }

    private static string Model(string members, string head = "[Model] public partial class M") => head + " {\n" + members + "\n}";

    // ---- declarations the generated part could not follow

    [Fact]
    public void Escaped_namespace_and_names_keep_their_at_sign() => Clean("namespace @event;\n" + Model(
        "[Param(3)] Tensor @class;\nTensor F([Shape(\"B\", 3)] Tensor @in) => @in * @class;\n[Compile(nameof(F))] public partial Tensor @return(Tensor @in);"));

    [Fact]
    public void Model_attribute_on_two_partial_declarations_is_compiled_once()
    {
        var (diags, sources, errors) = GeneratorHarness.Run(GeneratorHarness.Usings + Model("Tensor F([Shape(3)] Tensor x) => x * 2;"),
            GeneratorHarness.Usings + Model(Entry));
        Assert.Empty(diags);
        Assert.Equal(new[] { "CS0579" }, errors.Select(e => e.Id)); // C# itself allows one [Model]; the generator still makes one part
        Assert.Single(sources);
    }

    [Fact]
    public void File_local_model_is_an_error_not_a_crash()
    {
        var (gn, _) = Run(Model("Tensor F([Shape(3)] Tensor x) => x;\n" + Entry, "[Model] file partial class M"));
        Assert.Equal(new[] { "GN0013" }, gn);
    }

    [Fact] public void Generic_model() => OnlyError("GN0013", Model("Tensor F([Shape(3)] Tensor x) => x;\n" + Entry, "[Model] public partial class M<T>"));

    [Fact] public void Static_model() => Assert.Contains("GN0013", Run(Model("static Tensor F([Shape(3)] Tensor x) => x;", "[Model] public static partial class M")).Gn);

    [Fact]
    public void Model_nested_in_a_generic_type() =>
        OnlyError("GN0013", "public partial class Outer<T> {\n" + Model("Tensor F([Shape(3)] Tensor x) => x;\n" + Entry) + "\n}");

    [Fact]
    public void Model_nested_in_a_record_and_a_struct() =>
        Clean("public partial record Outer {\npublic partial struct Mid {\n" + Model("Tensor F([Shape(3)] Tensor x) => x * 2;\n" + Entry) + "\n}\n}");

    [Fact]
    public void Entry_outside_a_model_class_gets_a_hint() =>
        OnlyError("GN0019", "public partial class M {\nTensor F([Shape(3)] Tensor x) => x;\n" + Entry + "\n}");

    // ---- members and names

    [Theory]
    [InlineData("public int Parameters => 1;")]
    [InlineData("public string Device = \"\";")]
    [InlineData("int Sc;")]
    [InlineData("int __a;")]
    [InlineData("float __o_result;")]
    [InlineData("public M(Device? d, int s) { }")]
    public void Member_colliding_with_a_generated_one(string member) =>
        OnlyError("GN0014", Model(member + "\nTensor F([Shape(3)] Tensor x) => x;\n" + Entry));

    [Theory]
    [InlineData("\"B*T\"")]
    [InlineData("\"seq-len\"")]
    [InlineData("\"\\\"\"")]
    [InlineData("\"\"")]
    [InlineData("null")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("new object[] { 1, 2 }, 3")]
    public void Bad_shape_argument(string dims) =>
        OnlyError("GN0016", Model($"Tensor F([Shape({dims})] Tensor x) => x;\n" + Entry));

    [Fact] // fuzz seed 29: a dim minus a fraction threw out of the dim arithmetic (GN9001)
    public void A_dim_with_a_fraction_is_a_number_known_at_run_time() =>
        Clean(Model("Tensor F([Shape(\"N\")] Tensor x) => x * (x.Shape[0] - 0.5f) + (0.5f + x.Shape[0]);\n" + Entry));

    [Fact]
    public void Ref_spec_argument() => Assert.Contains("GN0016", Run(Model("Tensor F([Shape(3)] ref Tensor x) => x;\n" + Entry)).Gn);

    [Theory]
    [InlineData("[Param(null)] Tensor w;")]
    [InlineData("[Param(3, new object[] { 2 })] Tensor w;")]
    [InlineData("[Param(3)] float w;")]
    [InlineData("[Param(3)] static Tensor w;")]
    [InlineData("[Param(0)] Tensor w;")]
    [InlineData("[Param(2.5)] Tensor w;")]
    [InlineData("[Param(65536, 65536)] Tensor w;")]
    [InlineData("[Param(2147483647, 2)] Tensor w;")]
    public void Bad_parameter_field(string field) =>
        OnlyError("GN0015", Model(field + "\nTensor F([Shape(3)] Tensor x) => x * w;\n" + Entry));

    [Fact]
    public void Constant_dims_near_int_max_are_too_large_not_miscompiled() =>
        OnlyError("GN0020", Model("Tensor F([Shape(2147483647, 1)] Tensor x, [Shape(1, 4)] Tensor y) => x * y;\n[Compile(nameof(F))] public partial Tensor P(Tensor x, Tensor y);"));

    [Fact]
    public void Entry_that_is_not_partial() =>
        OnlyError("GN0017", Model("Tensor F([Shape(3)] Tensor x) => x;\n[Compile(nameof(F))] public Tensor P(Tensor x) => x;"));

    [Fact]
    public void Static_entry() => OnlyError("GN0017", Model("static Tensor F([Shape(3)] Tensor x) => x;\n[Compile(nameof(F))] public static partial Tensor P(Tensor x);"));

    [Fact]
    public void Ref_entry_parameter() => OnlyError("GN0017", Model("Tensor F([Shape(3)] Tensor x) => x;\n[Compile(nameof(F))] public partial Tensor P(ref Tensor x);"));

    // ---- spec results that are not tensors

    [Theory]
    [InlineData("Tensor F([Shape(3)] Tensor x) => null!;")]
    [InlineData("Tensor F([Shape(3)] Tensor x) => default!;")]
    [InlineData("bool F([Shape(3)] Tensor x) => true;")]
    [InlineData("Tensor[] F([Shape(3)] Tensor x) => new[] { x };")]
    public void Spec_result_that_is_not_a_tensor(string spec) => OnlyError("GN0018", Model(spec + "\n" + Entry));

    [Fact] // fuzz 10k after modules: overloads shared the generated arena field
    public void Overloaded_entry_points_get_distinct_generated_members() => Clean(Model(
        "Tensor Loss([Shape(\"N\")] Tensor x) => x.Mean();\nTensor Loss(float scale, [Shape(\"N\")] Tensor x) => x.Mean() * scale;\n"
        + "[Compile(nameof(Loss))] public partial Tensor Objective(Tensor x);\n[Compile(nameof(Loss))] public partial Tensor Objective(float scale, Tensor x);\n"
        + "[Compile(nameof(Loss))] public partial Tensor Objective_2(Tensor x);"));

    [Fact] // fuzz 10k after modules: an input named Parameters hid the property in 'optimizer.Step(Parameters)'
    public void An_input_named_like_a_generated_member_does_not_hide_it() => Clean(Model(
        "[Param(3)] Tensor w;\nTensor Loss([Shape(3)] Tensor Parameters) => Sum(Parameters * w);\n[Train(nameof(Loss))] public partial float Step(Tensor Parameters, Optimizer optimizer);"));

    [Fact] // fuzz 10k seed 2 after modules: attention scores [B, 2, 65536, 65536] inside the op went unchecked and the generated size did not fit an int
    public void Values_inside_composite_ops_are_checked_for_size()
    {
        // keys shared by the batch: the unfused form, whose [B, 65536, 65536] weights are a value inside the op
        OnlyError("GN0020", Model(
            "[Param(65536, 8)] Tensor k;\n[Param(65536, 8)] Tensor v;\nTensor F([Shape(\"B\", 65536, 8)] Tensor x) => Attention(x, k, v);\n" + Entry));
        // multi-head attention is fused: no [B, 2, 65536, 65536] value exists, so the same sequence length compiles
        Clean(Model(
            "[Param(8, 24)] Tensor w;\nTensor F([Shape(\"B\", 65536, 8)] Tensor x) { var p = Chunk(MatMul(x, w), 3, 2); return MultiHeadAttention(p[0], p[1], p[2], 2); }\n" + Entry));
    }

    [Fact] // fuzz seed 101 (a GAN's clip update mangled to 'b1 = (b1, c)'): assigning a tuple to a field was an internal error
    public void Assigning_a_non_tensor_to_a_field_is_a_diagnostic()
    {
        var (gn, errors) = Run(Model(
            "[Buffer(3)] Tensor c;\nTensor F([Shape(\"B\", 3)] Tensor x) { c = (c, x); return x; }\n[Update(nameof(F))] public partial Tensor P(Tensor x);"));
        Assert.Equal(new[] { "GN0011" }, gn.Distinct());
        Assert.All(errors, e => Assert.Equal("CS0029", e.Id)); // the C# compiler's own error for the same line, nothing of the generator's
    }

    // ---- op arguments that used to throw inside the builder

    [Theory]
    [InlineData("[Param(4)] Tensor w;\nTensor F([Shape(1, 1, 8, 8)] Tensor x) => Conv2d(x, w);", "GN0005")]
    [InlineData("[Param(2, 1, 3, 3)] Tensor w;\nTensor F([Shape(1, 1, 8, 8)] Tensor x) => Conv2d(x, w, stride: 0);", "GN0011")]
    [InlineData("Tensor F([Shape(3)] Tensor x) { var p = Split(x, new[] { 2147483647, 2147483647, 3 }); return p[0]; }", "GN0004")]
    [InlineData("Tensor F([Shape(3)] Tensor x) => MaxPool1d(Reshape(x, 1, 1, 3), 0);", "GN0011")]
    [InlineData("[Param(4, 2, 3, 3)] Tensor w;\nTensor F([Shape(3)] Tensor x) => MaxPool2d(w, int.MaxValue);", "GN0004")] // fuzz 10k, seed 1: a window larger than its input wrapped to 1 position
    [InlineData("[Param] Tensor w;\nTensor F([Shape] Tensor x) => AttentionWeights(x, w);", "GN0005")] // fuzz 10k after modules: IndexOutOfRange
    public void Bad_layer_arguments_are_diagnostics(string spec, string id) => OnlyError(id, Model(spec + "\n" + Entry));

    // ---- size and depth

    [Fact]
    public void Fused_kernel_with_many_inputs_compiles()
    {
        var fields = string.Join("\n", Enumerable.Range(0, 40).Select(i => $"[Param(3)] Tensor w{i};"));
        var sum = string.Join(" + ", Enumerable.Range(0, 40).Select(i => $"x * w{i}"));
        Clean(Model(fields + $"\nTensor F([Shape(\"B\", 3)] Tensor x) => {sum};\n" + Entry));
    }

    [Fact]
    public void Unrolled_iteration_compiles_in_linear_time()
    {
        var body = new StringBuilder("var h0 = x;\n");
        for (int i = 1; i <= 24; i++) body.Append($"var h{i} = h{i - 1} - 0.1f * (h{i - 1} * h{i - 1} - x);\n");
        var clock = Stopwatch.StartNew();
        Clean(Model($"[Param(3)] Tensor w;\nTensor F([Shape(3)] Tensor x) {{ {body} return (h24 * w).Sum(); }}\n"
            + "[Gradients(nameof(F))] public partial float G(Tensor x);"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Thousand_chained_locals_compile()
    {
        var body = new StringBuilder("var h0 = x;\n");
        for (int i = 1; i <= 1000; i++) body.Append($"var h{i} = h{i - 1} * w + x;\n");
        Clean(Model($"[Param(3)] Tensor w;\nTensor F([Shape(3)] Tensor x) {{ {body} return h1000.Sum(); }}\n"
            + "[Gradients(nameof(F))] public partial float G(Tensor x);"));
    }

    [Fact]
    public void Thousand_term_sum_is_too_deep_not_a_stack_overflow() =>
        OnlyError("GN0007", Model($"Tensor F([Shape(3)] Tensor x) => {string.Join(" + ", Enumerable.Repeat("x", 1000))};\n" + Entry));

    [Fact]
    public void Thousand_nested_parentheses() =>
        Clean(Model($"Tensor F([Shape(3)] Tensor x) => {new string('(', 1000)}x{new string(')', 1000)} * 2;\n" + Entry));

    [Fact]
    public void Scan_carrying_a_view_of_an_input_compiles() => // fuzz seed 1: the carry was a reshape with no buffer of its own
        Clean(Model("Tensor F([Shape(\"B\", 12)] Tensor x) { var h = Reshape(x, x.Shape[0], 3, 4); for (int t = 0; t < x.Shape[0]; t++) h = h; return (h * 2f).Sum(); }\n"
            + "[Compile(nameof(F))] public partial Tensor P(Tensor x);\n[Gradient(nameof(F), \"x\")] public partial Tensor G(Tensor x);"));
}
