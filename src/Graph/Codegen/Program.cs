using System.Collections.Generic;

namespace GraphNet.Compiler;

/// <summary>What an entry point computes.</summary>
public enum EntryKind
{
    /// <summary>Runs the spec method and returns its result.</summary>
    Forward,
    /// <summary>Returns the scalar loss and writes the gradient of every parameter.</summary>
    LossAndGradients,
    /// <summary>Returns the gradient of the scalar loss with respect to one input.</summary>
    InputGradient,
    /// <summary>Like <see cref="LossAndGradients"/>, then calls the optimizer it is given on the parameters.</summary>
    Train,
    /// <summary>Returns H·v for the Hessian H of the loss over all parameters, v and H·v flat in declaration order.</summary>
    HessianVectorProduct,
    /// <summary>Returns the full Hessian [P, P] of the loss over all parameters (P Hessian-vector products).</summary>
    Hessian,
}

/// <summary>A tensor the entry point receives or the model owns, with its declared shape.</summary>
public sealed record TensorDecl(string Name, Shape Shape)
{
    /// <summary>"float" or "int" for a scalar argument: the entry takes the number, the graph reads it as a rank-0 input named <see cref="Name"/>.</summary>
    public string? ScalarType { get; init; }

    /// <summary>The entry's parameter name when it differs from the graph input's (scalar arguments).</summary>
    public string? Argument { get; init; }

    /// <summary>The run-time dim an <c>int</c> argument binds when the entry uses it as a length (a loop's trip count); null when it is only a number.</summary>
    public string? BindsDim { get; init; }
}

/// <summary>A parameter: name, constant shape, and the initializer's C# expression.</summary>
public sealed record ParamDecl(string Name, Shape Shape, string Init)
{
    /// <summary>The hierarchical name users see (Parameters, checkpoints): "blocks.3.attn.q.weight"; null: <see cref="Name"/>.</summary>
    public string? Path { get; init; }

    /// <summary>The generated part declares the field (a module's parameter); false: the user's own [Param] field.</summary>
    public bool Declare { get; init; }

    /// <summary>The fan-in given to the initializer (a bias's layer input size), when the shape alone does not tell it.</summary>
    public int? FanIn { get; init; }

    public string Display => Path ?? Name;
}

/// <summary>One compiled entry point: its signature and its schedule.</summary>
public sealed record EntryProgram(string Name, EntryKind Kind, string Spec, IReadOnlyList<TensorDecl> Inputs, string? Wrt, Schedule Schedule)
{
    /// <summary>The modifiers of the user's partial declaration, for example "public".</summary>
    public string Modifiers { get; init; } = "public";

    /// <summary>The name of the entry's extra trailing argument: the optimizer of a Train entry, v of a Hessian-vector product.</summary>
    public string? Extra { get; init; }

    /// <summary>How many tensors a forward entry returns as a tuple (outputs result.0, result.1, ...); 0 for one.</summary>
    public int ResultArity { get; init; }

    /// <summary>The prefix of the entry's generated members (arena, buffers, kernels): its name, made unique among overloads.</summary>
    public string Member { get => _member ?? Name; init => _member = value; }

    private readonly string? _member;

    /// <summary>The tuple type as the user declared it (element names must match the partial declaration).</summary>
    public string? ResultType { get; init; }

    /// <summary>A Train entry's update run after the optimizer step: the name of the hidden entry that runs it.</summary>
    public string? Then { get; init; }

    /// <summary>The parameters (display names) a [Train] entry steps, when not all of them.</summary>
    public IReadOnlyList<string>? Trains { get; init; }

    /// <summary>A [Compile] entry's inference graph (<see cref="GraphCodec"/> text, leaves under their user-facing names), emitted for ONNX export; null for other entries.</summary>
    public string? Graph { get; init; }

    /// <summary>A generated helper entry (a Train entry's update): private, not a partial the user declared, called from inside another entry.</summary>
    public bool Hidden { get; init; }
}

/// <summary>Everything the C# emitter needs for one model class.</summary>
public sealed record ModelProgram(
    string? Namespace,
    IReadOnlyList<string> ContainingTypes,
    string ClassName,
    IReadOnlyList<ParamDecl> Params,
    IReadOnlyList<EntryProgram> Entries)
{
    /// <summary>Model buffers (running statistics): state the entry points read and update, never trained.</summary>
    public IReadOnlyList<ParamDecl> Buffers { get; init; } = new ParamDecl[0];

    /// <summary>Also emit the device runner (<c>OnGpu</c>): the assembly references GraphNet.Gpu.</summary>
    public bool Gpu { get; init; }

    /// <summary>Entry points implement the user's partial declarations (false: plain methods, for tests).</summary>
    public bool PartialEntries { get; init; } = true;

    /// <summary>The class declaration line of the generated part ("partial class Mlp").</summary>
    public string Declaration { get; init; } = "";

    /// <summary>Entry points that could not be compiled (their GN errors are reported): they get bodies that throw.</summary>
    public IReadOnlyList<FailedEntry> FailedEntries { get; init; } = new FailedEntry[0];

    /// <summary>Statements the constructor runs last to point sub-module objects at the model's tensors (eager calls use them), given a lookup <c>__t</c> by hierarchical name.</summary>
    public IReadOnlyList<string> Bindings { get; init; } = new string[0];
}

/// <summary>An entry point that could not be compiled: its modifiers, its declaration as the user wrote it, and its name.</summary>
public sealed record FailedEntry(string Modifiers, string Declared, string Name);

/// <summary>The names of graph outputs that entry points use.</summary>
public static class OutputNames
{
    public const string Result = "result";
    public const string Loss = "loss";

    public static string Grad(string name) => "grad." + name;

    /// <summary>Element <paramref name="i"/> of a forward entry's tuple result.</summary>
    public static string ResultAt(int i) => Result + "." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The Hessian-vector product's block for one parameter.</summary>
    public static string Hvp(string name) => "hv." + name;

    /// <summary>The graph input that holds the direction v's block for one parameter.</summary>
    public static string Direction(string name) => "__v_" + name;
}
