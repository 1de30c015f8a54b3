using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using GraphNet.Compiler;
using GraphNet.Reference;
using Xunit;

namespace GraphNet.Tests;

/// <summary>
/// The op table checked against oracles: gradient rules against central finite differences in
/// double precision, and the generated float32 kernels (forward and backward) against the reference
/// interpreter, at two bindings of the symbolic dims.
/// </summary>
public class OpTableTests
{
    private static readonly Dictionary<string, long>[] Bindings =
    {
        new() { ["B"] = 5, ["T"] = 3 },
        new() { ["B"] = 2, ["T"] = 7 },
    };

    private sealed record Built(GraphBuilder B, Node[] Inputs, Node Output, Node? Loss);

    /// <summary>The row's graph; with a loss, also <c>sum(out * w)</c> for a random weight input w.</summary>
    private static Built Build(OpRow row, bool withLoss)
    {
        var b = new GraphBuilder();
        var xs = row.Shapes.Select((s, i) => b.Input("x" + i, OpRow.ParseShape(s))).ToArray();
        var y = row.Build(b, xs);
        Node? loss = null;
        if (withLoss) loss = b.Sum(b.Mul(y, b.Input("w", y.Shape)));
        b.Graph.SetOutput(OutputNames.Result, loss ?? y);
        return new Built(b, xs, y, loss);
    }

    private static int[] Concrete(Shape s, Dictionary<string, long> bind) => s.Dims.Select(d => (int)d.Evaluate(x => bind[x])).ToArray();

    private static Dictionary<string, (int[] Shape, double[] Data)> Inputs(OpRow row, Built built, Dictionary<string, long> bind, int seed)
    {
        var rng = new Random(seed);
        var leaves = new Dictionary<string, (int[], double[])>();
        for (int i = 0; i < built.Inputs.Length; i++)
        {
            var shape = Concrete(built.Inputs[i].Shape, bind);
            leaves["x" + i] = (shape, OpTable.Sample(row.DomainOf(i), shape.Aggregate(1, (a, d) => a * d), rng));
        }
        var ws = Concrete(built.Output.Shape, bind);
        leaves["w"] = (ws, OpTable.Sample(Domain.Any, ws.Aggregate(1, (a, d) => a * d), rng));
        return leaves;
    }

    private static OpRow Row(string name) => OpTable.Rows.Single(r => r.Name == name);

    [Fact]
    public void Stop_gradient_blocks_the_gradient_but_not_the_value()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", new Shape(3));
        var y = b.Sum(b.Mul(b.StopGradient(x), x));
        var g = Gradients.Grad(b, y, new[] { x })[0];
        var leaves = new Dictionary<string, (int[], double[])> { ["x"] = (new[] { 3 }, new[] { 1.0, -2.0, 0.5 }) };
        var eval = new Evaluator<double>(b.Graph, leaves);
        Assert.Equal(new[] { 1.0, -2.0, 0.5 }, eval[g].Data);
        Assert.Equal(1 + 4 + 0.25, eval[y].Data[0]);
    }

    [Fact]
    public void Max_pooling_routes_the_gradient_to_the_first_maximum_of_each_window_as_pytorch_does()
    {
        double[] image = { 0, 0, 1, 1, 0, 0, 1, 1, 2, 0, 0, 0, 0, 2, 0, 0 };
        // x.grad after F.max_pool2d(x, 2), F.max_pool2d(x, 3, stride=2, padding=1), F.adaptive_max_pool2d(x, 1): PyTorch 1.13
        var cases = new (Func<GraphBuilder, Node, Node> Pool, double[] Torch)[]
        {
            ((b, x) => b.Pool(x, true, new[] { 2, 2 }, new[] { 2, 2 }, new[] { 0, 0 }), new double[] { 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0 }),
            ((b, x) => b.Pool(x, true, new[] { 3, 3 }, new[] { 2, 2 }, new[] { 1, 1 }), new double[] { 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0 }),
            ((b, x) => b.GlobalPool(x, true), new double[] { 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 }),
        };
        foreach (var (pool, torch) in cases)
        {
            var b = new GraphBuilder();
            var x = b.Input("x", new Shape(1, 1, 4, 4));
            var g = Gradients.Grad(b, b.Sum(pool(b, x)), new[] { x })[0];
            var eval = new Evaluator<double>(b.Graph, new Dictionary<string, (int[], double[])> { ["x"] = (new[] { 1, 1, 4, 4 }, image) });
            Assert.Equal(torch, eval[g].Data);
        }
        // a plain max reduction still shares the gradient between tied maxima (torch.amax)
        var b2 = new GraphBuilder();
        var v = b2.Input("v", new Shape(4));
        var share = Gradients.Grad(b2, b2.Max(v), new[] { v })[0];
        Assert.Equal(new[] { 0.5, 0, 0.5, 0 }, new Evaluator<double>(b2.Graph, new Dictionary<string, (int[], double[])> { ["v"] = (new[] { 4 }, new[] { 3.0, 1, 3, 2 }) })[share].Data);
    }

    [Theory]
    [MemberData(nameof(OpTable.DifferentiableCases), MemberType = typeof(OpTable))]
    public void Gradient_rule_matches_finite_differences(string name)
    {
        var row = Row(name);
        var built = Build(row, withLoss: true);
        var wrt = built.Inputs.Where((_, i) => OpRow.Differentiable(row.DomainOf(i))).ToArray();
        var grads = Gradients.Grad(built.B, built.Loss!, wrt);
        Verifier.Verify(built.B.Graph);
        var bind = Bindings[0];
        var leaves = Inputs(row, built, bind, seed: 11);
        var eval = new Evaluator<double>(built.B.Graph, leaves);
        var plain = Build(row, withLoss: true);
        double Loss(Dictionary<string, (int[], double[])> l) => new Evaluator<double>(plain.B.Graph, l)[plain.Loss!].Data[0];
        foreach (var (x, g) in wrt.Zip(grads))
        {
            var analytic = eval[g].Data;
            var (shape, data) = leaves[x.Attrs.Name];
            Assert.Equal(data.Length, analytic.Length);
            for (int j = 0; j < data.Length; j++)
            {
                const double eps = 1e-6;
                double keep = data[j];
                data[j] = keep + eps; double up = Loss(leaves);
                data[j] = keep - eps; double down = Loss(leaves);
                data[j] = keep;
                double fd = (up - down) / (2 * eps);
                Assert.True(Math.Abs(fd - analytic[j]) <= 1e-6 * (1 + Math.Abs(fd)),
                    $"{name}: d/d{x.Attrs.Name}[{j}] analytic {analytic[j]} vs finite difference {fd}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(OpTable.Cases), MemberType = typeof(OpTable))]
    public void Generated_kernels_match_reference(string name)
    {
        var row = Row(name);
        var type = Compiled.Value.GetType("OpRows.Row_" + name)!;
        // A fresh model per call: random nodes draw what the reference draws (seed 0, first call).
        object Model() => Activator.CreateInstance(type, new object?[] { null, 0 })!;
        foreach (var bind in Bindings)
        {
            var (built, wrt, grads, reference, T, xs) = Prepare(row, bind);

            var forward = (Tensor)type.GetMethod("Run")!.Invoke(Model(), xs)!;
            AssertClose(reference[built.Output], forward, 1e-4, $"{name} forward {Describe(bind)}");
            foreach (var (x, g) in wrt.Zip(grads))
            {
                var args = xs.Append(T("w")).ToArray();
                var got = (Tensor)type.GetMethod("Grad_" + x.Attrs.Name)!.Invoke(Model(), args)!;
                AssertClose(reference[g], got, 1e-3, $"{name} d/d{x.Attrs.Name} {Describe(bind)}");
            }
        }
    }

    /// <summary>The rows compiled again with their device runners (GraphNet.Gpu), for ILGPU's CPU accelerator.</summary>
    private static readonly Lazy<Assembly> CompiledForDevice = new(() => CompileRows("OpRowsGpu", gpu: true));

    private static readonly Lazy<GraphNet.Gpu.GpuDevice> Accelerator = new(GraphNet.Gpu.GpuDevice.CpuAccelerator);

    /// <summary>
    /// The same rows on ILGPU's CPU accelerator through the generated device kernels and routines, against the reference
    /// interpreter: every op runs on the device, forward and backward.
    /// </summary>
    [Theory]
    [MemberData(nameof(OpTable.Cases), MemberType = typeof(OpTable))]
    public void Device_kernels_on_the_ilgpu_cpu_accelerator_match_reference(string name)
    {
        var row = Row(name);
        var type = CompiledForDevice.Value.GetType("OpRowsGpu.Row_" + name)!;
        var runner = type.GetNestedType("OnDevice")!;
        var hostOnly = ((string Entry, string Reason)[])runner.GetField("HostOnly")!.GetValue(null)!;
        object Device() => type.GetMethod("OnGpu")!.Invoke(Activator.CreateInstance(type, new object?[] { null, 0 })!, new object[] { Accelerator.Value })!;
        Assert.True(hostOnly.Length == 0, $"{name} has host-only entries: " + string.Join("; ", hostOnly.Select(h => $"{h.Entry}: {h.Reason}")));
        // the overload over host tensors (it forwards to the one that also takes device tensors)
        System.Reflection.MethodInfo Host(string method) => runner.GetMethods().Single(m => m.Name == method && m.GetParameters().All(p => p.ParameterType == typeof(Tensor)));
        var run = Host("Run");
        var bind = Bindings[1];
        var (built, wrt, grads, reference, T, xs) = Prepare(row, bind);
        AssertClose(reference[built.Output], (Tensor)run.Invoke(Device(), xs)!, 1e-4, $"{name} forward on the device");
        foreach (var (x, g) in wrt.Zip(grads))
        {
            var grad = Host("Grad_" + x.Attrs.Name);
            AssertClose(reference[g], (Tensor)grad.Invoke(Device(), xs.Append(T("w")).ToArray())!, 1e-3, $"{name} d/d{x.Attrs.Name} on the device");
        }
    }

    /// <summary>A row's graph with its loss and input gradients, inputs drawn at a binding, the reference values, and the inputs as tensors.</summary>
    private static (Built Built, Node[] Wrt, Node[] Grads, Evaluator<double> Reference, Func<string, Tensor> T, object[] Xs) Prepare(OpRow row, Dictionary<string, long> bind)
    {
        var built = Build(row, withLoss: true);
        var wrt = built.Inputs.Where((_, i) => OpRow.Differentiable(row.DomainOf(i))).ToArray();
        var grads = Gradients.Grad(built.B, built.Loss!, wrt);
        var leaves = Inputs(row, built, bind, seed: 5);
        Tensor T(string n) => new(leaves[n].Data.Select(v => (float)v).ToArray(), leaves[n].Shape);
        return (built, wrt, grads, new Evaluator<double>(built.B.Graph, leaves), T, built.Inputs.Select(x => (object)T(x.Attrs.Name)).ToArray());
    }

    private static string Describe(Dictionary<string, long> bind) => string.Join(",", bind.Select(kv => $"{kv.Key}={kv.Value}"));

    private static void AssertClose((int[] Shape, double[] Data) expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (int i = 0; i < expected.Data.Length; i++)
            Assert.True(Math.Abs(expected.Data[i] - actual.Data[i]) <= tol * (1 + Math.Abs(expected.Data[i])),
                $"{what}: element {i} expected {expected.Data[i]}, got {actual.Data[i]}");
    }

    /// <summary>All rows compiled into one assembly: a forward entry and one input-gradient entry per differentiable input.</summary>
    private static readonly Lazy<Assembly> Compiled = new(() => CompileRows("OpRows", gpu: false));

    /// <summary>One model per row with a forward entry and an input-gradient entry per differentiable input, compiled in memory.</summary>
    private static Assembly CompileRows(string ns, bool gpu)
    {
        var sources = OpTable.Rows.Select(row =>
        {
            var entries = new List<EntryProgram> { ModelCompiler.Compile("Run", EntryKind.Forward, row.Name, Build(row, false).B.Graph, verify: true) };
            for (int i = 0; i < row.Shapes.Length; i++)
                if (OpRow.Differentiable(row.DomainOf(i)))
                    entries.Add(ModelCompiler.Compile("Grad_x" + i, EntryKind.InputGradient, row.Name, Build(row, true).B.Graph, "x" + i, verify: true));
            return CSharpEmitter.EmitModel(new ModelProgram(ns, Array.Empty<string>(), "Row_" + row.Name, Array.Empty<ParamDecl>(), entries) { PartialEntries = false, Gpu = gpu });
        }).ToArray();
        return Harness.Compile(ns, gpu, sources);
    }

    [Fact]
    public void Cholesky_logdet_and_triangular_solve_match_numpy()
    {
        var a = Tensor.FromArray(new float[] { 4, 2, 0.4f, 2, 5, 1, 0.4f, 1, 3 }, 3, 3);
        double[] l = { 2, 0, 0, 1, 2, 0, 0.2, 0.4, 1.6733200530681511 }; // np.linalg.cholesky(a)
        var chol = Ops.Cholesky(a).Data;
        for (int i = 0; i < l.Length; i++) Assert.Equal(l[i], chol[i], 5);
        Assert.Equal(3.802208139420939, Ops.LogDet(a).Data[0], 5); // np.linalg.slogdet(a)[1]
        var (sign, log) = Ops.SLogDet(Tensor.FromArray(new float[] { 1, 2, 3, 0, -2, 1, 4, 0, 1 }, 3, 3));
        Assert.Equal(1f, sign.Data[0]);
        Assert.Equal(3.401197381662155, log.Data[0], 5);
        var (negative, _) = Ops.SLogDet(Tensor.FromArray(new float[] { 0, 1, 1, 0 }, 2, 2));
        Assert.Equal(-1f, negative.Data[0]);
        Assert.True(float.IsNaN(Ops.LogDet(Tensor.FromArray(new float[] { 0, 1, 1, 0 }, 2, 2)).Data[0])); // torch.logdet of a negative determinant
        Assert.True(float.IsNegativeInfinity(Ops.LogDet(Tensor.FromArray(new float[] { 1, 2, 2, 4 }, 2, 2)).Data[0]));
        // L·x = b reads only the lower triangle: garbage above the diagonal changes nothing
        var lower = Tensor.FromArray(new float[] { 2, 99, 99, 1, 2, 99, 0.2f, 0.4f, 1.5f }, 3, 3);
        var x = Ops.SolveTriangular(lower, Tensor.FromArray(new float[] { 2, 4, 3 }, 3), upper: false).Data;
        double[] expected = { 1, 1.5, (3 - 0.2 - 0.4 * 1.5) / 1.5 };
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], x[i], 5);
        var error = Assert.Throws<ArithmeticException>(() => Ops.Cholesky(Tensor.FromArray(new float[] { 1, 2, 2, 1 }, 2, 2)));
        Assert.Contains("not positive definite", error.Message);
        Assert.Throws<ShapeError>(() => Ops.Cholesky(Tensor.FromArray(new float[6], 2, 3)));
    }

    [Fact]
    public void Erf_and_exact_gelu_match_their_known_values()
    {
        // erf from tables (Abramowitz & Stegun), GELU as PyTorch's nn.GELU() computes it
        var erf = new (double X, double Y)[] { (0.5, 0.5204998778130465), (1, 0.8427007929497149), (2, 0.9953222650189527), (3, 0.9999779095030014), (-1.5, -0.9661051464753108), (4.5, 0.9999999998033839) };
        foreach (var (x, y) in erf) Assert.Equal(y, ScalarSemantics.Erf(x), 14);
        var input = Tensor.FromArray(new float[] { 1f, -0.5f, 2.5f, -3f }, 4);
        var exact = Ops.Gelu(input).Data;
        double[] torch = { 0.8413447460685429, -0.15426876, 2.4844770, -0.0040496 };
        for (int i = 0; i < torch.Length; i++) Assert.Equal(torch[i], exact[i], 5);
        Assert.Equal(0.841192, Ops.Gelu(input, approximate: "tanh").Data[0], 5); // nn.GELU(approximate="tanh")(1.0)
        Assert.Throws<ShapeError>(() => Ops.Gelu(input, approximate: "fast"));
    }
}
