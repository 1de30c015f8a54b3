using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace GraphNet.Tests.Fuzz;

/// <summary>
/// Structural stress: adds to the model a valid spec method of extreme shape (a 1,000-term sum, 1,000 chained
/// locals, 1,000 nested parentheses or calls, a Newton iteration unrolled 16 times), with a forward entry and an
/// input-gradient entry over it, so the parser, lowering, autodiff, fusion and the emitter all see it.
/// </summary>
public static class StressMembers
{
    private const int Size = 1000;
    private const int NestedCalls = 200;
    private const int NewtonSteps = 16;

    public static Edit? Add(MutationSite s)
    {
        var model = s.ModelClass();
        if (model is null) return null;
        string name = "Stress" + s.Rng.Next(1000);
        var (kind, body) = s.Rng.Next(5) switch
        {
            0 => ("1,000-term sum", " => " + string.Join(" + ", Enumerable.Repeat("x", Size)) + ";"),
            1 => ("1,000 chained locals", Block(Enumerable.Range(1, Size).Select(i => $"var h{i} = {(i == 1 ? "x" : $"h{i - 1}")} + x;"), $"h{Size}")),
            2 => ("1,000 nested parentheses", " => " + new string('(', Size) + "x" + new string(')', Size) + ";"),
            3 => ("200 nested calls", " => " + string.Concat(Enumerable.Repeat("Tanh(", NestedCalls)) + "x" + new string(')', NestedCalls) + ";"),
            _ => ("Newton iteration unrolled 16 times", Block(
                Enumerable.Range(1, NewtonSteps).Select(i => $"var h{i + 1} = h{i} - 0.1f * (h{i} * h{i} - x);").Prepend("var h1 = x;"), $"h{NewtonSteps + 1}")),
        };
        string members = $$"""

                Tensor {{name}}([Shape("B", 3)] Tensor x){{body}}
                Tensor {{name}}Loss([Shape("B", 3)] Tensor x) => {{name}}(x).Sum();
                [Compile(nameof({{name}}))] public partial Tensor {{name}}Forward(Tensor x);
                [Gradient(nameof({{name}}Loss), "x")] public partial Tensor {{name}}Gradient(Tensor x);

            """;
        return s.Insert(model.CloseBraceToken.SpanStart, members, $"add {name}: {kind}");
    }

    private static string Block(IEnumerable<string> statements, string result)
    {
        var b = new StringBuilder("\n    {\n");
        foreach (var statement in statements) b.Append("        ").Append(statement).Append('\n');
        return b.Append("        return ").Append(result).Append(";\n    }").ToString();
    }
}
