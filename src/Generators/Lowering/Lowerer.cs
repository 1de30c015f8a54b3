using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GraphNet.Compiler;

namespace GraphNet.Generators;

/// <summary>
/// Lowers a spec method (and the spec methods it calls, inlined) to graph IR through
/// <see cref="GraphBuilder"/>. Shape errors become diagnostics on the offending expression.
/// </summary>
internal sealed class Lowerer
{
    private readonly ModelSpec _model;
    private readonly GraphBuilder _b;
    private readonly Dictionary<string, Node> _params;
    private readonly List<DiagnosticInfo> _diags;
    private readonly CancellationToken _ct;
    private readonly Stack<string> _calls = new();

    public Lowerer(ModelSpec model, GraphBuilder b, Dictionary<string, Node> @params, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        _model = model; _b = b; _params = @params; _diags = diags; _ct = ct;
    }

    public Value LowerMethod(SpecMethod m, IReadOnlyList<Value> args)
    {
        _calls.Push(m.Key);
        var env = new Dictionary<string, Value>();
        for (int i = 0; i < m.Inputs.Count; i++) env[m.Inputs[i].Name] = args[i];
        Value? result = null;
        foreach (var s in m.Body)
        {
            var v = Eval(s.Value, env, m.Name);
            if (s.Local is null) { result = v; break; }
            env[s.Local] = v;
        }
        _calls.Pop();
        return result ?? throw new LoweringFailed();
    }

    private Value Eval(Expr e, Dictionary<string, Value> env, string method)
    {
        _ct.ThrowIfCancellationRequested();
        switch (e)
        {
            case NumberExpr n: return new ScalarValue(n.Value);
            case BoolExpr bo: return new BoolValue(bo.Value);
            case StringExpr str: return new StringValue(str.Value);
            case NullExpr: return new NullValue();
            case IndexExpr ix:
                return Guarded(ix.Location, "indexing", () =>
                {
                    var arr = Eval(ix.Array, env, method) as ArrayValue
                        ?? throw new ShapeError(ShapeErrorKind.InvalidArgument, "only arrays of tensors (from Split or Chunk) can be indexed");
                    int i = OpLowering.AsInt(Eval(ix.Index, env, method), "indexing");
                    if (i < 0 || i >= arr.Items.Count) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"index {i} is out of range for {arr.Items.Count} parts");
                    return arr.Items[i];
                });
            case RefExpr r:
                if (env.TryGetValue(r.Name, out var v)) return v;
                if (_params.TryGetValue(r.Name, out var p)) return new TensorValue(p);
                if (_model.Params.Any(q => q.Name == r.Name && q.IsBroken)) throw new LoweringFailed(); // its own error is reported
                return Fail(DiagnosticDescriptors.Unsupported, r.Location, method, $"'{r.Name}'", "refer to spec arguments, locals, [Param] fields and constants");
            case ArrayExpr a:
                return new ArrayValue(a.Items.Select(x => Eval(x, env, method)).ToList());
            case NegateExpr neg:
                return Guarded(neg.Location, "negation", () => Eval(neg.Operand, env, method) switch
                {
                    ScalarValue s => new ScalarValue(-s.Value),
                    DimValue { Dim.IsConstant: true } d => new DimValue(Dim.Const(-d.Dim.Coef)),
                    var x => new TensorValue(_b.Neg(OpLowering.AsTensor(_b, x, "negation"))),
                });
            case DimOfExpr d:
                return Guarded(d.Location, "Shape", () =>
                {
                    var t = OpLowering.AsTensor(_b, Eval(d.Tensor, env, method), "Shape");
                    int axis = GraphBuilder.NormalizeAxis(OpLowering.AsInt(Eval(d.Axis, env, method), "Shape"), t.Shape.Rank, "Shape");
                    return new DimValue(t.Shape[axis]);
                });
            case BinaryExpr bin:
                return Binary(bin, Eval(bin.Left, env, method), Eval(bin.Right, env, method), method);
            case CallExpr call:
                var args = call.Args.Select(x => Eval(x.Value, env, method)).ToList();
                return Guarded(call.Location, call.Op, () => OpLowering.LowerValue(_b, call.Op, args));
            case SpecCallExpr sc:
                var target = _model.Methods.FirstOrDefault(m => m.Key == sc.Key);
                if (target is null)
                    return Fail(DiagnosticDescriptors.Unsupported, sc.Location, method, $"a call to '{sc.Method}'", "call spec methods that return Tensor");
                if (target.OtherReturnType is { } other)
                    return Fail(DiagnosticDescriptors.SpecNotTensor, sc.Location, sc.Method, $"'{other}'");
                if (_calls.Contains(sc.Key))
                    return Fail(DiagnosticDescriptors.Recursive, sc.Location, sc.Method, method);
                var actual = sc.Args.Select(x => Eval(x, env, method)).ToList();
                CheckDeclaredShapes(target, actual, sc);
                return LowerMethod(target, actual);
        }
        throw new LoweringFailed();
    }

    /// <summary>A called spec method's [Shape] must agree with its arguments: constants equal, names consistent.</summary>
    private void CheckDeclaredShapes(SpecMethod target, List<Value> actual, SpecCallExpr call)
    {
        var names = new Dictionary<string, Dim>();
        for (int i = 0; i < target.Inputs.Count && i < actual.Count; i++)
        {
            var input = target.Inputs[i];
            if (!input.HasShape || actual[i] is not TensorValue t) continue;
            var got = t.Node.Shape;
            bool ok = got.Rank == input.Shape.Count;
            for (int a = 0; ok && a < got.Rank; a++)
            {
                var want = input.Shape[a];
                if (int.TryParse(want, out var c)) ok = got[a] == Dim.Const(c);
                else if (names.TryGetValue(want, out var bound)) ok = bound == got[a];
                else names[want] = got[a];
            }
            if (!ok)
                Fail(DiagnosticDescriptors.ShapeMismatch, call.Args[i].Location, call.Method,
                    $"argument '{input.Name}' has shape {got}, but '{target.Name}' declares [{string.Join(", ", input.Shape)}]");
        }
    }

    private Value Binary(BinaryExpr bin, Value l, Value r, string method)
    {
        string name = bin.Operator switch { "+" => "add", "-" => "sub", "*" => "mul", _ => "div" };
        if (l is ScalarValue ls && r is ScalarValue rs)
            return new ScalarValue(bin.Operator switch { "+" => ls.Value + rs.Value, "-" => ls.Value - rs.Value, "*" => ls.Value * rs.Value, _ => ls.Value / rs.Value });
        if (l is DimValue or ScalarValue && r is DimValue or ScalarValue && !(l is ScalarValue sl && sl.Value != System.Math.Floor(sl.Value)))
        {
            Dim a = OpLowering.AsDim(l, name), c = OpLowering.AsDim(r, name);
            if (bin.Operator == "*") return new DimValue(a * c);
            if (bin.Operator == "/" && Dim.TryDivide(a, c) is { } q) return new DimValue(q);
            if (a.IsConstant && c.IsConstant)
                return new DimValue(Dim.Const(bin.Operator == "+" ? a.Coef + c.Coef : bin.Operator == "-" ? a.Coef - c.Coef : a.Coef / c.Coef));
            return Fail(DiagnosticDescriptors.Unsupported, bin.Location, method, $"'{a} {bin.Operator} {c}' on symbolic dims",
                "dims may be multiplied and divided exactly; sums of symbolic dims are not dims");
        }
        return Guarded(bin.Location, name, () =>
        {
            Node a = OpLowering.AsTensor(_b, l, name), c = OpLowering.AsTensor(_b, r, name);
            return new TensorValue(bin.Operator switch { "+" => _b.Add(a, c), "-" => _b.Sub(a, c), "*" => _b.Mul(a, c), _ => _b.Div(a, c) });
        });
    }

    private Value Guarded(LocationInfo loc, string op, System.Func<Value> f)
    {
        try
        {
            var v = f();
            if (v is TensorValue { Node.Shape.Size: var size } t && size.Coef > ModelParser.MaxElements)
                Fail(DiagnosticDescriptors.TooLarge, loc, op, t.Node.Shape.ToString(), size.ToString(), ModelParser.MaxElements.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return v;
        }
        catch (ShapeError e)
        {
            var d = e.Kind switch
            {
                ShapeErrorKind.Mismatch => DiagnosticDescriptors.ShapeMismatch,
                ShapeErrorKind.WrongRank => DiagnosticDescriptors.WrongRank,
                ShapeErrorKind.InvalidArgument => DiagnosticDescriptors.InvalidArgument,
            };
            return Fail(d, loc, op, e.Message);
        }
    }

    private Value Fail(Microsoft.CodeAnalysis.DiagnosticDescriptor d, LocationInfo loc, params string[] args)
    {
        _diags.Add(DiagnosticDescriptors.Info(d, loc, args));
        throw new LoweringFailed();
    }
}
