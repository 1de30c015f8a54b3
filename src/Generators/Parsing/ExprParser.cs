using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GraphNet.Generators;

/// <summary>
/// Reads a spec method's body through Roslyn's IOperation tree into <see cref="Expr"/> records.
/// Anything outside the compilable subset becomes GN0007 naming the construct.
/// </summary>
internal sealed class ExprParser
{
    private readonly SemanticModel _model;
    private readonly INamedTypeSymbol _type;
    private readonly HashSet<string> _params;
    private readonly string _method;
    private readonly List<DiagnosticInfo> _diags;
    private readonly LocationTable _locs;
    private readonly CancellationToken _ct;
    private int _depth;

    /// <summary>
    /// How deeply expressions may nest. Deeper ones get GN0007 (split them into locals): the spec's records are
    /// compared and hashed recursively, so their depth must stay bounded.
    /// </summary>
    public const int MaxDepth = 200;

    public ExprParser(SemanticModel model, INamedTypeSymbol type, HashSet<string> @params, string method, LocationTable locs, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        _model = model; _type = type; _params = @params; _method = method; _locs = locs; _diags = diags; _ct = ct;
    }

    private sealed class Unsupported : Exception
    {
        public Unsupported(IOperation? op, SyntaxNode node, string what, string instead) : base(what) { Node = op?.Syntax ?? node; Instead = instead; }
        public SyntaxNode Node { get; }
        public string Instead { get; }
    }

    public EquatableArray<Stmt> ParseBody(MethodDeclarationSyntax syntax)
    {
        try
        {
            var body = (IMethodBodyOperation?)_model.GetOperation(syntax, _ct);
            var block = body?.BlockBody ?? body?.ExpressionBody ?? throw new Unsupported(null, syntax, "a method without a body", "give it an expression or block body");
            return Statements(block).ToEquatable();
        }
        catch (UserError)
        {
            return EquatableArray<Stmt>.Empty; // the C# compiler reports it; a GN error on top would only repeat it
        }
        catch (Unsupported u)
        {
            _diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.Unsupported, _locs.Add(u.Node), _method, u.Message, u.Instead));
            return EquatableArray<Stmt>.Empty;
        }
    }

    private IEnumerable<Stmt> Statements(IBlockOperation block)
    {
        var list = new List<Stmt>();
        foreach (var op in block.Operations)
        {
            _ct.ThrowIfCancellationRequested();
            switch (op)
            {
                case IVariableDeclarationGroupOperation group:
                    foreach (var v in group.Declarations.SelectMany(d => d.Declarators))
                    {
                        var init = v.Initializer?.Value ?? v.GetVariableInitializer()?.Value
                            ?? throw new Unsupported(v, v.Syntax, "a local without an initializer", "initialize each local where it is declared");
                        list.Add(new Stmt(v.Symbol.Name, Parse(init), _locs.Add(v.Syntax)));
                    }
                    break;
                case IReturnOperation ret when ret.ReturnedValue is not null:
                    list.Add(new Stmt(null, Parse(ret.ReturnedValue), _locs.Add(ret.Syntax)));
                    return list;
                default:
                    throw new Unsupported(op, op.Syntax, Describe(op), "spec methods hold local declarations ('var h = ...;') and one 'return'");
            }
        }
        throw new Unsupported(null, block.Syntax, "a body without a 'return'", "end the method with 'return <tensor>;'");
    }

    private Expr Parse(IOperation op)
    {
        _ct.ThrowIfCancellationRequested();
        if (++_depth > MaxDepth)
            throw new Unsupported(op, op.Syntax, $"an expression nested more than {MaxDepth} levels deep",
                "split it into locals ('var a = ...; var b = a + ...;')");
        try { return ParseNode(op); }
        finally { _depth--; }
    }

    /// <summary>The body has a C# error of its own (an invalid operation): the user's build already shows it.</summary>
    private sealed class UserError : Exception { }

    private Expr ParseNode(IOperation op)
    {
        if (op.Kind == OperationKind.Invalid) throw new UserError();
        var loc = _locs.Add(op.Syntax);
        if (op.ConstantValue.HasValue && op.ConstantValue.Value is { } cv)
        {
            if (cv is bool b) return new BoolExpr(b, loc);
            if (cv is int or long or float or double or short or byte) return new NumberExpr(Convert.ToDouble(cv, System.Globalization.CultureInfo.InvariantCulture), loc);
            if (cv is string str) return new StringExpr(str, loc);
        }
        if (op.ConstantValue.HasValue && op.ConstantValue.Value is null) return new NullExpr(loc);
        switch (op)
        {
            case IConversionOperation conv:
                return Parse(conv.Operand);
            case IParenthesizedOperation par:
                return Parse(par.Operand);
            case IParameterReferenceOperation p:
                return new RefExpr(p.Parameter.Name, loc);
            case ILocalReferenceOperation l:
                return new RefExpr(l.Local.Name, loc);
            case IFieldReferenceOperation f when _params.Contains(f.Field.Name) && SymbolEqualityComparer.Default.Equals(f.Field.ContainingType, _type):
                return new RefExpr(f.Field.Name, loc);
            case IFieldReferenceOperation f when f.Field.IsStatic && f.Field.IsReadOnly:
                return StaticReadonly(f, loc);
            case IInvocationOperation inv:
                return Invocation(inv, loc);
            case IBinaryOperation bin:
                return Binary(bin, loc);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } neg when neg.OperatorMethod is null || IsTensorOperator(neg.OperatorMethod):
                return new NegateExpr(Parse(neg.Operand), loc);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Plus } plus:
                return Parse(plus.Operand);
            case IPropertyReferenceOperation { Property.Name: "T" } t when IsTensor(t.Property.ContainingType):
                return new CallExpr("Transpose", new[] { new Arg("x", Parse(t.Instance!)) }.ToEquatable(), loc);
            case IArrayElementReferenceOperation { ArrayReference: IPropertyReferenceOperation { Property.Name: "Shape" } shape } el
                when IsTensor(shape.Property.ContainingType) && el.Indices.Length == 1:
                return new DimOfExpr(Parse(shape.Instance!), Parse(el.Indices[0]), loc);
            case IArrayElementReferenceOperation el when el.Indices.Length == 1:
                return new IndexExpr(Parse(el.ArrayReference), Parse(el.Indices[0]), loc);
            case IArrayCreationOperation arr when arr.Initializer is not null:
                return new ArrayExpr(arr.Initializer.ElementValues.Select(Parse).ToEquatable(), loc);
            case ICollectionExpressionOperation coll:
                return new ArrayExpr(coll.Elements.Select(Parse).ToEquatable(), loc);
            default:
                throw new Unsupported(op, op.Syntax, Describe(op), "use GraphNet.Ops, Tensor operators, locals, other spec methods and constants");
        }
    }

    private Expr StaticReadonly(IFieldReferenceOperation f, LocationInfo loc)
    {
        var declarator = f.Field.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_ct)).OfType<VariableDeclaratorSyntax>().FirstOrDefault();
        if (declarator?.Initializer?.Value is { } init)
        {
            var value = _model.Compilation.GetSemanticModel(init.SyntaxTree).GetConstantValue(init, _ct);
            if (value.HasValue && value.Value is int or float or double or long)
                return new NumberExpr(Convert.ToDouble(value.Value, System.Globalization.CultureInfo.InvariantCulture), loc);
        }
        throw new Unsupported(f, f.Syntax, $"the field '{f.Field.Name}'", "only [Param] fields, const and static readonly numbers initialized with a constant can be used");
    }

    private Expr Invocation(IInvocationOperation inv, LocationInfo loc)
    {
        var m = inv.TargetMethod;
        var owner = m.ContainingType.ToDisplayString();
        if (SymbolEqualityComparer.Default.Equals(m.ContainingType, _type) && inv.Instance is null or IInstanceReferenceOperation)
            return new SpecCallExpr(m.Name, ModelParser.Key(m), inv.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => Parse(a.Value)).ToEquatable(), loc);
        if (owner is "GraphNet.Ops" or "GraphNet.Tensor")
        {
            var args = new List<Arg>();
            if (inv.Instance is not null) args.Add(new Arg("x", Parse(inv.Instance)));
            foreach (var a in inv.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
                args.Add(new Arg(a.Parameter!.Name, Parse(a.Value)));
            return new CallExpr(m.Name, args.ToEquatable(), loc);
        }
        throw new Unsupported(inv, inv.Syntax, $"a call to '{owner}.{m.Name}'", "call GraphNet.Ops, Tensor methods, or other spec methods of this model");
    }

    private Expr Binary(IBinaryOperation bin, LocationInfo loc)
    {
        string? sym = bin.OperatorKind switch
        {
            BinaryOperatorKind.Add => "+",
            BinaryOperatorKind.Subtract => "-",
            BinaryOperatorKind.Multiply => "*",
            BinaryOperatorKind.Divide => "/",
            _ => null,
        };
        if (sym is null || bin.OperatorMethod is { } om && !IsTensorOperator(om))
            throw new Unsupported(bin, bin.Syntax, $"the operator '{bin.OperatorKind}'", "use +, -, * and / on tensors and numbers, and Ops.Lt/Gt/Eq/... for comparisons");
        return new BinaryExpr(sym, Parse(bin.LeftOperand), Parse(bin.RightOperand), loc);
    }

    private static bool IsTensor(ITypeSymbol? t) => t?.ToDisplayString() == "GraphNet.Tensor";

    private static bool IsTensorOperator(IMethodSymbol m) => IsTensor(m.ContainingType);

    private static string Describe(IOperation op) => op.Syntax switch
    {
        IfStatementSyntax => "an 'if' statement",
        ForStatementSyntax => "a 'for' loop",
        ForEachStatementSyntax => "a 'foreach' loop",
        WhileStatementSyntax => "a 'while' loop",
        ConditionalExpressionSyntax => "a conditional expression (?:)",
        LambdaExpressionSyntax => "a lambda",
        ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax => "an object creation ('new')",
        AssignmentExpressionSyntax => "an assignment",
        ThrowStatementSyntax or ThrowExpressionSyntax => "a 'throw'",
        TryStatementSyntax => "a 'try' statement",
        _ => $"'{op.Syntax.ToString().Split('\n')[0].Trim()}' ({op.Kind})",
    };
}
