namespace GraphNet.Generators;

/// <summary>An expression of a spec method, resolved against the semantic model but holding no symbols.</summary>
public abstract record Expr(LocationInfo Location);

/// <summary>A reference to a spec argument, a local, or a parameter field.</summary>
public sealed record RefExpr(string Name, LocationInfo Location) : Expr(Location);

public sealed record NumberExpr(double Value, LocationInfo Location) : Expr(Location);

public sealed record BoolExpr(bool Value, LocationInfo Location) : Expr(Location);

/// <summary>A call of an op (GraphNet.Ops or a Tensor method/operator), with arguments by parameter name.</summary>
public sealed record CallExpr(string Op, EquatableArray<Arg> Args, LocationInfo Location) : Expr(Location);

public sealed record Arg(string Name, Expr Value);

/// <summary>A call of another spec method of the model (inlined when lowered), by its name and overload key.</summary>
public sealed record SpecCallExpr(string Method, string Key, EquatableArray<Expr> Args, LocationInfo Location) : Expr(Location);

/// <summary>Arithmetic on scalars or dims: +, -, *, /.</summary>
public sealed record BinaryExpr(string Operator, Expr Left, Expr Right, LocationInfo Location) : Expr(Location);

public sealed record NegateExpr(Expr Operand, LocationInfo Location) : Expr(Location);

/// <summary><c>x.Shape[axis]</c>: a (possibly symbolic) dim.</summary>
public sealed record DimOfExpr(Expr Tensor, Expr Axis, LocationInfo Location) : Expr(Location);

/// <summary>An array of ints or dims (axes, shapes).</summary>
public sealed record ArrayExpr(EquatableArray<Expr> Items, LocationInfo Location) : Expr(Location);

/// <summary>A string constant (padding modes such as "same").</summary>
public sealed record StringExpr(string Value, LocationInfo Location) : Expr(Location);

/// <summary>The null literal (an optional tensor argument left out, such as a bias).</summary>
public sealed record NullExpr(LocationInfo Location) : Expr(Location);

/// <summary><c>parts[i]</c>: an element of an array of tensors (the result of Split or Chunk).</summary>
public sealed record IndexExpr(Expr Array, Expr Index, LocationInfo Location) : Expr(Location);

/// <summary>A member of the model or module instance: a [Param] or [Buffer] field, a sub-module field, or a config value (a constructor argument or a field computed from them).</summary>
public sealed record FieldExpr(string Name, LocationInfo Location) : Expr(Location);

/// <summary><c>c ? a : b</c> on a compile-time condition.</summary>
public sealed record CondExpr(Expr Condition, Expr WhenTrue, Expr WhenFalse, LocationInfo Location) : Expr(Location);

/// <summary><c>!c</c> on a compile-time condition.</summary>
public sealed record NotExpr(Expr Operand, LocationInfo Location) : Expr(Location);

/// <summary>A call of a spec method of a sub-module (<c>attn.Forward(x)</c>, <c>blocks[i].Forward(x)</c>), inlined when lowered.</summary>
public sealed record MemberCallExpr(Expr Target, string Method, string Key, EquatableArray<Expr> Args, LocationInfo Location) : Expr(Location);

/// <summary><c>a.Length</c> of a module array or an array of tensors.</summary>
public sealed record LengthExpr(Expr Array, LocationInfo Location) : Expr(Location);

/// <summary><c>new Tensor[n]</c> with a compile-time length: an array of tensors filled by <see cref="ElementAssignStmt"/> (per-step results of a loop).</summary>
public sealed record NewArrayExpr(Expr Length, LocationInfo Location) : Expr(Location);
