using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GraphNet.Tests.Fuzz;

/// <summary>
/// Delta debugging: removes ever smaller runs of lines; then syntax (members, statements, attributes, arguments,
/// parameters, and expressions replaced by an operand); then runs of tokens; then tries normalized whitespace,
/// each step kept only while the failure holds. Spends at most <c>maxTests</c> runs of the test. When the source
/// parses cleanly, so must every candidate (those that do not cost nothing): a reproducer is valid C# unless the
/// bug needs a syntax error.
/// </summary>
public static class Minimizer
{
    private readonly record struct Simplification(TextSpan Span, string Replacement);

    public static string Minimize(string source, Func<string, bool> stillFails, int maxTests)
    {
        if (maxTests == 0) return source;
        int tests = 0;
        bool syntaxMatters = !HasSyntaxErrors(source);
        bool Test(string candidate) => !(syntaxMatters && HasSyntaxErrors(candidate)) && tests++ < maxTests && stillFails(candidate);

        string text = string.Join("\n", Reduce(source.Split('\n').ToList(), l => Test(string.Join("\n", l))));
        text = ReduceSyntax(text, Test);
        text = Join(Reduce(Tokens(text), t => Test(Join(t))));
        string normalized = Parse(text).NormalizeWhitespace(eol: "\n").ToFullString();
        return normalized != text && Test(normalized) ? normalized : text;
    }

    public static bool HasSyntaxErrors(string text) => Parse(text).GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);

    private static SyntaxNode Parse(string text) => CSharpSyntaxTree.ParseText(text, FuzzOracle.ParseOptions).GetRoot();

    /// <summary>Tries removing runs of half the items, then a quarter, down to single items.</summary>
    private static List<T> Reduce<T>(List<T> items, Func<List<T>, bool> test)
    {
        for (int chunk = Math.Max(items.Count / 2, 1); chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start < items.Count;)
            {
                var candidate = items.Take(start).Concat(items.Skip(start + chunk)).ToList();
                if (test(candidate)) items = candidate;
                else start += chunk;
            }
        }
        return items;
    }

    /// <summary>
    /// One syntactic simplification at a time, from the end of the text back: an edit leaves the text before it as
    /// it was, so after each success the walk goes on from there (the node just after it included) over a fresh parse.
    /// </summary>
    private static string ReduceSyntax(string text, Func<string, bool> test)
    {
        int position = int.MaxValue;
        for (bool progress = true; progress;)
        {
            progress = false;
            var edits = Simplifications(Parse(text)).Where(e => e.Span.Start < position)
                .OrderByDescending(e => e.Span.Start).ThenBy(e => e.Span.Length).ToList();
            foreach (var edit in edits)
            {
                string candidate = string.Concat(text.AsSpan(0, edit.Span.Start), edit.Replacement, text.AsSpan(edit.Span.End));
                if (candidate == text || !test(candidate)) continue;
                text = candidate;
                position = NextNonSpace(text, edit.Span.Start + edit.Replacement.Length) + 1;
                progress = true;
                break;
            }
        }
        return text;
    }

    /// <summary>The node after an edit may start past its whitespace (a field whose attribute went): it is tried again.</summary>
    private static int NextNonSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        return i;
    }

    private static IEnumerable<Simplification> Simplifications(SyntaxNode root)
    {
        foreach (var node in root.DescendantNodes())
        {
            switch (node)
            {
                case MemberDeclarationSyntax or StatementSyntax { Parent: BlockSyntax } or AttributeListSyntax or UsingDirectiveSyntax:
                    yield return new Simplification(node.Span, "");
                    break;
                case ArgumentSyntax or ParameterSyntax or AttributeArgumentSyntax or AttributeSyntax:
                    yield return new Simplification(WithComma(node), "");
                    break;
            }
            if (node is ExpressionSyntax expression)
            {
                var operands = expression is InvocationExpressionSyntax call
                    ? call.ArgumentList.Arguments.Select(a => a.Expression)
                    : expression.ChildNodes().OfType<ExpressionSyntax>();
                foreach (var operand in operands) yield return new Simplification(expression.Span, operand.ToString());
            }
        }
    }

    /// <summary>A list element's span with the comma that separates it from its neighbour.</summary>
    private static TextSpan WithComma(SyntaxNode element)
    {
        var next = element.GetLastToken().GetNextToken();
        if (next.IsKind(SyntaxKind.CommaToken)) return TextSpan.FromBounds(element.SpanStart, next.Span.End);
        var previous = element.GetFirstToken().GetPreviousToken();
        return previous.IsKind(SyntaxKind.CommaToken) ? TextSpan.FromBounds(previous.SpanStart, element.Span.End) : element.Span;
    }

    /// <summary>Each token with its trivia, so that joining them all gives the text back.</summary>
    private static List<string> Tokens(string text) => Parse(text).DescendantTokens().Select(t => t.ToFullString()).ToList();

    /// <summary>Joins tokens, with a space where removing one between them would glue two words together.</summary>
    private static string Join(List<string> tokens)
    {
        var b = new StringBuilder();
        foreach (var t in tokens.Where(t => t.Length > 0))
        {
            if (b.Length > 0 && IsWordChar(b[^1]) && IsWordChar(t[0])) b.Append(' ');
            b.Append(t);
        }
        return b.ToString();
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '@';
}
