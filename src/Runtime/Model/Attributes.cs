using System;

namespace GraphNet;

/// <summary>Marks a partial class as a GraphNet model: the generator compiles its spec methods.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute : Attribute { }

/// <summary>
/// A trainable parameter field with a constant shape: numbers, or names of const ints of the model
/// (<c>nameof(Hidden)</c>); the generator reports GN0006 for any other name.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class ParamAttribute : Attribute
{
    public ParamAttribute(params object[] shape) { Shape = shape; }

    public object[] Shape { get; }

    /// <summary>How the parameter is initialized (default: Glorot for matrices, zeros for vectors).</summary>
    public Init Init { get; set; } = Init.Auto;
}

/// <summary>The declared shape of a spec method's tensor argument: ints for constant dims, strings for symbolic dims.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class ShapeAttribute : Attribute
{
    public ShapeAttribute(params object[] dims) { Dims = dims; }

    public object[] Dims { get; }
}

/// <summary>Implements the partial method as the compiled forward pass of the named spec method.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CompileAttribute : Attribute
{
    public CompileAttribute(string spec) { Spec = spec; }

    public string Spec { get; }
}

/// <summary>
/// Implements the partial method as the named scalar loss plus its gradient with respect to every
/// parameter; returns the loss and writes the gradients into <c>Parameters[i].Grad</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class GradientsAttribute : Attribute
{
    public GradientsAttribute(string spec) { Spec = spec; }

    public string Spec { get; }
}

/// <summary>Implements the partial method as the gradient of the named scalar loss with respect to one input.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class GradientAttribute : Attribute
{
    public GradientAttribute(string spec, string input) { Spec = spec; Input = input; }

    public string Spec { get; }

    public string Input { get; }
}
