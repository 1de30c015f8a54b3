using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using static GraphNet.Tests.Fuzz.MutationSite;

namespace GraphNet.Tests.Fuzz;

/// <summary>Mutation operators that change declarations and statements.</summary>
public static partial class Mutations
{
    /// <summary>Statements outside the compilable subset; {p} is a Tensor parameter of the method.</summary>
    private static readonly string[] UnsupportedStatements =
    [
        "if ({p}.Shape[0] > 1) return {p};",
        "for (int i = 0; i < 3; i++) {p} = {p} + {p};",
        "for (int t = 0; t < {p}.Shape[0]; t++) {p} = {p} + {p};",
        "for (int t = {p}.Shape[0] - 1; t >= 0; t--) {p} = {p} * 2f;",
        "for (int t = 0; t < {p}.Shape[0]; t++) {p} = Concat(new[] { {p}, {p} }, 0);",
        "var seq = new Tensor[{p}.Shape[0]];",
        "for (int t = 0; t < {p}.Shape[0]; t++) { var s = {p}[.., t]; }",
        "while ({p}.Shape[0] < 0) {p} = -{p};",
        "var f = (Tensor t) => t * t;",
        "{p} = {p} + {p};",
        "var c = {p}.Shape[0] > 1 ? {p} : {p} * 2f;",
        "Tensor n = null!;",
        "Tensor d = default!;",
        "var nt = new Tensor(3);",
        "var q = {p} ?? {p};",
        "var (a1, a2) = ({p}, {p});",
        "var arr = new[] { {p}, {p} };",
        "Tensor u;",
        "{ var inner = {p}; }",
        "Tensor Twice(Tensor t) => t + t;",
        "return {p};",
        "throw new System.InvalidOperationException();",
        "var dims = {p}.Shape;",
        "var k = {p}.Shape[0] * 2;",
        "var fl = 0.5f;",
    ];

    /// <summary>Replacements of a return expression {e}.</summary>
    private static readonly string[] UnsupportedReturns =
    [
        "({p}.Shape[0] > 1 ? {e} : {p})",
        "{e}!",
        "null!",
        "default!",
        "new Tensor(3)",
        "new System.Func<Tensor, Tensor>(t => t)({e})",
        "(Tensor)({e})",
        "{e} ?? {p}",
        "{p}",
        "{p}.T",
        "{e} * {p}.Shape[0]",
    ];

    private static readonly string[] ReturnTypes = ["bool", "Tensor[]", "float", "Tensor?", "void", "double", "object", "int"];

    private static readonly string[] ParameterModifiers = ["ref ", "in ", "out ", "params ", "scoped ", "ref readonly "];

    public static Edit? RemoveAttribute(MutationSite s)
    {
        var lists = s.Nodes<AttributeListSyntax>();
        if (lists.Count == 0) return null;
        var list = s.Pick(lists);
        return s.Replace(list.Span, "", $"remove {Short(list.ToString())} at {s.At(list.Span)}");
    }

    /// <summary>Repeats a statement of a block, or a member of a type, right after it.</summary>
    public static Edit? Duplicate(MutationSite s)
    {
        var candidates = s.Root.DescendantNodes()
            .Where(n => n is StatementSyntax { Parent: BlockSyntax } || n is MemberDeclarationSyntax { Parent: TypeDeclarationSyntax })
            .ToList();
        if (candidates.Count == 0) return null;
        var node = s.Pick(candidates);
        return s.Insert(node.Span.End, "\n" + node, $"duplicate {Short(node.ToString())} at {s.At(node.Span)}");
    }

    /// <summary>Puts a statement or return expression outside the subset GraphNet compiles into a spec method.</summary>
    public static Edit? InsertUnsupported(MutationSite s)
    {
        var methods = s.SpecMethods();
        if (methods.Count == 0) return null;
        var method = s.Pick(methods);
        string p = TensorParameter(method)!;
        if (s.Chance(3))
        {
            var returned = ReturnedExpression(method);
            if (returned is null) return null;
            string e = s.Pick(UnsupportedReturns).Replace("{p}", p).Replace("{e}", returned.ToString());
            return s.Replace(returned.Span, e, $"return {Short(e)} in {method.Identifier.Text}");
        }
        string statement = s.Pick(UnsupportedStatements).Replace("{p}", p);
        string description = $"insert '{statement}' in {method.Identifier.Text}";
        if (method.ExpressionBody is { } arrow)
            return s.Replace(TextSpan.FromBounds(arrow.SpanStart, method.SemicolonToken.Span.End),
                $"{{ {statement} return {arrow.Expression}; }}", description);
        var statements = method.Body!.Statements;
        int at = statements.Count == 0 ? method.Body.OpenBraceToken.Span.End : statements[s.Rng.Next(statements.Count)].SpanStart;
        return s.Insert(at, statement + " ", description);
    }

    private static ExpressionSyntax? ReturnedExpression(MethodDeclarationSyntax m) =>
        m.ExpressionBody?.Expression ?? m.Body?.Statements.OfType<ReturnStatementSyntax>().LastOrDefault()?.Expression;

    public static Edit? ChangeReturnType(MutationSite s)
    {
        var methods = s.Nodes<MethodDeclarationSyntax>();
        if (methods.Count == 0) return null;
        var method = s.Pick(methods);
        string type = s.Pick(ReturnTypes);
        return s.Replace(method.ReturnType.Span, type, $"{method.Identifier.Text} returns {type}");
    }

    /// <summary>static members, a file-local or generic or static or abstract class, generic methods, other accessibility, no partial.</summary>
    public static Edit? ChangeModifier(MutationSite s)
    {
        var model = s.ModelClass();
        var methods = s.Nodes<MethodDeclarationSyntax>();
        if (model is null || methods.Count == 0) return null;
        var method = s.Pick(methods);
        switch (s.Rng.Next(9))
        {
            case 0:
                return s.Insert(method.ReturnType.SpanStart, "static ", $"static {method.Identifier.Text}");
            case 1:
                var fields = s.Nodes<FieldDeclarationSyntax>();
                if (fields.Count == 0) return null;
                var field = s.Pick(fields);
                return s.Insert(field.Declaration.SpanStart, "static ", $"static field {Short(field.Declaration.ToString())}");
            case 2:
                var visibility = model.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword));
                return visibility.IsKind(SyntaxKind.None)
                    ? s.Insert(model.Keyword.SpanStart, "file ", $"file class {model.Identifier.Text}")
                    : s.Replace(visibility.Span, "file", $"file class {model.Identifier.Text}");
            case 3:
                return s.Insert(model.Identifier.Span.End, "<T>", $"class {model.Identifier.Text}<T>");
            case 4:
                return s.Insert(method.Identifier.Span.End, "<T>", $"method {method.Identifier.Text}<T>");
            case 5:
                var partial = s.Chance(2) ? model.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.PartialKeyword))
                    : method.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.PartialKeyword));
                return partial.IsKind(SyntaxKind.None) ? null : s.Replace(partial.Span, "", $"drop partial at {s.At(partial.Span)}");
            case 6:
                string kind = s.Pick(["static ", "abstract ", "unsafe ", "new "]);
                return s.Insert(model.Modifiers.Count > 0 ? model.Modifiers[0].SpanStart : model.Keyword.SpanStart, kind,
                    $"{kind.Trim()} class {model.Identifier.Text}");
            case 7:
                string access = s.Pick(["private ", "internal ", "protected ", "protected internal ", "private protected "]);
                var old = method.Modifiers.FirstOrDefault(m => SyntaxFacts.IsAccessibilityModifier(m.Kind()));
                return old.IsKind(SyntaxKind.None)
                    ? s.Insert(method.Modifiers.Count > 0 ? method.Modifiers[0].SpanStart : method.ReturnType.SpanStart, access, $"{access.Trim()} {method.Identifier.Text}")
                    : s.Replace(old.Span, access.Trim(), $"{access.Trim()} {method.Identifier.Text}");
            default:
                string extra = s.Pick(["virtual ", "extern ", "async ", "unsafe ", "new ", "readonly ", "sealed override "]);
                return s.Insert(method.ReturnType.SpanStart, extra, $"{extra.Trim()} {method.Identifier.Text}");
        }
    }

    /// <summary>Nests the model in another type, or puts it in a namespace with an escaped name.</summary>
    public static Edit? Wrap(MutationSite s)
    {
        var model = s.ModelClass();
        if (model is null) return null;
        (string Open, string Close, string Name)[] wrappers =
        [
            ("public partial class Outer<T>\n{\n", "\n}", "generic outer class"),
            ("public class Outer\n{\n", "\n}", "non-partial outer class"),
            ("public partial record Outer\n{\n", "\n}", "outer record"),
            ("public partial record struct Outer\n{\n", "\n}", "outer record struct"),
            ("public partial struct Outer\n{\n", "\n}", "outer struct"),
            ("public static partial class Outer\n{\n", "\n}", "static outer class"),
            ("public partial interface IOuter\n{\n", "\n}", "outer interface"),
            ("public partial class Outer\n{\npartial class Middle\n{\n", "\n}\n}", "two outer classes"),
            ("namespace @class.Inner\n{\n", "\n}", "namespace @class.Inner { }"),
        ];
        if (s.Chance(4))
        {
            int afterUsings = s.Root.Usings.Count > 0 ? s.Root.Usings[^1].FullSpan.End : 0;
            return s.Insert(afterUsings, "namespace @event;\n", "namespace @event;");
        }
        var (open, close, name) = s.Pick(wrappers);
        return s.Replace(model.Span, open + model + close, $"{model.Identifier.Text} inside a {name}");
    }

    /// <summary>Adds a member whose name the generated code also uses.</summary>
    public static Edit? AddCollidingMember(MutationSite s)
    {
        var model = s.ModelClass();
        if (model is null) return null;
        string cls = model.Identifier.Text;
        string entry = s.EntryMethods().FirstOrDefault()?.Identifier.Text ?? "Forward";
        string param = s.Nodes<FieldDeclarationSyntax>().FirstOrDefault()?.Declaration.Variables[0].Identifier.Text ?? "w";
        string[] members =
        [
            "public int Parameters;", "public int Device;", "public global::GraphNet.Device Device => global::GraphNet.Device.Cpu;",
            "const int Sc = 1;", "int __a;", "float __o_result;", $"public {cls}(Device? d, int s) {{ }}", $"public {cls}() {{ }}",
            "int V256;", "int V512;", $"static readonly int[] __shape_{param} = {{ 1 }};", $"Tensor __grad_{param};",
            $"void {entry}_Kernel1() {{ }}", $"struct {entry}_Kernel1_Job {{ }}", $"int __arena_{entry};", $"Tensor? __out_{entry}_result;",
            "class GraphNet { }", "class System { }", "static class Tensor { }", "void Dispose() { }",
        ];
        string member = s.Pick(members);
        return s.Insert(model.OpenBraceToken.Span.End, "\n    " + member, $"add '{member}' to {cls}");
    }

    public static Edit? RefParameter(MutationSite s)
    {
        var parameters = s.Nodes<ParameterSyntax>().Where(p => p.Type is not null).ToList();
        if (parameters.Count == 0) return null;
        var parameter = s.Pick(parameters);
        string modifier = s.Pick(ParameterModifiers);
        return s.Insert(parameter.Type!.SpanStart, modifier, $"{modifier.Trim()} parameter {parameter.Identifier.Text}");
    }

    /// <summary>Adds an overload of a spec method or an entry point (same name, other parameters).</summary>
    public static Edit? Overload(MutationSite s)
    {
        var methods = s.SpecMethods().Concat(s.EntryMethods()).ToList();
        if (methods.Count == 0) return null;
        var method = s.Pick(methods);
        int open = method.ParameterList.OpenParenToken.Span.End - method.SpanStart;
        bool isSpec = method.Body is not null || method.ExpressionBody is not null;
        string extra = s.Rng.Next(3) switch
        {
            0 => isSpec ? "[Shape(3)] Tensor extra" : "Tensor extra",
            1 => "float scale",
            _ => isSpec ? "int n" : "",
        };
        string copy = method.ToString();
        copy = extra == ""
            ? copy[..open] + copy[(method.ParameterList.CloseParenToken.SpanStart - method.SpanStart)..]
            : copy.Insert(open, extra + (method.ParameterList.Parameters.Count > 0 ? ", " : ""));
        return s.Insert(method.Span.End, "\n" + copy, $"overload {method.Identifier.Text}({extra})");
    }
}
