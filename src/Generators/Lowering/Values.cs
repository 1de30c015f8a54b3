using System.Collections.Generic;
using GraphNet.Compiler;

namespace GraphNet.Generators;

/// <summary>What a spec-method expression evaluates to while it is lowered.</summary>
internal abstract record Value;

internal sealed record TensorValue(Node Node) : Value;

/// <summary>A number known at compile time.</summary>
internal sealed record ScalarValue(double Value) : Value;

/// <summary>An integer that may be a symbolic dim (<c>x.Shape[0]</c>).</summary>
internal sealed record DimValue(Dim Dim) : Value;

internal sealed record ArrayValue(IReadOnlyList<Value> Items) : Value;

internal sealed record BoolValue(bool Value) : Value;

internal sealed record StringValue(string Value) : Value;

internal sealed record NullValue : Value;

/// <summary>Stops lowering an entry point after its diagnostic has been recorded.</summary>
internal sealed class LoweringFailed : System.Exception { }
