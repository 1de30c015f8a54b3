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

/// <summary>The step index of a loop over a run-time dim (a scan): it may only index sequences (<c>x[.., t]</c>, <c>outputs[t]</c>).</summary>
internal sealed record StepValue(ScanFrame Frame) : Value;

/// <summary>
/// <c>new Tensor[T]</c> for a run-time dim T: filled one element per step by a loop over T, then read as a whole
/// (<c>Stack(outputs, 1)</c>); <see cref="Stacked"/> is the time-major stack [T, ...] once the loop has run.
/// </summary>
internal sealed record SequenceValue(Dim Length) : Value
{
    public Node? Stacked { get; set; }
}

/// <summary>Stops lowering an entry point after its diagnostic has been recorded.</summary>
internal sealed class LoweringFailed : System.Exception { }
