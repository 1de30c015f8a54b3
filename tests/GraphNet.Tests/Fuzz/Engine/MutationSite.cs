using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GraphNet.Tests.Fuzz;

/// <summary>One text edit: what it did (for the report) and the whole new source.</summary>
public readonly record struct Edit(string Description, string Source);

/// <summary>The source a mutation operator acts on, its syntax, the mutant's random source, and text edits.</summary>
public sealed class MutationSite(SyntaxTree tree, Random rng)
{
    public CompilationUnitSyntax Root { get; } = tree.GetCompilationUnitRoot();

    public string Text { get; } = tree.GetText().ToString();

    public Random Rng => rng;

    public T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    public bool Chance(int oneIn) => rng.Next(oneIn) == 0;

    public Edit Replace(TextSpan span, string text, string description) =>
        new(description, string.Concat(Text.AsSpan(0, span.Start), text, Text.AsSpan(span.End)));

    public Edit Insert(int position, string text, string description) => Replace(new TextSpan(position, 0), text, description);

    /// <summary>Line:column of a span, for descriptions.</summary>
    public string At(TextSpan span)
    {
        var p = tree.GetLineSpan(span).StartLinePosition;
        return $"{p.Line + 1}:{p.Character + 1}";
    }

    public List<SyntaxToken> Tokens() => Root.DescendantTokens().Where(t => !t.IsKind(SyntaxKind.EndOfFileToken)).ToList();

    public List<T> Nodes<T>() where T : SyntaxNode => Root.DescendantNodes().OfType<T>().ToList();

    /// <summary>The [Model] class, or the first class when a mutation took the attribute away.</summary>
    public ClassDeclarationSyntax? ModelClass() =>
        Root.DescendantNodes().OfType<ClassDeclarationSyntax>().FirstOrDefault(FuzzCorpus.IsModel)
        ?? Root.DescendantNodes().OfType<ClassDeclarationSyntax>().FirstOrDefault();

    /// <summary>Methods with a body and a Tensor parameter: the spec methods, as far as syntax can tell.</summary>
    public List<MethodDeclarationSyntax> SpecMethods() =>
        Nodes<MethodDeclarationSyntax>().Where(m => (m.Body is not null || m.ExpressionBody is not null) && TensorParameter(m) is not null).ToList();

    /// <summary>Entry points: partial methods without a body.</summary>
    public List<MethodDeclarationSyntax> EntryMethods() =>
        Nodes<MethodDeclarationSyntax>().Where(m => m.Body is null && m.ExpressionBody is null && m.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();

    public static string? TensorParameter(MethodDeclarationSyntax m) =>
        m.ParameterList.Parameters.FirstOrDefault(p => p.Type?.ToString() == "Tensor")?.Identifier.Text;

    public static string Short(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
