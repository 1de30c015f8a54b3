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
    private readonly HashSet<string> _members;
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

    /// <param name="members">The instance members spec methods may read: [Param] and [Buffer] fields, sub-module fields, config fields.</param>
    public ExprParser(SemanticModel model, INamedTypeSymbol type, HashSet<string> members, string method, LocationTable locs, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        _model = model; _type = type; _members = members; _method = method; _locs = locs; _diags = diags; _ct = ct;
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
            var stmts = Statements(block.Operations);
            if (!Returns(stmts)) throw new Unsupported(null, block.Syntax, "a body without a 'return'", "end the method with 'return <tensor>;'");
            return stmts.ToEquatable();
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

    /// <summary>
    /// A value that must be known at build time (a config field's initializer, a sub-module's constructor argument):
    /// null after a diagnostic (GN0021 naming <paramref name="what"/>) when it is not written from constants and config values.
    /// </summary>
    public Expr? ParseConstant(IOperation op, string what)
    {
        try
        {
            return Parse(op);
        }
        catch (UserError)
        {
            return null;
        }
        catch (Unsupported u)
        {
            _diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.NotConstant, _locs.Add(u.Node), what, u.Message));
            return null;
        }
    }

    private static bool Returns(List<Stmt> stmts) => stmts.Any(s => s is ReturnStmt || s is IfStmt i && Returns(i.Then.ToList()) && Returns(i.Else.ToList()));

    private List<Stmt> Statements(IEnumerable<IOperation> ops)
    {
        var list = new List<Stmt>();
        foreach (var op in ops)
        {
            _ct.ThrowIfCancellationRequested();
            switch (op)
            {
                case IVariableDeclarationGroupOperation group:
                    foreach (var v in group.Declarations.SelectMany(d => d.Declarators))
                    {
                        var init = v.Initializer?.Value ?? v.GetVariableInitializer()?.Value
                            ?? throw new Unsupported(v, v.Syntax, "a local without an initializer", "initialize each local where it is declared");
                        list.Add(new AssignStmt(v.Symbol.Name, Parse(init), _locs.Add(v.Syntax)));
                    }
                    break;
                case IReturnOperation ret when ret.ReturnedValue is not null:
                    list.Add(new ReturnStmt(Parse(ret.ReturnedValue), _locs.Add(ret.Syntax)));
                    break;
                case IExpressionStatementOperation es:
                    list.Add(Assignment(es.Operation));
                    break;
                case IBlockOperation block:
                    list.AddRange(Statements(block.Operations));
                    break;
                case IEmptyOperation:
                    break;
                case IForLoopOperation loop:
                    list.Add(For(loop));
                    break;
                case IForEachLoopOperation each:
                    var control = each.LoopControlVariable as IVariableDeclaratorOperation
                        ?? throw new Unsupported(each, each.Syntax, "a 'foreach' without a simple loop variable", "write 'foreach (var b in blocks)'");
                    list.Add(new ForeachStmt(control.Symbol.Name, Parse(each.Collection), Statements(Body(each.Body)).ToEquatable(), _locs.Add(each.Syntax)));
                    break;
                case IConditionalOperation cond when cond.Syntax is IfStatementSyntax:
                    list.Add(new IfStmt(Parse(cond.Condition), Statements(Body(cond.WhenTrue)).ToEquatable(),
                        cond.WhenFalse is null ? EquatableArray<Stmt>.Empty : Statements(Body(cond.WhenFalse)).ToEquatable(), _locs.Add(cond.Syntax)));
                    break;
                default:
                    if (op.Kind == OperationKind.Invalid) throw new UserError();
                    throw new Unsupported(op, op.Syntax, Describe(op),
                        "spec methods hold locals ('var h = ...;'), assignments, 'for'/'foreach' over constant bounds, 'if' on constants, and 'return'");
            }
        }
        return list;
    }

    private static IEnumerable<IOperation> Body(IOperation op) => op is IBlockOperation b ? b.Operations : new[] { op };

    private ForStmt For(IForLoopOperation loop)
    {
        const string form = "write 'for (int i = 0; i < n; i++)' with one int loop variable";
        var declarators = loop.Before.OfType<IVariableDeclarationGroupOperation>().SelectMany(g => g.Declarations).SelectMany(d => d.Declarators).ToList();
        if (loop.Before.Length != 1 || declarators.Count != 1 || loop.Condition is null || loop.AtLoopBottom.Length != 1)
            throw new Unsupported(loop, loop.Syntax, "a 'for' loop of this form", form);
        var v = declarators[0];
        var start = v.Initializer?.Value ?? v.GetVariableInitializer()?.Value ?? throw new Unsupported(loop, loop.Syntax, "a 'for' loop variable without a start value", form);
        var step = Assignment(loop.AtLoopBottom[0] is IExpressionStatementOperation es ? es.Operation : loop.AtLoopBottom[0]);
        if (step is not AssignStmt { } next || next.Local != v.Symbol.Name)
            throw new Unsupported(loop, loop.Syntax, "a 'for' loop whose step does not update its variable", form);
        return new ForStmt(v.Symbol.Name, Parse(start), Parse(loop.Condition), next.Value, Statements(Body(loop.Body)).ToEquatable(), _locs.Add(loop.Syntax));
    }

    /// <summary>An assignment statement: <c>x = v</c>, <c>x += v</c>, <c>i++</c>, <c>(a, b) = v</c>, <c>var (a, b) = v</c>.</summary>
    private Stmt Assignment(IOperation op)
    {
        var loc = _locs.Add(op.Syntax);
        switch (op)
        {
            case ISimpleAssignmentOperation a when LocalName(a.Target) is { } name:
                return new AssignStmt(name, Parse(a.Value), loc);
            case ISimpleAssignmentOperation { Target: IFieldReferenceOperation { Instance: IInstanceReferenceOperation } f } a:
                return new FieldAssignStmt(f.Field.Name, Parse(a.Value), loc);
            case ICompoundAssignmentOperation { Target: IFieldReferenceOperation { Instance: IInstanceReferenceOperation } f } c when Operator(c.OperatorKind) is { } fieldOp
                && (c.OperatorMethod is null || IsTensorOperator(c.OperatorMethod)):
                return new FieldAssignStmt(f.Field.Name, new BinaryExpr(fieldOp, new FieldExpr(f.Field.Name, loc), Parse(c.Value), loc), loc);
            case ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation { Indices.Length: 1 } el } a when LocalName(el.ArrayReference) is { } array:
                return new ElementAssignStmt(array, Parse(el.Indices[0]), Parse(a.Value), loc);
            case ICompoundAssignmentOperation c when LocalName(c.Target) is { } name && Operator(c.OperatorKind) is { } sym
                && (c.OperatorMethod is null || IsTensorOperator(c.OperatorMethod)):
                return new AssignStmt(name, new BinaryExpr(sym, new RefExpr(name, loc), Parse(c.Value), loc), loc);
            case IIncrementOrDecrementOperation inc when LocalName(inc.Target) is { } name:
                return new AssignStmt(name, new BinaryExpr(inc.Kind == OperationKind.Increment ? "+" : "-", new RefExpr(name, loc), new NumberExpr(1, loc), loc), loc);
            case IDeconstructionAssignmentOperation d:
                var target = d.Target is IDeclarationExpressionOperation decl ? decl.Expression : d.Target;
                if (target is not ITupleOperation tuple) throw new Unsupported(d, d.Syntax, "a deconstruction of this form", "write 'var (h, c) = Cell(x, h, c);'");
                var names = tuple.Elements.Select(e => e switch
                {
                    IDiscardOperation => "",
                    IDeclarationExpressionOperation { Expression: ILocalReferenceOperation l } => l.Local.Name,
                    _ => LocalName(e) ?? throw new Unsupported(e, e.Syntax, "a deconstruction into something other than locals", "deconstruct into locals: 'var (h, c) = ...'"),
                }).ToEquatable();
                return new DeconstructStmt(names, Parse(d.Value), loc);
            default:
                if (op.Kind == OperationKind.Invalid) throw new UserError();
                throw new Unsupported(op, op.Syntax, Describe(op), "assign to locals ('x = x + ...;'); fields of the model are set by GraphNet");
        }
    }

    private static string? LocalName(IOperation target) => target switch
    {
        ILocalReferenceOperation l => l.Local.Name,
        IParameterReferenceOperation p when p.Parameter.ContainingSymbol is IMethodSymbol { MethodKind: not MethodKind.Constructor } => p.Parameter.Name,
        _ => null,
    };

    private static string? Operator(BinaryOperatorKind k) => k switch
    {
        BinaryOperatorKind.Add => "+",
        BinaryOperatorKind.Subtract => "-",
        BinaryOperatorKind.Multiply => "*",
        BinaryOperatorKind.Divide => "/",
        BinaryOperatorKind.Remainder => "%",
        BinaryOperatorKind.LessThan => "<",
        BinaryOperatorKind.LessThanOrEqual => "<=",
        BinaryOperatorKind.GreaterThan => ">",
        BinaryOperatorKind.GreaterThanOrEqual => ">=",
        BinaryOperatorKind.Equals => "==",
        BinaryOperatorKind.NotEquals => "!=",
        BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.And => "&&",
        BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.Or => "||",
        _ => null,
    };

    /// <summary>One end of a range in an index: its value (null when open) and whether it counts from the end (<c>^k</c>).</summary>
    private IEnumerable<Arg> RangeBound(IOperation? operand, string name, LocationInfo loc)
    {
        while (operand is IConversionOperation conv) operand = conv.Operand; // int to Index
        if (operand is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } hat)
            return new[] { new Arg(name, Parse(hat.Operand)), new Arg(name + "FromEnd", new BoolExpr(true, loc)) };
        return new[] { new Arg(name, operand is null ? new NullExpr(loc) : Parse(operand)), new Arg(name + "FromEnd", new BoolExpr(false, loc)) };
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
            case IParameterReferenceOperation p when p.Parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } ctor
                && SymbolEqualityComparer.Default.Equals(ctor.ContainingType, _type):
                return new FieldExpr(p.Parameter.Name, loc); // a primary constructor's argument: a config value
            case IParameterReferenceOperation p:
                return new RefExpr(p.Parameter.Name, loc);
            case ILocalReferenceOperation l:
                return new RefExpr(l.Local.Name, loc);
            case IFieldReferenceOperation f when _members.Contains(f.Field.Name) && SymbolEqualityComparer.Default.Equals(f.Field.ContainingType, _type)
                && f.Instance is null or IInstanceReferenceOperation:
                return new FieldExpr(f.Field.Name, loc);
            case IFieldReferenceOperation { Field.ContainingType.IsTupleType: true } tf when tf.Instance is not null && TupleIndex(tf.Field) is int index:
                return new IndexExpr(Parse(tf.Instance), new NumberExpr(index, loc), loc);
            case IFieldReferenceOperation f when f.Field.IsStatic && f.Field.IsReadOnly:
                return StaticReadonly(f, loc);
            case IInvocationOperation inv:
                return Invocation(inv, loc);
            case IBinaryOperation bin:
                return Binary(bin, loc);
            case IConditionalOperation cond when cond.WhenFalse is not null:
                return new CondExpr(Parse(cond.Condition), Parse(cond.WhenTrue), Parse(cond.WhenFalse), loc);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not:
                return new NotExpr(Parse(not.Operand), loc);
            case ITupleOperation tuple:
                return new ArrayExpr(tuple.Elements.Select(Parse).ToEquatable(), loc);
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { Type: IArrayTypeSymbol } arr }:
                return new LengthExpr(Parse(arr), loc);
            case IInstanceReferenceOperation:
                throw new Unsupported(op, op.Syntax, "'this' as a value", "read its fields ('this.weight') or call its spec methods");
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } neg when neg.OperatorMethod is null || IsTensorOperator(neg.OperatorMethod):
                return new NegateExpr(Parse(neg.Operand), loc);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Plus } plus:
                return Parse(plus.Operand);
            case IPropertyReferenceOperation { Property.Name: "T" } t when IsTensor(t.Property.ContainingType):
                return new CallExpr("Transpose", new[] { new Arg("x", Parse(t.Instance!)) }.ToEquatable(), loc);
            case IArrayElementReferenceOperation { ArrayReference: IPropertyReferenceOperation { Property.Name: "Shape" } shape } el
                when IsTensor(shape.Property.ContainingType) && el.Indices.Length == 1:
                return new DimOfExpr(Parse(shape.Instance!), Parse(el.Indices[0]), loc);
            case IPropertyReferenceOperation { Property.IsIndexer: true } ix when IsTensor(ix.Property.ContainingType) && ix.Arguments.Length >= 2
                && ix.Arguments.Take(ix.Arguments.Length - 1).All(a => a.Value is IRangeOperation { LeftOperand: null, RightOperand: null })
                && ix.Arguments[ix.Arguments.Length - 1].Value is not IRangeOperation:
                // x[.., t], x[.., .., t]: Select along the axis of the int
                return new CallExpr("Select", new[]
                {
                    new Arg("x", Parse(ix.Instance!)), new Arg("axis", new NumberExpr(ix.Arguments.Length - 1, loc)), new Arg("index", Parse(ix.Arguments[ix.Arguments.Length - 1].Value)),
                }.ToEquatable(), loc);
            case IPropertyReferenceOperation { Property.IsIndexer: true } ix when IsTensor(ix.Property.ContainingType)
                && ix.Arguments.All(a => a.Value is IRangeOperation):
            {
                // x[.., 1..], x[..^1]: one slice per axis whose range is not '..', each bound from the start or (^k) the end
                var sliced = Parse(ix.Instance!);
                for (int axis = 0; axis < ix.Arguments.Length; axis++)
                {
                    var range = (IRangeOperation)ix.Arguments[axis].Value;
                    if (range.LeftOperand is null && range.RightOperand is null) continue;
                    sliced = new CallExpr("SliceRange", new[] { new Arg("x", sliced), new Arg("axis", new NumberExpr(axis, loc)) }
                        .Concat(RangeBound(range.LeftOperand, "start", loc)).Concat(RangeBound(range.RightOperand, "end", loc)).ToEquatable(), loc);
                }
                return sliced;
            }
            case IArrayElementReferenceOperation el when el.Indices.Length == 1:
                return new IndexExpr(Parse(el.ArrayReference), Parse(el.Indices[0]), loc);
            case IArrayCreationOperation { Initializer: null, DimensionSizes.Length: 1 } sized:
                return new NewArrayExpr(Parse(sized.DimensionSizes[0]), loc);
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
        if (inv.Instance is not null and not IInstanceReferenceOperation && !m.IsStatic && ModuleReader.IsModule(m.ContainingType))
            return new MemberCallExpr(Parse(inv.Instance), m.Name, ModelParser.Key(m), inv.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => Parse(a.Value)).ToEquatable(), loc);
        if (owner is "GraphNet.Ops" or "GraphNet.Tensor")
        {
            var args = new List<Arg>();
            if (inv.Instance is not null) args.Add(new Arg("x", Parse(inv.Instance)));
            foreach (var a in inv.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
                args.Add(new Arg(a.Parameter!.Name, Parse(a.Value)));
            return new CallExpr(m.Name, args.ToEquatable(), loc);
        }
        if (owner is "System.Math" or "System.MathF" && MathFunctions.Contains(m.Name))
            return new CallExpr("Math." + m.Name, inv.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => new Arg(a.Parameter!.Name, Parse(a.Value))).ToEquatable(), loc);
        throw new Unsupported(inv, inv.Syntax, $"a call to '{owner}.{m.Name}'", "call GraphNet.Ops, Tensor methods, or other spec methods of this model");
    }

    /// <summary>Math/MathF functions a spec method may apply to numbers known at build time (a scale 1/√d, a normalizing constant).</summary>
    internal static readonly string[] MathFunctions = { "Sqrt", "Log", "Exp", "Pow", "Abs", "Max", "Min", "Sin", "Cos", "Tanh", "Floor", "Ceiling", "Log2", "Log10" };

    private Expr Binary(IBinaryOperation bin, LocationInfo loc)
    {
        string? sym = Operator(bin.OperatorKind);
        bool arithmetic = sym is "+" or "-" or "*" or "/";
        if (sym is null || bin.OperatorMethod is { } om && (!IsTensorOperator(om) || !arithmetic))
            throw new Unsupported(bin, bin.Syntax, $"the operator '{bin.OperatorKind}'",
                "use +, -, * and / on tensors and numbers, comparisons and &&, || on compile-time numbers and flags, and Ops.Lt/Gt/Eq/... on tensors");
        return new BinaryExpr(sym, Parse(bin.LeftOperand), Parse(bin.RightOperand), loc);
    }

    private static int? TupleIndex(IFieldSymbol f)
    {
        var name = (f.CorrespondingTupleField ?? f).Name;
        return name.StartsWith("Item", StringComparison.Ordinal) && int.TryParse(name.Substring(4), out var i) && i >= 1 ? i - 1 : null;
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
        _ => $"'{op.Syntax.ToString().Split('\n')[0].Trim()}' (a {Words(op.Kind.ToString())})",
    };

    /// <summary>An operation kind in words: PropertyReference → "property reference".</summary>
    private static string Words(string kind) =>
        string.Concat(kind.Select((c, i) => char.IsUpper(c) ? (i > 0 ? " " : "") + char.ToLowerInvariant(c) : c.ToString()));
}
