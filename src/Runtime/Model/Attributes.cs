using System;

namespace GraphNet;

/// <summary>Marks a partial class as a GraphNet model: the generator compiles its spec methods.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute : Attribute { }

/// <summary>
/// Marks a partial class as a GraphNet module: parameters, buffers, sub-modules and spec methods, without entry
/// points. Sizes and flags are primary constructor arguments (<c>class Linear(int inFeatures, int outFeatures)</c>);
/// a model or another module holds it in a field constructed where it is declared (<c>Linear fc = new(784, 256);</c>,
/// <c>Block[] blocks = Modules.Repeat(6, i => new Block(256, 4));</c>) and calls its spec methods. Its
/// parameters are named by path (<c>blocks.3.attn.in_proj_weight</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModuleAttribute : Attribute { }

/// <summary>
/// Written by the generator on a compiled [Module]: its spec, so models in other assemblies can use it.
/// Not for users.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class CompiledModuleAttribute(int version, string spec) : Attribute
{
    /// <summary>The version of the spec format the generator wrote.</summary>
    public int Version { get; } = version;

    /// <summary>The module's spec, encoded as text for the generator.</summary>
    public string Spec { get; } = spec;
}

/// <summary>
/// A trainable parameter field with a constant shape: numbers, or names of const ints of the model
/// (<c>nameof(Hidden)</c>); the generator reports GN0006 for any other name.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class ParamAttribute : Attribute
{
    /// <summary>A parameter of <paramref name="shape"/>: ints, or names of const ints or config values.</summary>
    public ParamAttribute(params object[] shape) { Shape = shape; }

    /// <summary>The dims as given: ints and names.</summary>
    public object[] Shape { get; }

    /// <summary>How the parameter is initialized (default: Glorot for matrices, zeros for vectors).</summary>
    public Init Init { get; set; } = Init.Auto;

    /// <summary>
    /// The fan-in <see cref="Init.UniformFanIn"/> uses for a vector (a bias: the layer's input size), as a number or
    /// the name of a const or config value; matrices and kernels take it from their shape.
    /// </summary>
    public object? FanIn { get; set; }
}

/// <summary>
/// Names a sub-module's parameters and buffers in its holder's namespace, each with <paramref name="suffix"/>
/// appended, instead of under the field's name: PyTorch's flat names for recurrent layers. In an array,
/// <c>{i}</c> in the suffix is the element's index: <c>[Flatten("_l{i}")] LstmLayer[] layers</c> names the layers'
/// weights <c>weight_ih_l0</c>, <c>weight_ih_l1</c>, ... The names must stay unique (the generator says where not).
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class FlattenAttribute(string suffix) : Attribute
{
    /// <summary>The suffix appended to each name; <c>{i}</c> stands for the index in an array.</summary>
    public string Suffix { get; } = suffix;
}

/// <summary>
/// A model buffer with a constant shape: state that belongs to the model and is saved in checkpoints but is
/// not trained (batch norm's running mean and variance). Entry points in training mode update it.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class BufferAttribute : Attribute
{
    /// <summary>A buffer of <paramref name="shape"/>: ints, or names of const ints or config values.</summary>
    public BufferAttribute(params object[] shape) { Shape = shape; }

    /// <summary>The dims as given: ints and names.</summary>
    public object[] Shape { get; }

    /// <summary>The initial value (running means start at zeros, running variances at ones).</summary>
    public Init Init { get; set; } = Init.Zeros;
}

/// <summary>Whether an entry point runs layers in training mode (batch statistics, dropout) or evaluation mode.</summary>
public enum Mode
{
    /// <summary>Training for [Train] and [Gradients]; evaluation for [Compile], [Gradient] and the second-order entries.</summary>
    Auto,
    /// <summary>Batch norm uses and updates the batch statistics; dropout drops.</summary>
    Training,
    /// <summary>Batch norm uses the running statistics; dropout is the identity.</summary>
    Evaluation,
}

/// <summary>The declared shape of a spec method's tensor argument: ints for constant dims, strings for symbolic dims.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class ShapeAttribute : Attribute
{
    /// <summary>The shape <paramref name="dims"/>: ints for constant dims, strings for symbolic ones ("N").</summary>
    public ShapeAttribute(params object[] dims) { Dims = dims; }

    /// <summary>The dims as given.</summary>
    public object[] Dims { get; }
}

/// <summary>Implements the partial method as the compiled forward pass of the named spec method.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CompileAttribute(string spec) : EntryAttribute(spec);

/// <summary>
/// Implements the partial method as the named scalar loss plus its gradient with respect to every
/// parameter; returns the loss and writes the gradients into <c>Parameters[i].Grad</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class GradientsAttribute(string spec) : EntryAttribute(spec);

/// <summary>Implements the partial method as the gradient of the named scalar loss with respect to one input.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class GradientAttribute(string spec, string input) : EntryAttribute(spec)
{
    /// <summary>The name of the input the gradient is taken with respect to.</summary>
    public string Input { get; } = input;
}

/// <summary>An attribute that asks the generator to implement a partial method from a spec method.</summary>
public abstract class EntryAttribute(string spec) : Attribute
{
    /// <summary>The spec method's name (write <c>nameof(Loss)</c>).</summary>
    public string Spec { get; } = spec;

    /// <summary>Training or evaluation mode for batch norm and dropout (default: by the kind of entry).</summary>
    public Mode Mode { get; set; } = Mode.Auto;
}

/// <summary>
/// Implements the partial method as one compiled forward pass of a spec method that assigns to the model's
/// <c>[Param]</c> and <c>[Buffer]</c> fields (<c>centroids = ...;</c>): reads follow program order (a field read
/// before its assignment gives the old value, after it the assigned one, as when the method runs as C#), and the
/// assignments are committed together when the program has run. Returns what the spec returns (an inertia, a
/// log-likelihood). Declare it as <c>[Update(nameof(Lloyd))] public partial Tensor Step(Tensor x);</c>.
/// </summary>
public sealed class UpdateAttribute(string spec) : EntryAttribute(spec);

/// <summary>
/// Implements the partial method as one training step: the named scalar loss, its gradient with respect to
/// every parameter, then <c>optimizer.Step(Parameters)</c>. Declare it as
/// <c>[Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);</c>; it returns the loss.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class TrainAttribute(string spec) : EntryAttribute(spec)
{
    /// <summary>
    /// A spec method without arguments that assigns to fields, run as a compiled update after every optimizer step
    /// (a projection onto a box or a ball, weight clipping, an EMA of another module's parameters):
    /// <c>[Train(nameof(Loss), Then = nameof(Clip))]</c>.
    /// </summary>
    public string? Then { get; set; }

    /// <summary>
    /// The parameters this step trains: a sub-module field (its parameters) or a [Param] field, several separated by
    /// commas; gradients are derived for those only and the optimizer steps those only. A GAN's discriminator step is
    /// <c>[Train(nameof(DiscriminatorLoss), Parameters = nameof(discriminator))]</c>. Default: every parameter.
    /// </summary>
    public string? Parameters { get; set; }
}

/// <summary>
/// Implements the partial method as a Hessian-vector product of the named scalar loss over all parameters:
/// <c>public partial Tensor Hvp(Tensor x, Tensor y, Tensor v)</c> returns H·v, where v and the result are flat
/// vectors of <c>Parameters.ElementCount</c> values in declaration order (row-major within a parameter).
/// It differentiates the generated gradient graph once more (reverse over reverse).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class HessianVectorProductAttribute(string spec) : EntryAttribute(spec);

/// <summary>
/// Implements the partial method as the full Hessian [P, P] of the named scalar loss over all P parameter
/// values (flattened as for <see cref="HessianVectorProductAttribute"/>), computed as P Hessian-vector products.
/// Meant for small models (Newton's method on regression); the cost grows as P times a backward pass.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class HessianAttribute(string spec) : EntryAttribute(spec);
