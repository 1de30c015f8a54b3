using System;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using static GraphNet.Tests.Fuzz.MutationSite;

namespace GraphNet.Tests.Fuzz;

/// <summary>Mutation operators that change single tokens: deletions, swaps, literals, dim names, op and identifier names.</summary>
public static partial class Mutations
{
    private static readonly string[] Numbers = ["0", "1", "-1", "2", "3", "7", "1000", "int.MaxValue", "int.MinValue", "65536", "0.5f"];

    private static readonly string LongName = string.Concat(Enumerable.Repeat("VeryLongDimensionName", 50));

    private static readonly string[] Dims =
        new[] { "B", "T", "B*T", "seq-len", "\"", "", "x y", "class", LongName }.Select(d => SymbolDisplay.FormatLiteral(d, quote: true)).ToArray();

    /// <summary>The public static methods of GraphNet.Ops, by reflection, in ordinal order.</summary>
    public static readonly string[] OpNames = typeof(Ops).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Select(m => m.Name).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>Names a renamed identifier can take: escaped keywords, and the names the generated code uses.</summary>
    private static readonly string[] Identifiers =
    [
        "@class", "@event", "@params", "@this", "__a", "__o_result", "__k1", "d_N", "d_B", "Sc", "V256", "V512", "output", "lo", "hi", "j",
        "in0", "t0", "x0", "value", "_", "result", "loss", "optimizer", "Parameters", "Device", "device", "seed", "ĉapelo", "global",
    ];

    public static Edit? DeleteToken(MutationSite s)
    {
        var token = s.Pick(s.Tokens());
        return s.Replace(token.Span, "", $"delete '{Short(token.Text)}' at {s.At(token.Span)}");
    }

    public static Edit? SwapTokens(MutationSite s)
    {
        var tokens = s.Tokens();
        if (tokens.Count < 2) return null;
        int i = s.Rng.Next(tokens.Count - 1);
        var (a, b) = (tokens[i], tokens[i + 1]);
        string between = s.Text[a.Span.End..b.SpanStart];
        return s.Replace(TextSpan.FromBounds(a.SpanStart, b.Span.End), b.Text + between + a.Text,
            $"swap '{Short(a.Text)}' and '{Short(b.Text)}' at {s.At(a.Span)}");
    }

    public static Edit? ReplaceNumber(MutationSite s)
    {
        var numbers = s.Tokens().Where(t => t.IsKind(SyntaxKind.NumericLiteralToken)).ToList();
        if (numbers.Count == 0) return null;
        var token = s.Pick(numbers);
        string value = s.Pick(Numbers);
        return s.Replace(token.Span, value, $"{token.Text} -> {value} at {s.At(token.Span)}");
    }

    /// <summary>Replaces a dim of a [Shape]/[Param]/[Buffer] with an odd name, or appends one.</summary>
    public static Edit? ChangeDim(MutationSite s)
    {
        var attributes = s.Nodes<AttributeSyntax>().Where(a => a.Name.ToString() is "Shape" or "Param" or "Buffer").ToList();
        if (attributes.Count == 0) return null;
        var attribute = s.Pick(attributes);
        string dim = s.Pick(Dims);
        string shown = Short(dim);
        var dims = attribute.ArgumentList?.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList() ?? [];
        if (attribute.ArgumentList is null)
            return s.Insert(attribute.Span.End, $"({dim})", $"[{attribute.Name}] gets dim {shown} at {s.At(attribute.Span)}");
        if (dims.Count == 0)
            return s.Insert(attribute.ArgumentList.OpenParenToken.Span.End, dim + (attribute.ArgumentList.Arguments.Count > 0 ? ", " : ""),
                $"[{attribute.Name}] gets dim {shown} at {s.At(attribute.Span)}");
        if (s.Chance(4))
            return s.Insert(dims[^1].Span.End, ", " + dim, $"[{attribute.Name}] gets extra dim {shown} at {s.At(attribute.Span)}");
        var old = s.Pick(dims);
        return s.Replace(old.Span, dim, $"dim {Short(old.ToString())} -> {shown} at {s.At(old.Span)}");
    }

    /// <summary>Calls a different op of GraphNet.Ops with the same arguments.</summary>
    public static Edit? RenameOp(MutationSite s)
    {
        var names = s.Nodes<InvocationExpressionSyntax>()
            .Select(i => i.Expression switch
            {
                IdentifierNameSyntax id => id.Identifier,
                MemberAccessExpressionSyntax { Name: IdentifierNameSyntax id } => id.Identifier,
                _ => default,
            })
            .Where(t => OpNames.Contains(t.Text))
            .ToList();
        if (names.Count == 0) return null;
        var name = s.Pick(names);
        string other = s.Pick(OpNames.Where(n => n != name.Text).ToList());
        return s.Replace(name.Span, other, $"{name.Text}( -> {other}( at {s.At(name.Span)}");
    }

    /// <summary>Renames a declared name everywhere it is used (so the code stays consistent) to an escaped keyword or a generated name.</summary>
    public static Edit? RenameIdentifier(MutationSite s)
    {
        var declared = s.Root.DescendantNodes()
            .Select(n => n switch
            {
                ParameterSyntax p => p.Identifier,
                VariableDeclaratorSyntax v => v.Identifier,
                MethodDeclarationSyntax m => m.Identifier,
                _ => default,
            })
            .Where(t => t.IsKind(SyntaxKind.IdentifierToken))
            .Select(t => t.ValueText).Distinct().ToList();
        if (declared.Count == 0) return null;
        string name = s.Pick(declared);
        string renamed = s.Chance(3) ? "@" + name : s.Pick(Identifiers);
        var uses = s.Tokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == name).ToList();
        string text = s.Text;
        foreach (var use in uses.OrderByDescending(t => t.SpanStart))
            text = string.Concat(text.AsSpan(0, use.SpanStart), renamed, text.AsSpan(use.Span.End));
        // nameof(x) and "x" in [Gradient(..., "x")] name it too.
        text = text.Replace($"\"{name}\"", SymbolDisplay.FormatLiteral(renamed.TrimStart('@'), quote: true), StringComparison.Ordinal);
        return new Edit($"rename {name} -> {renamed} ({uses.Count} uses)", text);
    }
}
